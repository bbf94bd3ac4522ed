import { poll, type Try } from "../poll";

export interface WaitForOptions {
  /** Give up after this long. Default 5000 ms. */
  timeoutMs?: number;
  /** Time between tries. Default 50 ms. */
  intervalMs?: number;
  /** Says what was awaited, for the timeout error. */
  message?: string;
}

/**
 * Polls `condition` until it returns a value other than undefined, null or false, and returns that
 * value: for effects that land asynchronously (an SNS message in a queue, a CDR written by a consumer).
 * A throwing condition counts as not yet; its last error is quoted if time runs out.
 */
export async function waitFor<T>(
  condition: () => T | Promise<T>,
  { timeoutMs = 5000, intervalMs = 50, message = "the condition" }: WaitForOptions = {},
): Promise<Exclude<T, undefined | null | false>> {
  type Found = Exclude<T, undefined | null | false>;
  let lastError: unknown;
  return poll(
    async (): Promise<Try<Found>> => {
      try {
        const value = await condition();
        if (value !== undefined && value !== null && value !== false)
          return { done: true, value: value as Found };
      } catch (error) {
        lastError = error;
      }
      return { done: false };
    },
    { timeoutMs, intervalMs },
    () => {
      const last = lastError
        ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`
        : "";
      return new Error(`waitFor timed out after ${timeoutMs} ms waiting for ${message}${last}`);
    },
  );
}
