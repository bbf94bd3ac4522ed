import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What the harness keeps about one measured call. */
export interface CallTiming {
  /** Start to end minus the time held, ms. */
  totalMs: number;
  steps: { name: string; ms: number }[];
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
  /** What a reader needs to judge the numbers: the machine, what a step means, what was left out. */
  notes: string[];
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
  elapsedMs: number;
  heldTogether: number;
  timings: CallTiming[];
  notes: string[];
}): LoadReport {
  const { timings, ...rest } = run;
  const byStep = new Map<string, number[]>();
  const labels: Record<string, number> = {};
  const messages: Record<string, number> = {};
  for (const call of timings) {
    for (const { name, ms } of call.steps) {
      if (!byStep.has(name)) byStep.set(name, []);
      byStep.get(name)!.push(ms);
    }
    labels[call.label] = (labels[call.label] ?? 0) + 1;
    if (call.error !== undefined) messages[call.error] = (messages[call.error] ?? 0) + 1;
  }
  return {
    ...rest,
    calls: timings.length,
    callsPerSecond: timings.length / (run.elapsedMs / 1000),
    labels,
    errors: { count: timings.filter((t) => t.error !== undefined).length, messages },
    steps: Object.fromEntries([...byStep].map(([name, ms]) => [name, percentiles(ms)])),
    total: percentiles(timings.map((t) => t.totalMs)),
  };
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

/** Writes `<name>.json` and `<name>.md` into `dir` (created if missing) and returns both paths. */
export function writeLoadReport(
  report: LoadReport,
  dir: string,
  name = "load",
): { json: string; markdown: string } {
  mkdirSync(dir, { recursive: true });
  const json = path.join(dir, `${name}.json`);
  const markdown = path.join(dir, `${name}.md`);
  writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(markdown, reportTable(report));
  return { json, markdown };
}
