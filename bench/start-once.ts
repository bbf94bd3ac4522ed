// One environment start in a fresh process, as a runner's global setup does it (a new process, a new
// Testcontainers client, a reaper to find or start):
//   node -r ts-node/register/transpile-only bench/start-once.ts cold|reuse
// Prints one line: BENCH_RESULT {...} (StartOnce). cold: the start, then the containers' idle memory, then
// removes them. reuse: the start, left running for the next.
import { setTimeout as sleep } from "node:timers/promises";
import { startEnvironment } from "../src";
import { LABELS } from "../src/docker";
import { containersLabelled, containersMemoryMiB, IDLE_SETTLE_MS, RESULT_PREFIX, timed } from "./lib";

export interface StartOnce {
  ms: number;
  memory?: { totalMiB: number; each: Record<string, number> };
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  if (mode !== "cold" && mode !== "reuse") throw new Error("usage: start-once.ts cold|reuse");
  const { ms, value: environment } = await timed(() =>
    startEnvironment({ quiet: true, reuse: mode === "reuse" }),
  );
  let memory;
  if (mode === "cold") {
    await sleep(IDLE_SETTLE_MS);
    memory = await containersMemoryMiB(
      await containersLabelled(`${LABELS.run}=${environment.context.runId}`),
    );
  }
  await environment.stop();
  console.log(RESULT_PREFIX + JSON.stringify({ ms, memory } satisfies StartOnce));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
