/** The signals that end a run: Ctrl-C, `kill`, and a closed terminal. */
export const STOP_SIGNALS = ["SIGINT", "SIGTERM", "SIGHUP"] as const;

/**
 * A repeat within this time is the same Ctrl-C delivered twice: `npx` and `npm run` forward the
 * terminal's signal to a child that got it already.
 */
const SAME_SIGNAL_MS = 1000;

/**
 * Runs `stop` on the first stop signal (instead of Node's default, which exits at once and runs no
 * cleanup); a second one while it runs (a second or more later) exits at once. Returns a function that
 * removes the handlers.
 */
export function onStopSignal(stop: (signal: NodeJS.Signals) => Promise<void>): () => void {
  let stopping: number | undefined;
  const handler = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      if (Date.now() - stopping < SAME_SIGNAL_MS) return;
      process.stderr.write(
        `campaign-testenv: ${signal} again, exiting now; the reaper removes the containers within about 10 s\n`,
      );
      process.exit(130);
    }
    stopping = Date.now();
    process.stderr.write(`campaign-testenv: ${signal}: removing the containers and files of this run\n`);
    void stop(signal);
  };
  for (const signal of STOP_SIGNALS) process.on(signal, handler);
  return () => {
    for (const signal of STOP_SIGNALS) process.off(signal, handler);
  };
}
