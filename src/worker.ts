import type { Redis } from "ioredis";
import type { Db, MongoClient } from "mongodb";
import type { Pool } from "pg";
import { CONTEXT_ENV, type EnvironmentContext, readContext } from "./context";
import { claimSlot, poolDir } from "./pool";
import { MissingServiceError, StartupFailedError } from "./errors";
import { explainFailure, explaining } from "./explain";
import { type ServiceName, type ServiceStores, service } from "./services";
import type { AwsStore } from "./services/aws";

/** Where one worker's data lives inside the shared containers: each started service names its store. */
export interface WorkerStores {
  /**
   * The number of this store set: a slot of the warm pool (21 and up), or the runner's worker id
   * (JEST_WORKER_ID, VITEST_POOL_ID) when the file built its own, or the `workerId` it asked for.
   */
  id: number;
  postgresDatabase?: string;
  mongoDatabase?: string;
  redisDb?: number;
  /** The worker's AWS account: its 12-digit access key. Queues, topics, tables... keep their names. */
  awsAccount?: string;
  /** Prepended to the worker's bucket names only: S3 has one namespace across accounts. */
  awsBucketPrefix?: string;
}

export interface SetupOptions {
  /** The services this test needs; a missing one fails here, with the fix, rather than mid-test. */
  services?: ServiceName[];
  /** Which store set to build and claim (1..63); default: one from the warm pool, or the runner's worker id. */
  workerId?: number;
  /** The environment to use; default the one globalSetup (or `campaign-testenv up`) wrote. */
  context?: EnvironmentContext;
}

/** Connected clients for this worker's isolated stores. Asking for a service that is not started throws. */
export interface TestEnvironment {
  context: EnvironmentContext;
  worker: WorkerStores;
  /** The services this test file has stores of: the ones it asked for, or every started one. */
  services: ServiceName[];
  /** This worker's store of any service, e.g. `env.store("postgres")`; the fields below are shortcuts. */
  store<K extends ServiceName>(name: K): ServiceStores[K];
  readonly pg: Pool;
  readonly mongoClient: MongoClient;
  readonly mongo: Db;
  readonly redis: Redis;
  readonly aws: AwsStore;
  /** Closes every client (the worker's data stays until the next setup or the end of the run). */
  close(): Promise<void>;
}

const WAIT_POLL_MS = 20;

/** A test that needs a service the environment was not started with fails at once, with the fix. */
function checkStarted(context: EnvironmentContext, needed: ServiceName[] | undefined): void {
  const missing = (needed ?? []).filter((s) => !context.services.includes(s));
  if (missing.length > 0) throw new MissingServiceError(missing, context.services);
}

/**
 * The context once every service in `needed` is ready. A runner's environment is still starting when
 * its first test files run; each waits here for what it needs only. A failed start fails it with the
 * start's own error.
 */
async function readyContext(needed: ServiceName[] | undefined): Promise<EnvironmentContext> {
  for (;;) {
    const context = readContext();
    checkStarted(context, needed);
    if (context.failure) throw new StartupFailedError(context.failure);
    if ((needed ?? context.services).every((name) => context[name] !== undefined)) return context;
    await new Promise((resolve) => setTimeout(resolve, WAIT_POLL_MS));
  }
}

/**
 * Claims this test file's stores, fresh: a PostgreSQL database cloned from the migrated template, a
 * Mongo database with the spec's collections, an empty Redis logical database, and an AWS account with
 * the spec's resources. Under a runner they usually come ready-made from the warm pool (a claim is a
 * few milliseconds); otherwise, or with an explicit `workerId`, they are built here.
 */
export async function setupTestEnvironment(options: SetupOptions = {}): Promise<TestEnvironment> {
  const context = options.context ?? (await readyContext(options.services));
  checkStarted(context, options.services);
  const names = (options.services ?? context.services).filter((name) => context[name] !== undefined);
  const claim =
    options.workerId === undefined && context.pooled
      ? claimSlot(poolDir(process.env[CONTEXT_ENV]!))
      : undefined;
  const id =
    options.workerId ?? claim?.slot ?? Number(process.env.JEST_WORKER_ID ?? process.env.VITEST_POOL_ID ?? 1);

  const worker: WorkerStores = { id };
  for (const name of names) Object.assign(worker, service(name).store(context[name], id));
  // A call that fails because a container stopped says so (ServiceDownError), not just "ECONNREFUSED".
  const opened = await Promise.allSettled(
    names.map(async (name) => {
      const explain = (error: unknown) => explainFailure(context, name, `a ${name} call`, error);
      const entry = service(name);
      const connect = async () => {
        const prepared = claim ? claim.prepared[name] : await entry.prepare(context[name], id);
        return entry.connect(context[name], id, prepared);
      };
      const client = await connect().catch(async (error: unknown) => {
        throw await explain(error);
      });
      return [name, explaining(client, explain)] as const;
    }),
  );
  const stores: Partial<ServiceStores> = Object.fromEntries(
    opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])),
  );
  const close = async () => {
    await Promise.all(
      Object.entries(stores).map(([name, store]) => service(name as ServiceName).close(store)),
    );
    claim?.release(); // the pool prepares it again for a later test file
  };
  const failed = opened.find((r) => r.status === "rejected");
  if (failed) {
    await close(); // nothing stays open behind a failed setup
    throw failed.reason;
  }

  const store = <K extends ServiceName>(name: K): ServiceStores[K] => {
    if (!(name in stores)) {
      throw context.services.includes(name)
        ? new MissingServiceError([name], context.services, names)
        : new MissingServiceError([name], context.services);
    }
    return stores[name]!;
  };
  let closed = false;
  return {
    context,
    worker,
    services: names,
    store,
    get pg() {
      return store("postgres");
    },
    get mongoClient() {
      return store("mongo").client;
    },
    get mongo() {
      return store("mongo").db;
    },
    get redis() {
      return store("redis");
    },
    get aws() {
      return store("aws");
    },
    async close() {
      if (closed) return; // a store given back twice would reach two test files
      closed = true;
      await close();
    },
  };
}

/** Closes the clients; the containers belong to globalTeardown. */
export async function teardownTestEnvironment(env: TestEnvironment | undefined): Promise<void> {
  await env?.close();
}
