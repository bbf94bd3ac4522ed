import { setTimeout as sleep } from "node:timers/promises";

export interface PollOptions {
  /** Give up after this long: every wait of this package has an end. */
  timeoutMs: number;
  /** Time between tries. */
  intervalMs: number;
}

/** What a poll's try says: done with a value, or not yet (optionally why, for the timeout's message). */
export type Try<T> = { done: true; value: T } | { done: false; why?: string };

/**
 * Tries `attempt` until it is done, and returns its value; after `timeoutMs`, calls `timedOut` with
 * the last reason given and throws what it returns. A throwing attempt ends the poll with its error.
 */
export async function poll<T>(
  attempt: () => Try<T> | Promise<Try<T>>,
  { timeoutMs, intervalMs }: PollOptions,
  timedOut: (why: string | undefined) => Error,
): Promise<T> {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    const result = await attempt();
    if (result.done) return result.value;
    if (performance.now() >= deadline) throw timedOut(result.why);
    await sleep(intervalMs);
  }
}
