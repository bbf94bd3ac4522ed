import { setTimeout as sleep } from "node:timers/promises";
import { type CallTiming, type LoadReport, summarise } from "./report";

/** Runs `fn` as the named step of a call and records how long it took, failed or not. */
export type Step = <T>(name: string, fn: () => Promise<T>) => Promise<T>;

/** A Step that only runs `fn`: what code that takes a Step uses when nothing measures it. */
export const untimed: Step = (_name, fn) => fn();

/** What a call handler gets from the harness. */
export interface LoadCall {
  /** 0-based, per phase: warm-up calls and measured calls each count from 0. */
  index: number;
  warmUp: boolean;
  step: Step;
  /**
   * Waits until every call in flight is holding and no more can start (the concurrency limit is
   * reached or all calls have started), then lets them all go on together. This is how a run proves
   * its calls were simultaneous: the report's `heldTogether` is the largest group released at once.
   * The time spent here is not the call's latency and is left out of its total.
   */
  hold(): Promise<void>;
}

/** A call: does its steps through `call.step`; may return a label (e.g. a refusal reason) to count. */
export type CallHandler = (call: LoadCall) => Promise<string | void>;

export interface LoadOptions {
  /** Measured calls. */
  calls: number;
  /** Calls in flight at most; default all of them. */
  concurrency?: number;
  /** Calls run first, same handler and concurrency, and left out of the report. Default 0. */
  warmUp?: number;
  /**
   * Starts per second; default unpaced (every call starts as soon as concurrency allows). Paced
   * starts model a dialer that ramps up to its active calls rather than placing them in one instant;
   * held calls then go on at the same pace, as calls of one length end in the order they began.
   */
  startsPerSecond?: number;
  /** Runs while all held calls are waiting, before they go on: the moment to check what is active. */
  onHold?: (held: number) => Promise<void>;
  /** Names the run in the report. */
  name?: string;
  /** The latency requirement, ms: the report's picture draws it as a line. Default none. */
  limitMs?: number;
  /** Said under the report's table: what a reader needs to judge the numbers. */
  notes?: string[];
}

/** Runs the warm-up, then the measured calls, and summarises the measured ones. */
export async function runLoad(handler: CallHandler, options: LoadOptions): Promise<LoadReport> {
  if (options.warmUp) await runPhase(handler, { ...options, calls: options.warmUp }, true);
  const started = performance.now();
  const { timings, heldTogether } = await runPhase(handler, options, false);
  const elapsedMs = performance.now() - started;
  return summarise({
    name: options.name ?? "load",
    concurrency: options.concurrency ?? options.calls,
    warmUpCalls: options.warmUp ?? 0,
    startsPerSecond: options.startsPerSecond ?? null,
    limitMs: options.limitMs ?? null,
    elapsedMs,
    heldTogether,
    timings,
    notes: options.notes ?? [],
  });
}

async function runPhase(
  handler: CallHandler,
  { calls, concurrency = calls, startsPerSecond, onHold }: LoadOptions,
  warmUp: boolean,
): Promise<{ timings: CallTiming[]; heldTogether: number }> {
  const timings: CallTiming[] = [];
  const limit = Math.max(1, Math.min(concurrency, calls));
  const phaseStart = performance.now();
  let next = 0;
  let inFlight = 0;
  let heldTogether = 0;
  let waiting: (() => void)[] = [];
  let releasing = false;
  let holdError: unknown;

  // Called whenever a call starts holding or finishes: the barrier opens once nobody else can arrive.
  const maybeRelease = async () => {
    const noneCanStart = inFlight === limit || next === calls;
    if (releasing || waiting.length === 0 || waiting.length !== inFlight || !noneCanStart) return;
    releasing = true;
    const group = waiting;
    waiting = [];
    heldTogether = Math.max(heldTogether, group.length);
    try {
      await onHold?.(group.length);
    } catch (error) {
      holdError ??= error;
    } finally {
      releasing = false;
      const gapMs = startsPerSecond ? 1000 / startsPerSecond : 0;
      group.forEach((go, i) => (gapMs ? setTimeout(go, i * gapMs) : go()));
    }
  };

  // Times in a call's record count from the phase's start: the report's timeline places them with it.
  const sincePhaseStart = () => performance.now() - phaseStart;
  const runOne = async (index: number) => {
    const steps: CallTiming["steps"] = [];
    let heldMs = 0;
    const step: Step = async (name, fn) => {
      const startMs = sincePhaseStart();
      try {
        return await fn();
      } finally {
        steps.push({ name, startMs, ms: sincePhaseStart() - startMs });
      }
    };
    const hold = async () => {
      const t0 = performance.now();
      await new Promise<void>((go) => {
        waiting.push(go);
        void maybeRelease();
      });
      heldMs += performance.now() - t0;
    };
    const timing: CallTiming = { startMs: sincePhaseStart(), endMs: 0, totalMs: 0, steps, label: "ok" };
    try {
      timing.label = (await handler({ index, warmUp, step, hold })) ?? "ok";
    } catch (error) {
      timing.label = "error";
      timing.error = error instanceof Error ? error.message : String(error);
    }
    timing.endMs = sincePhaseStart();
    timing.totalMs = timing.endMs - timing.startMs - heldMs;
    timings.push(timing);
  };

  const worker = async () => {
    while (next < calls) {
      const index = next++;
      // In flight from here, so that the barrier waits for a call whose paced start is still due.
      inFlight++;
      if (startsPerSecond) {
        const due = phaseStart + (index * 1000) / startsPerSecond;
        const wait = due - performance.now();
        if (wait > 0) await sleep(wait);
      }
      await runOne(index);
      inFlight--;
      void maybeRelease();
    }
  };
  await Promise.all(Array.from({ length: limit }, worker));
  if (holdError) throw holdError;
  return { timings, heldTogether };
}
