// The package's environment as the bench starts it: in a fresh Node process (bench/start-once.ts), as a
// runner's global setup does, or in the bench's own process; and the reuse-mode containers the bench's
// own runs keep, removed at the end.
import { existsSync, readdirSync } from "node:fs";
import path from "node:path";
import { type AwsFlavour, type EnvironmentContext, startEnvironment } from "../src";
import { LABELS, removeContainers } from "../src/docker";
import { packageRoot } from "../src/paths";
import { reusedContainers, reuseDir } from "../src/reuse";
import { RESULT_PREFIX, run } from "./lib";
import { log } from "./settings";
import type { StartOnce } from "./start-once";

/**
 * One start in a fresh process: `cold` (removed after), `reuse` (left running for the next), or
 * `reaper` (only Testcontainers' client and reaper, which every fresh process sets up first).
 */
export async function startInChild(
  mode: "cold" | "reuse" | "reaper",
  env: NodeJS.ProcessEnv = process.env,
): Promise<StartOnce> {
  const args = ["-r", "ts-node/register/transpile-only", path.join(__dirname, "start-once.ts"), mode];
  const { stdout } = await run(process.execPath, args, { cwd: packageRoot, env, maxBuffer: 16 << 20 });
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`bench: start-once.ts ${mode} printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as StartOnce;
}

/**
 * Removes the reuse-mode containers the bench's runs keep: those whose context its cache folder holds
 * (never another folder's), each with its whole run, as LocalStack's function containers carry the
 * run's label but not the reuse one.
 */
export async function removeReusedContainers(): Promise<void> {
  const kept = new Set(existsSync(reuseDir()) ? readdirSync(reuseDir()) : []);
  const ours = (await reusedContainers()).filter((c) => kept.has(`${c.Id}.json`));
  for (const runId of new Set(ours.map((c) => c.Labels[LABELS.run]))) await removeContainers(runId);
}

/** `fn` on an environment of `flavour` started in this process, stopped after. */
export async function inThisProcess<T>(
  flavour: AwsFlavour,
  fn: (context: EnvironmentContext) => Promise<T>,
): Promise<T> {
  log(`starting one ${flavour} environment in this process`);
  const environment = await startEnvironment({ quiet: true, awsFlavour: flavour });
  try {
    return await fn(environment.context);
  } finally {
    await environment.stop();
  }
}
