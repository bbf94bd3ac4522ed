// One environment start in a fresh process, as a Jest run does it (a new process, a new reaper):
//   node -r ts-node/register/transpile-only bench/start-once.ts cold|reuse [--memory]
// Prints one line: BENCH_RESULT {"ms":…,"memory":…}. Cold runs remove their containers;
// reuse runs leave them for the next one.
import { setTimeout as sleep } from "node:timers/promises";
import { startEnvironment } from "../src";
import { LABELS } from "../src/docker";
import { containersLabelled, containersMemoryMiB, IDLE_SETTLE_MS, RESULT_PREFIX, timed } from "./lib";

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== "cold" && mode !== "reuse") throw new Error("usage: start-once.ts cold|reuse [--memory]");
  const { ms, value: environment } = await timed(() =>
    startEnvironment({ quiet: true, reuse: mode === "reuse" }),
  );
  let memory;
  if (process.argv.includes("--memory")) {
    await sleep(IDLE_SETTLE_MS);
    memory = await containersMemoryMiB(
      await containersLabelled(`${LABELS.run}=${environment.context.runId}`),
    );
  }
  await environment.stop();
  console.log(RESULT_PREFIX + JSON.stringify({ ms, memory }));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
