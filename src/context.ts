import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { retireContextFields } from "./compat";
import { ContextError, type Runner, type WireError } from "./errors";
import { isAlive } from "./lock";
import type { ServiceContexts, ServiceName } from "./services";

/**
 * Connection info only, no clients: what the started services are, where they listen and with which
 * credentials. It is written to a file that every process using the run reads, and a user may pass it
 * to `setupTestEnvironment({ context })` as it is.
 */
export type EnvironmentContext = {
  runId: string;
  startedAt: string;
  services: ServiceName[];
  /** The container id of each service: how a failed call finds out that its container stopped. */
  containers?: Partial<Record<ServiceName, string>>;
  /** The folder of the store-set allocator every process using these containers claims ids from. */
  storeSets: string;
} & Partial<ServiceContexts>;

/**
 * What the process that owns a run (the runner's parent, or `campaign-testenv up`) tells the processes
 * using it, beside the context: private to the package, and changed by that one process only.
 */
export interface RunState {
  /** The runner whose global setup started the run (its config is where users set the options). */
  runner?: Runner;
  /**
   * A runner's environment is written while it starts: each service appears in the context once it is
   * ready, so a test file waits only for the services it needs, until `readyBy` (ms since the epoch: the
   * start's own timeout plus a margin, from when the images were present). `failure` is the start's
   * error, as data, if it failed.
   */
  readyBy?: number;
  failure?: WireError;
  /** The step each service not yet ready is at (what a test file that waits too long reports). */
  steps?: Partial<Record<ServiceName, string>>;
}

/** The run file: its owner, the context and the run's state, written whole each time. */
export interface RunFile {
  /**
   * The owner's process id: a test file waiting for it stops waiting once it is gone, and any later run
   * removes the folder of a run whose owner is gone. At the top, where every version reads it.
   */
  pid: number;
  context: EnvironmentContext;
  state: RunState;
}

/** The env var that points workers (and the CLI) at the context file. */
export const CONTEXT_ENV = "CAMPAIGN_TESTENV_CONTEXT";

/** The folder of one run's files: its context (with credentials), private to this user. */
export const runDir = (runId: string): string => path.join(os.tmpdir(), `campaign-testenv-${runId}`);

/** The warm pool of a run's runner: a folder in the run's. */
export const poolDir = (runId: string): string => path.join(runDir(runId), "pool");

const RUN_DIR = /^campaign-testenv-[a-z0-9]{10}$/;

/**
 * Writes the run file (the context and the run's state) into the run's folder, private to this user,
 * and returns its path: what CAMPAIGN_TESTENV_CONTEXT points at.
 */
export function writeRunFile(context: EnvironmentContext, state: RunState = {}): string {
  const dir = runDir(context.runId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "context.json");
  // Written whole, then renamed over the old one: a process polling it never reads half a file.
  const run: RunFile = { pid: process.pid, context, state };
  writeFileSync(`${file}.tmp`, JSON.stringify(run, null, 2), { mode: 0o600 });
  renameSync(`${file}.tmp`, file);
  return file;
}

/**
 * Removes the folders of runs whose owning process is gone (killed, or a crash before its teardown),
 * since they hold credentials; returns their paths. Folders being written (no context yet) are kept.
 */
export function removeDeadRuns(tmp = os.tmpdir()): string[] {
  const removed: string[] = [];
  for (const name of readdirSync(tmp).filter((n) => RUN_DIR.test(n))) {
    const dir = path.join(tmp, name);
    let pid: number | undefined;
    try {
      pid = (JSON.parse(readFileSync(path.join(dir, "context.json"), "utf8")) as Partial<RunFile>).pid;
    } catch {
      continue;
    }
    // No owner written: not a run file this version knows; left alone.
    if (pid === undefined || isAlive(pid)) continue;
    rmSync(dir, { recursive: true, force: true });
    removed.push(dir);
  }
  return removed;
}

export function removeContext(file: string): void {
  rmSync(path.dirname(file), { recursive: true, force: true });
}

/** The run file `file` (default: the one CAMPAIGN_TESTENV_CONTEXT names), or a ContextError with the fix. */
export function readRunFile(file = process.env[CONTEXT_ENV]): RunFile {
  if (!file) {
    throw new ContextError(
      `campaign-testenv: ${CONTEXT_ENV} is not set, so no environment is running for this test. ` +
        `Use preset "campaign-testenv" (or its globalSetup/globalTeardown) in your Jest config, ` +
        `or start one with "npx campaign-testenv up" and export what it prints.`,
    );
  }
  let run: RunFile;
  try {
    run = JSON.parse(readFileSync(file, "utf8")) as RunFile;
  } catch (error) {
    throw new ContextError(
      `campaign-testenv: cannot read the environment context ${file} (${(error as Error).message}); ` +
        `the environment that wrote it has probably stopped. Start it again.`,
      { cause: error },
    );
  }
  retireContextFields(run.context);
  return run;
}

/** The context of the running environment (default: the one CAMPAIGN_TESTENV_CONTEXT names). */
export function readContext(file = process.env[CONTEXT_ENV]): EnvironmentContext {
  return readRunFile(file).context;
}
