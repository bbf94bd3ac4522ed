/** What the harness keeps about one measured call; times (…Ms) count from the start of the measured calls. */
export interface CallTiming {
  startMs: number;
  /** When it ended: until then it was in flight, held or not. */
  endMs: number;
  /** Start to end minus the time held, ms. */
  totalMs: number;
  steps: { name: string; startMs: number; ms: number }[];
  label: string;
  error?: string;
}

/** Milliseconds, nearest-rank percentiles over every sample (failed steps and calls included). */
export interface Percentiles {
  count: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
}

export interface LoadReport {
  name: string;
  /** Measured calls, failed ones included. */
  calls: number;
  warmUpCalls: number;
  concurrency: number;
  startsPerSecond: number | null;
  /** The latency requirement the picture draws, ms; null when the run set none. */
  limitMs: number | null;
  /** The most calls that were all holding at one moment (see LoadCall.hold); 0 if none held. */
  heldTogether: number;
  elapsedMs: number;
  /** Measured calls / elapsed time, holds included. */
  callsPerSecond: number;
  /** How many calls returned each label ("ok" when none; "error" when the call threw). */
  labels: Record<string, number>;
  errors: { count: number; messages: Record<string, number> };
  /** By step name, in the order steps were first seen. */
  steps: Record<string, Percentiles>;
  /** Whole call: start to end minus the time held. */
  total: Percentiles;
  /** Each second of the measured run, from its start: what the picture draws. */
  timeline: TimelineSecond[];
  /** What a reader needs to judge the numbers: the machine, what a step means, what was left out. */
  notes: string[];
}

/** One second of the measured run. A step or call belongs to the second it started in. */
export interface TimelineSecond {
  /** 0-based. */
  second: number;
  /** The most calls in flight at one moment of this second: started and not ended, held ones included. */
  inFlight: number;
  /** By step name; only the steps that started in this second. */
  steps: Record<string, Percentiles>;
  /** The whole calls that started in this second (count 0 when none did). */
  total: Percentiles;
}

export function percentiles(samples: number[]): Percentiles {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)] ?? 0;
  return { count: sorted.length, p50: rank(50), p95: rank(95), p99: rank(99), max: sorted.at(-1) ?? 0 };
}

export function summarise(run: {
  name: string;
  concurrency: number;
  warmUpCalls: number;
  startsPerSecond: number | null;
  limitMs: number | null;
  elapsedMs: number;
  heldTogether: number;
  timings: CallTiming[];
  notes: string[];
}): LoadReport {
  const { timings, ...rest } = run;
  const labels: Record<string, number> = {};
  const messages: Record<string, number> = {};
  for (const call of timings) {
    labels[call.label] = (labels[call.label] ?? 0) + 1;
    if (call.error !== undefined) messages[call.error] = (messages[call.error] ?? 0) + 1;
  }
  return {
    ...rest,
    calls: timings.length,
    callsPerSecond: timings.length / (run.elapsedMs / 1000),
    labels,
    errors: { count: timings.filter((t) => t.error !== undefined).length, messages },
    steps: byStep(timings.flatMap((t) => t.steps)),
    total: percentiles(timings.map((t) => t.totalMs)),
    timeline: timeline(timings),
  };
}

/** Percentiles by step name, in the order the names were first seen. */
function byStep(steps: CallTiming["steps"]): Record<string, Percentiles> {
  const samples = new Map<string, number[]>();
  for (const { name, ms } of steps) {
    if (!samples.has(name)) samples.set(name, []);
    samples.get(name)!.push(ms);
  }
  return Object.fromEntries([...samples].map(([name, ms]) => [name, percentiles(ms)]));
}

const SECOND_MS = 1000;

function timeline(timings: CallTiming[]): TimelineSecond[] {
  if (timings.length === 0) return [];
  const seconds = Math.floor(Math.max(...timings.map((t) => t.endMs)) / SECOND_MS) + 1;
  const second = (ms: number) => Math.floor(ms / SECOND_MS);
  const steps = Array.from({ length: seconds }, () => [] as CallTiming["steps"]);
  const totals = Array.from({ length: seconds }, () => [] as number[]);
  for (const call of timings) {
    totals[second(call.startMs)].push(call.totalMs);
    for (const step of call.steps) steps[second(step.startMs)].push(step);
  }
  const inFlight = mostInFlight(timings, seconds);
  return totals.map((total, i) => ({
    second: i,
    inFlight: inFlight[i],
    steps: byStep(steps[i]),
    total: percentiles(total),
  }));
}

/** Per second, the most calls in flight at one moment: a sweep over every start (+1) and end (-1). */
function mostInFlight(timings: CallTiming[], seconds: number): number[] {
  // At equal times an end goes first: a call that ends as another starts is not two at once.
  const events = timings
    .flatMap((t) => [
      { at: t.startMs, change: 1 },
      { at: t.endMs, change: -1 },
    ])
    .sort((a, b) => a.at - b.at || a.change - b.change);
  const most: number[] = [];
  let now = 0;
  let next = 0;
  for (let second = 0; second < seconds; second++) {
    most[second] = now; // the calls carried in from the second before
    for (; next < events.length && events[next].at < (second + 1) * SECOND_MS; next++) {
      now += events[next].change;
      most[second] = Math.max(most[second], now);
    }
  }
  return most;
}

/** A markdown table of the report: p50, p95, p99 and max per step and for the whole call. */
export function reportTable(report: LoadReport): string {
  const ms = (n: number) => n.toFixed(1);
  const row = (name: string, p: Percentiles) =>
    `| ${name} | ${p.count} | ${ms(p.p50)} | ${ms(p.p95)} | ${ms(p.p99)} | ${ms(p.max)} |`;
  const labels = Object.entries(report.labels)
    .map(([label, n]) => `${label} ${n}`)
    .join(", ");
  return [
    `### ${report.name}`,
    "",
    `${report.calls} calls (after ${report.warmUpCalls} warm-up), at most ${report.concurrency} in flight, ` +
      `${report.heldTogether} held together, ` +
      (report.startsPerSecond
        ? `started and released at ${report.startsPerSecond}/s, `
        : "all started at once, ") +
      `${(report.elapsedMs / 1000).toFixed(2)} s, ${report.callsPerSecond.toFixed(1)} calls/s, ` +
      `${report.errors.count} errors. Calls by label: ${labels}.`,
    "",
    "| step | count | p50 ms | p95 ms | p99 ms | max ms |",
    "| --- | ---: | ---: | ---: | ---: | ---: |",
    ...Object.entries(report.steps).map(([name, p]) => row(name, p)),
    row("**whole call**", report.total),
    ...(report.notes.length ? ["", ...report.notes.map((note) => `- ${note}`)] : []),
    "",
  ].join("\n");
}
