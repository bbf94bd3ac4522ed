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
  type RunState,
  writeRunFile,
} from "./context";
import { removeContainers } from "./docker";
import { startEnvironment } from "./environment";
import { CampaignTestenvError, OptionsError, type Runner, toWire } from "./errors";
import { type EnvironmentOptions, resolveOptions } from "./options";
import { keepPool, POOL_FAILURES, type Prepared } from "./pool";
import { STORE_SET_CAPACITY } from "./service";
import { service } from "./services";
import { onStopSignal } from "./signals";
import { StoreSets } from "./store-sets";

const MAX_POOL_SETS = 16;

/** The warm pool's size for a runner with `workers` workers: one set ready for each and two more, at most 16. */
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

/** What a service may take beyond its container's startup timeout: migrations, collections, resources. */
const READY_MARGIN_MS = 30_000;

/**
 * The run file as this process (its only writer) keeps it: the context grows as services get ready, the
 * state says how the start goes. Every change is written whole at once.
 */
class RunFileWriter {
  file = "";
  context?: EnvironmentContext;
  readonly state: RunState;

  constructor(runner: Runner) {
    this.state = { runner, steps: {} };
  }

  write(change: Partial<RunState> = {}): void {
    Object.assign(this.state, change);
    this.file = writeRunFile(this.context!, this.state);
  }
}

/**
 * Launches the environment and returns once every image it needs is present (pulls are in the open,
 * here, where no runner bounds them with a hook timeout); bad options, a missing engine and a failed
 * pull fail here. The containers then start in the background while the runner starts test files: the
 * run file grows as services get ready; once all are, a pool of store sets is kept prepared.
 */
export async function startRunnerSession(
  options: EnvironmentOptions | undefined,
  { workers, runner }: { workers: number; runner: Runner },
): Promise<RunnerSession> {
  checkCapacity(workers);
  removeDeadRuns(); // folders (with credentials) of earlier runs that were killed
  const run = new RunFileWriter(runner);
  let keeper: { stop(): Promise<void> } | undefined;
  let removeHandlers = () => undefined as void;
  let imagesPresent: () => void = () => undefined;
  const pulled = new Promise<void>((resolve) => (imagesPresent = resolve));
  const resolved = resolveOptions(options);
  const environment = startEnvironment(options, {
    launched(context) {
      run.context = context;
      run.write();
      process.env[CONTEXT_ENV] = run.file;
      // Node's default on these signals exits at once, with no teardown: the containers would be left
      // to the reaper and the run's folder (credentials) to nobody.
      removeHandlers = onStopSignal(async (signal) => {
        removeContext(run.file);
        await removeContainers(context.runId).catch(() => undefined); // engine gone: the reaper's job
        process.exit(128 + os.constants.signals[signal]);
      });
    },
    imagesPresent() {
      // Test files start waiting now; a start may first wait for another run's (reuse mode).
      const starts = resolved.reuse ? 2 : 1;
      run.write({ readyBy: Date.now() + starts * resolved.startupTimeoutMs + READY_MARGIN_MS });
      imagesPresent();
    },
    step(name, step) {
      run.write({ steps: { ...run.state.steps, [name]: step } });
    },
    ready: () => run.write(),
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
      // Before any test file waits (bad options, no engine, a failed pull): the setup fails with it.
      if (run.state.readyBy === undefined) throw error;
      // Every test file waiting for a service fails with this error, rebuilt; the parent says it once, here.
      run.write({ failure: toWire(error) });
      process.stderr.write(`${error.message}\n`);
      return undefined;
    },
  );
  try {
    await Promise.race([pulled, environment]);
  } catch (error) {
    removeHandlers();
    if (run.context) removeContext(run.file);
    // The runner prints the stack of a failed global setup: ours is a sentence with its fix, no frames.
    if (error instanceof CampaignTestenvError) error.stack = `${error.name}: ${error.message}`;
    throw error;
  }
  return {
    contextFile: run.file,
    async teardown() {
      removeHandlers();
      const started = await environment;
      await keeper?.stop();
      removeContext(run.file);
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
  return {
    async stop() {
      await keeper.stop();
      for (const id of ids) await sets.release(id);
    },
  };
}
