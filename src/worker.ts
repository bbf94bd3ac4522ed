import type { Redis } from "ioredis";
import type { Db, MongoClient } from "mongodb";
import type { Pool } from "pg";
import { type EnvironmentContext, readContext } from "./context";
import { MissingServiceError } from "./errors";
import { explainFailure, explaining } from "./explain";
import { type ServiceName, type ServiceStores, service } from "./services";
import type { AwsStore } from "./services/aws";

/** Where one worker's data lives inside the shared containers: each started service names its store. */
export interface WorkerStores {
  /** The worker's id (JEST_WORKER_ID, VITEST_POOL_ID): 1..N. */
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
  /** Which worker's stores to claim; default JEST_WORKER_ID (1 outside Jest). */
  workerId?: number;
  /** The environment to use; default the one globalSetup (or `campaign-testenv up`) wrote. */
  context?: EnvironmentContext;
}

/** Connected clients for this worker's isolated stores. Asking for a service that is not started throws. */
export interface TestEnvironment {
  context: EnvironmentContext;
  worker: WorkerStores;
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

/**
 * Claims this worker's stores, fresh: a PostgreSQL database cloned from the migrated template, a Mongo
 * database with the spec's collections, an empty Redis logical database, and prefixed AWS resources.
 */
export async function setupTestEnvironment(options: SetupOptions = {}): Promise<TestEnvironment> {
  const context = options.context ?? readContext();
  const missing = (options.services ?? []).filter((s) => !context.services.includes(s));
  if (missing.length > 0) throw new MissingServiceError(missing, context.services);
  const id = options.workerId ?? Number(process.env.JEST_WORKER_ID ?? 1);

  const worker: WorkerStores = { id };
  for (const name of context.services) Object.assign(worker, service(name).store(context[name], id));
  // A call that fails because a container stopped says so (ServiceDownError), not just "ECONNREFUSED".
  const opened = await Promise.allSettled(
    context.services.map(async (name) => {
      const explain = (error: unknown) => explainFailure(context, name, `a ${name} call`, error);
      const client = await service(name)
        .provision(context[name], id)
        .catch(async (error: unknown) => {
          throw await explain(error);
        });
      return [name, explaining(client, explain)] as const;
    }),
  );
  const stores: Partial<ServiceStores> = Object.fromEntries(
    opened.flatMap((r) => (r.status === "fulfilled" ? [r.value] : [])),
  );
  const close = () =>
    Promise.all(
      Object.entries(stores).map(([name, store]) => service(name as ServiceName).close(store)),
    ).then(() => undefined);
  const failed = opened.find((r) => r.status === "rejected");
  if (failed) {
    await close(); // nothing stays open behind a failed setup
    throw failed.reason;
  }

  const store = <K extends ServiceName>(name: K): ServiceStores[K] => {
    if (!(name in stores)) throw new MissingServiceError([name], context.services);
    return stores[name]!;
  };
  return {
    context,
    worker,
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
    close,
  };
}

/** Closes the clients; the containers belong to globalTeardown. */
export async function teardownTestEnvironment(env: TestEnvironment | undefined): Promise<void> {
  await env?.close();
}
