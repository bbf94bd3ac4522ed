import { refuseOldSetupOptions, retireEnvironmentNames } from "./compat";
import { type EnvironmentContext, poolDir, readRunFile, type RunFile } from "./context";
import { isAlive } from "./lock";
import {
  CampaignTestenvError,
  ContextError,
  fromWire,
  MissingServiceError,
  reasonOf,
  type Runner,
  ServiceError,
} from "./errors";
import { explainFailure, retryingLostConnections } from "./explain";
import { awaitPoolSet, claimFromPool } from "./pool";
import { poll, type Try } from "./poll";
import {
  SERVICE_NAMES,
  type ServiceAccessors,
  type ServiceClients,
  type ServiceContexts,
  type ServiceName,
  type ServicePrepared,
  type StoreNames,
  service,
} from "./services";
import { StoreSets } from "./store-sets";

/**
 * Where this test file's data lives inside the shared containers: its store set's id and, for each
 * service it uses, the name of its store (a database name, a Redis db, an AWS account). Reading the
 * name of a service the file did not ask for throws a sentence saying so.
 */
export type StoreSet = { readonly id: number } & Readonly<StoreNames>;

export interface SetupOptions<S extends ServiceName = never> {
  /** The services this test needs; a missing one fails here, with the fix, rather than mid-test. */
  services?: readonly S[];
  /**
   * Claim this store set (1..512) rather than a free one; it must not be in use. Default: a prepared
   * one from the warm pool, or any free one, built here.
   */
  storeSetId?: number;
  /** The environment to use; default the one the runner's global setup (or `campaign-testenv up`) wrote. */
  context?: EnvironmentContext;
}

/**
 * Connected clients for this test file's store set. Every service's fields are typed (`env.postgres`,
 * `env.redis`...); reading one the file did not ask for throws a sentence with the fix. The services
 * named in `setupTestEnvironment({ services })` are also in `env.context` for sure (type parameter S).
 */
export type TestEnvironment<S extends ServiceName = never> = Readonly<ServiceAccessors> & {
  readonly context: EnvironmentContext & { readonly [K in S]: ServiceContexts[K] };
  readonly storeSet: StoreSet;
  /** The services this test file has stores of: the ones it asked for, or every started one. */
  readonly services: ServiceName[];
  /** The client(s) of any service's store, e.g. `env.client("mongo")`: for services added later. */
  client<K extends ServiceName>(name: K): ServiceClients[K];
  /** Closes every client and gives the store set back (its data stays until its next prepare). */
  close(): Promise<void>;
};

const POLL_MS = 20;

/** A test that needs a service the environment was not started with fails at once, with the fix. */
function checkStarted(
  context: EnvironmentContext,
  needed: readonly ServiceName[] | undefined,
  runner?: Runner,
): void {
  const missing = (needed ?? []).filter((s) => !context.services.includes(s));
  if (missing.length > 0) throw new MissingServiceError(missing, context.services, { runner });
}

/**
 * The context once every service in `needed` is ready. A runner's environment is still starting when
 * its first test files run; each waits here for what it needs only, until the start's own deadline.
 * A failed start fails it with the start's own error, rebuilt; a parent that died fails it at once.
 */
async function readyContext(needed: readonly ServiceName[] | undefined): Promise<RunFile> {
  const started = Date.now();
  let last: RunFile | undefined;
  let waiting: ServiceName[] = [];
  const attempt = (): Try<RunFile> => {
    last = readRunFile();
    const { pid, context, state } = last;
    checkStarted(context, needed, state.runner);
    if (state.failure) throw fromWire(state.failure);
    waiting = (needed ?? context.services).filter((name) => context[name] === undefined);
    if (waiting.length === 0) return { done: true, value: last };
    if (!isAlive(pid)) {
      throw new ContextError(
        `campaign-testenv: the process that was starting ${waiting.join(", ")} (pid ${pid}) is gone, ` +
          `so this test file cannot get its stores; look at that process's output, then run the tests again.`,
      );
    }
    return { done: false };
  };
  const result = attempt();
  if (result.done) return result.value;
  const timeoutMs = Math.max(0, (last!.state.readyBy ?? 0) - started);
  return poll(attempt, { timeoutMs, intervalMs: POLL_MS }, () => {
    const { pid, context, state } = last!;
    const steps = waiting.map((name) => `${name} at "${state.steps?.[name] ?? "starting"}"`).join(", ");
    return new ContextError(
      `campaign-testenv: waited ${((Date.now() - started) / 1000).toFixed(0)} s for ${waiting.join(", ")} of run ` +
        `${context.runId} to be ready (the start's timeout plus a margin; ${steps}); look at the output of the ` +
        `process starting them (pid ${pid}), and raise startupTimeoutMs / CAMPAIGN_TESTENV_STARTUP_TIMEOUT_MS ` +
        `on a slow machine.`,
    );
  });
}

/** A store set claimed for this test file: from the warm pool (prepared ahead), or from the allocator. */
interface Held {
  id: number;
  /** What the pool's prepare gave each service; undefined: this file prepares its own. */
  prepared?: Partial<ServicePrepared>;
  release(): Promise<void>;
}

async function holdStoreSet(context: EnvironmentContext, storeSetId: number | undefined): Promise<Held> {
  // A runner's warm pool, once its parent has one ready; other runs (`up`) have no pool folder.
  if (storeSetId === undefined) {
    const pool = poolDir(context.runId);
    const slot = claimFromPool(pool) ?? (await awaitPoolSet(pool));
    if (slot) {
      return { id: slot.id, prepared: slot.prepared, release: async () => slot.release() };
    }
  }
  const sets = new StoreSets(context.storeSets);
  const id = await sets.claim(storeSetId);
  return { id, release: () => sets.release(id) };
}

/** The store set's names: every service's, those the file did not ask for throwing the fix when read. */
function storeSetOf(
  context: EnvironmentContext,
  id: number,
  names: ServiceName[],
  runner?: Runner,
): StoreSet {
  const storeSet = { id } as Record<string, unknown>;
  for (const name of SERVICE_NAMES) {
    for (const [key, nameOf] of Object.entries(service(name).names)) {
      if (names.includes(name)) storeSet[key] = nameOf(id, context[name]!);
      else
        Object.defineProperty(storeSet, key, {
          enumerable: false,
          get: () => missing(context, name, names, runner),
        });
    }
  }
  return storeSet as StoreSet;
}

function missing(
  context: EnvironmentContext,
  name: ServiceName,
  names: ServiceName[],
  runner?: Runner,
): never {
  throw context.services.includes(name)
    ? new MissingServiceError([name], context.services, { requested: names })
    : new MissingServiceError([name], context.services, { runner });
}

/**
 * Claims this test file's store set, fresh: a PostgreSQL database cloned from the migrated template, a
 * Mongo database with the spec's collections, an empty Redis logical database, and an AWS account with
 * the spec's resources. Under a runner it usually comes ready-made from the warm pool (a claim is a few
 * milliseconds); otherwise, or with an explicit `storeSetId`, it is built here.
 */
export async function setupTestEnvironment<S extends ServiceName = never>(
  options: SetupOptions<S> = {},
): Promise<TestEnvironment<S>> {
  refuseOldSetupOptions(options);
  const { context, state } = options.context
    ? { context: options.context }
    : await readyContext(options.services);
  checkStarted(context, options.services, state?.runner);
  const names = (options.services ?? context.services).filter((name) => context[name] !== undefined);
  const held = await holdStoreSet(context, options.storeSetId);

  const opened = await Promise.allSettled(
    names.map(async (name) => {
      const entry = service(name);
      const step = `preparing store set ${held.id}`;
      const store = await retryingLostConnections(context, name, step, async () => {
        const prepared = held.prepared ? held.prepared[name] : await entry.prepare(context[name]!, held.id);
        return entry.connect(context[name]!, held.id, prepared);
      }).catch((error: unknown) => {
        throw named(context, name, step, error, PREPARE_FIX);
      });
      return [name, store] as const;
    }),
  );
  const stores = new Map(opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])));
  // The store set goes back even when closing a store fails; that failure is then reported.
  const close = async () => {
    const closed = await Promise.allSettled([...stores].map(([name, store]) => service(name).close(store)));
    await held.release();
    const failed = closed.find((r) => r.status === "rejected");
    if (failed) throw failed.reason;
  };
  const failed = opened.find((r) => r.status === "rejected");
  if (failed) {
    // Nothing stays open behind a failed setup; the setup's own failure is the one to report.
    await close().catch(() => undefined);
    throw failed.reason;
  }

  // A call that fails because a container stopped says so (ServiceDownError), not just "ECONNREFUSED".
  const clients = new Map(
    [...stores].map(([name, store]) => {
      const entry = service(name);
      const explain = (error: unknown) => explainFailure(context, name, `a call to ${name}`, error);
      return [name, entry.explaining(entry.client(store), explain)] as const;
    }),
  );
  const client = <K extends ServiceName>(name: K): ServiceClients[K] =>
    (clients.get(name) as ServiceClients[K] | undefined) ?? missing(context, name, names, state?.runner);
  let closing: Promise<void> | undefined;
  const env = {
    context,
    storeSet: storeSetOf(context, held.id, names, state?.runner),
    services: names,
    client,
    // Twice is once: a store set given back twice would reach two test files.
    close: () => (closing ??= close()),
  };
  for (const name of SERVICE_NAMES) {
    for (const [field, accessor] of Object.entries(service(name).accessors)) {
      Object.defineProperty(env, field, { enumerable: true, get: () => accessor(client(name)) });
    }
  }
  retireEnvironmentNames(env, env.storeSet);
  Object.freeze(env.storeSet);
  storesByEnvironment.set(env, stores);
  return env as unknown as TestEnvironment<S>;
}

const PREPARE_FIX =
  "this is the package's own step, before any test: run again; if it repeats, run fewer runner workers " +
  "(--maxWorkers) and read the service's log (npx campaign-testenv logs, or DEBUG=testcontainers*).";
const CLEAN_FIX =
  "a test may still hold a transaction or a lock (cleanTestData waits for writers to finish) or have " +
  "changed a store's schema; end them in the test, or read the reason above.";

/**
 * A failure of the package's own step on a service, as the package's error: the service, its image,
 * the step, the reason and the fix (a ServiceError), unless it is one of the package's errors already.
 */
function named(
  context: EnvironmentContext,
  name: ServiceName,
  step: string,
  error: unknown,
  fix: string,
): unknown {
  if (error instanceof CampaignTestenvError) return error;
  return new ServiceError({
    runId: context.runId,
    service: name,
    image: context[name]?.image ?? "?",
    step,
    reason: reasonOf(error),
    fix,
    logTail: [],
    cause: error,
  });
}

/** Each test environment's stores, which its clients reach and `resetStores` resets. */
const storesByEnvironment = new WeakMap<object, Map<ServiceName, object>>();

function storesOf(env: TestEnvironment): Map<ServiceName, object> {
  const held = storesByEnvironment.get(env);
  if (held) return held;
  throw new CampaignTestenvError(
    "campaign-testenv: cleanTestData takes what setupTestEnvironment returned; pass that environment.",
  );
}

/**
 * Brings every store of a test environment back to its state right after setup, each as its service
 * says (what `cleanTestData` runs); a failure on a stopped container is a ServiceDownError.
 */
export async function resetStores(env: TestEnvironment): Promise<void> {
  await Promise.all([...storesOf(env).keys()].map((name) => resetStore(env, name)));
}

/** One service's part of `resetStores` (the bench times each alone). */
export async function resetStore(env: TestEnvironment, name: ServiceName): Promise<void> {
  const store = storesOf(env).get(name);
  if (!store) throw new CampaignTestenvError(`campaign-testenv: this test environment has no ${name} store.`);
  await service(name)
    .reset(store, env.context[name]!)
    .catch(async (error: unknown) => {
      const step = `cleaning store set ${env.storeSet.id}`;
      throw named(env.context, name, step, await explainFailure(env.context, name, step, error), CLEAN_FIX);
    });
}

/** Closes the clients and gives the store set back; the containers belong to the global teardown. */
export async function teardownTestEnvironment(env: { close(): Promise<void> } | undefined): Promise<void> {
  await env?.close();
}
