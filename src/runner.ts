// What a test runner's parent process does, for Jest and Vitest alike (src/jest/, src/vitest/ are thin
// adapters over this). The environment starts in the background: the runner goes on compiling and
// starting test files meanwhile, and each test file waits only for the services it asks for.
import os from "node:os";
import {
  CONTEXT_ENV,
  type EnvironmentContext,
  poolDir,
  removeContext,
  removeDeadRuns,
  writeContext,
} from "./context";
import { removeContainers } from "./docker";
import { startEnvironment } from "./environment";
import { OptionsError, type Runner, toWire } from "./errors";
import type { EnvironmentOptions } from "./options";
import { keepPool, POOL_FAILURES, type Prepared } from "./pool";
import { STORE_SET_CAPACITY } from "./service";
import { service } from "./services";
import { onStopSignal } from "./signals";
import { StoreSets } from "./store-sets";

const MAX_POOL_SETS = 16;

/** The warm pool's size for a runner with `workers` workers: one set ready for each, and two more. */
const poolSize = (workers: number) => Math.min(workers + 2, MAX_POOL_SETS);

/**
 * Store sets in use at once are at most the runner's workers (each holds one) plus the pool's. More
 * than the environment holds fails the setup at once, with the limit, rather than a test file later.
 */
export function checkCapacity(workers: number, capacity = STORE_SET_CAPACITY): void {
  const needed = workers + poolSize(workers);
  if (needed <= capacity) return;
  throw new OptionsError(
    `campaign-testenv: ${workers} runner workers need up to ${needed} store sets at once, more than the ` +
      `${capacity} the environment holds; run with --maxWorkers=${capacity - MAX_POOL_SETS} or fewer.`,
  );
}

export interface RunnerSession {
  contextFile: string;
  /** Waits for a start still in flight, then removes every container and file of the run. */
  teardown(): Promise<void>;
}

/**
 * Launches the environment and returns as soon as it has a run (bad options and a missing engine
 * still fail here, at once). The context file grows as services get ready; once all are, a pool of
 * `workers + 2` store sets is kept prepared for test files to claim.
 */
export async function startRunnerSession(
  options: EnvironmentOptions | undefined,
  { workers, runner }: { workers: number; runner: Runner },
): Promise<RunnerSession> {
  checkCapacity(workers);
  removeDeadRuns(); // folders (with credentials) of earlier runs that were killed
  let context: EnvironmentContext | undefined; // filled in by the start as services get ready
  let contextFile = "";
  let keeper: { stop(): Promise<void> } | undefined;
  let launch: () => void = () => undefined;
  const launched = new Promise<void>((resolve) => (launch = resolve));
  const environment = startEnvironment(options, {
    launched(started) {
      context = Object.assign(started, { runner });
      contextFile = writeContext(started);
      process.env[CONTEXT_ENV] = contextFile;
      launch();
    },
    ready: (started) => writeContext(started),
  }).then(
    async (started) => {
      keeper = await startPool(started.context, workers).catch((error: Error) => {
        // Test files then prepare their own sets: slower, but the run goes on.
        process.stderr.write(`campaign-testenv: no warm pool: ${error.message}\n`);
        return undefined;
      });
      return started;
    },
    (error: Error) => {
      if (!context) throw error; // before launch: the setup itself fails with it
      // Every test file waiting for a service fails with this error, rebuilt; the parent says it once, here.
      writeContext({ ...context, failure: toWire(error) });
      process.stderr.write(`${error.message}\n`);
      return undefined;
    },
  );
  await Promise.race([launched, environment]);
  const runId = context!.runId;

  // Node's default on these signals exits at once, with no teardown: the containers would be left to
  // the reaper and the context folder (credentials) to nobody.
  const removeHandlers = onStopSignal(async (signal) => {
    removeContext(contextFile);
    await removeContainers(runId).catch(() => undefined); // engine gone: the reaper's job
    process.exit(128 + os.constants.signals[signal]);
  });
  return {
    contextFile,
    async teardown() {
      removeHandlers();
      const started = await environment;
      await keeper?.stop();
      removeContext(contextFile);
      await started?.stop();
    },
  };
}

/** Claims the pool's store sets from the allocator, and keeps them prepared until stopped. */
async function startPool(context: EnvironmentContext, workers: number): Promise<{ stop(): Promise<void> }> {
  const sets = new StoreSets(context.storeSets);
  const ids: number[] = [];
  for (let i = 0; i < poolSize(workers); i++) ids.push(await sets.claim());
  const last = new Map<number, Prepared>();
  const keeper = keepPool(
    poolDir(context.runId),
    ids,
    async (id) => {
      const prepared: Record<string, unknown> = {};
      await Promise.all(
        context.services.map(async (name) => {
          prepared[name] = await service(name).prepare(context[name]!, id, last.get(id)?.[name]);
        }),
      );
      last.set(id, prepared);
      return prepared;
    },
    // Test files then prepare their own sets, as they do before the pool is filled.
    (error) =>
      process.stderr.write(
        `campaign-testenv: the warm pool stopped after ${POOL_FAILURES} failed prepares in a row: ${(error as Error).message}\n`,
      ),
  );
  writeContext({ ...context, pooled: true });
  return {
    async stop() {
      await keeper.stop();
      for (const id of ids) await sets.release(id);
    },
  };
}
