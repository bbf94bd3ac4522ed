// What a test runner's parent process does, for Jest and Vitest alike (src/jest/, src/vitest/ are thin
// adapters over this). The environment starts in the background: the runner goes on compiling and
// starting test files meanwhile, and each test file waits only for the services it asks for.
import os from "node:os";
import { CONTEXT_ENV, type EnvironmentContext, removeContext, removeDeadRuns, writeContext } from "./context";
import { removeContainers } from "./docker";
import { startEnvironment } from "./environment";
import type { EnvironmentOptions } from "./options";
import { keepPool, poolDir, type Prepared } from "./pool";
import { service } from "./services";
import { onStopSignal } from "./signals";

/** The warm pool's store sets are numbered from here: runner worker ids (1..20) and the ids tests pick
 * for themselves (40 and up) stay clear of them. */
const FIRST_POOL_SLOT = 21;
const MAX_POOL_SLOTS = 16;

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
  { workers }: { workers: number },
): Promise<RunnerSession> {
  removeDeadRuns(); // folders (with credentials) of earlier runs that were killed
  let context: EnvironmentContext | undefined; // filled in by the start as services get ready
  let contextFile = "";
  let keeper: { stop(): Promise<void> } | undefined;
  let launch: () => void = () => undefined;
  const launched = new Promise<void>((resolve) => (launch = resolve));
  const environment = startEnvironment(options, {
    launched(started) {
      context = started;
      contextFile = writeContext(started);
      process.env[CONTEXT_ENV] = contextFile;
      launch();
    },
    ready: (started) => writeContext(started),
  }).then(
    (started) => {
      keeper = startPool(started.context, contextFile, workers);
      return started;
    },
    (error: Error) => {
      if (!context) throw error; // before launch: the setup itself fails with it
      // Every test file waiting for a service fails with this message; the parent says it once, here.
      writeContext({ ...context, failure: error.message });
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

function startPool(context: EnvironmentContext, contextFile: string, workers: number) {
  const size = Math.min(workers + 2, MAX_POOL_SLOTS);
  const slots = Array.from({ length: size }, (_, i) => FIRST_POOL_SLOT + i);
  const last = new Map<number, Prepared>();
  const keeper = keepPool(
    poolDir(contextFile),
    slots,
    async (slot) => {
      const prepared: Prepared = {};
      await Promise.all(
        context.services.map(async (name) => {
          prepared[name] = (await service(name).prepare(context[name], slot, last.get(slot)?.[name])) ?? null;
        }),
      );
      last.set(slot, prepared);
      return prepared;
    },
    // Test files then prepare their own stores, as they do before the pool is filled.
    (error) => process.stderr.write(`campaign-testenv: the warm pool stopped: ${(error as Error).message}\n`),
  );
  writeContext({ ...context, pooled: true });
  return keeper;
}
