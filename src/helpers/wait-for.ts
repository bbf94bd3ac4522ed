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
  const deadline = performance.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await condition();
      if (value !== undefined && value !== null && value !== false)
        return value as Exclude<T, undefined | null | false>;
    } catch (error) {
      lastError = error;
    }
    if (performance.now() >= deadline) {
      const last = lastError
        ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})`
        : "";
      throw new Error(`waitFor timed out after ${timeoutMs} ms waiting for ${message}${last}`);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}
