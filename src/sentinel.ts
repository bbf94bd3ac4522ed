// The run's own reaper: a small detached process that outlives a killed owner (SIGKILL, a crash, an
// OOM kill) and then removes the run's containers and its folder (credentials). Testcontainers' Ryuk
// cannot promise that: a new process joins any Ryuk already running on the engine, and Ryuk reaps a
// session only when every process connected to it is gone, which on a shared machine can be never.
import { spawn } from "node:child_process";
import type { Socket } from "node:net";

// Plain JavaScript, so the idle sentinel is a bare Node process; it loads the engine client only
// once its owner is gone. Arguments: run id, run folder, docker module, optional require hook.
const SENTINEL = `
const [runId, runFolder, dockerModule, hook] = process.argv.slice(1);
process.stdin.resume();
process.stdin.on("close", async () => {
  require("node:fs").rmSync(runFolder, { recursive: true, force: true });
  if (hook) require(hook);
  await require(dockerModule).removeContainers(runId).catch(() => undefined);
  process.exit(0);
});`;

/**
 * Starts the sentinel of run `runId`, tied to this process by a pipe: when this process ends, however
 * it ends, the pipe closes and the sentinel removes what is left of the run, then exits.
 */
export function startSentinel(runId: string, runFolder: string): void {
  const dockerModule = require.resolve("./docker");
  // The package's own suites run from the TypeScript sources.
  const hook = dockerModule.endsWith(".ts") ? [require.resolve("ts-node/register/transpile-only")] : [];
  const child = spawn(process.execPath, ["-e", SENTINEL, runId, runFolder, dockerModule, ...hook], {
    detached: true, // its own process group: a terminal's Ctrl-C or a group kill does not reach it
    stdio: ["pipe", "ignore", "ignore"],
  });
  child.on("error", () => undefined); // no sentinel: Ryuk is still there
  child.unref();
  (child.stdin as Socket).unref(); // the pipe must not keep this process alive
}
