import { Redis } from "ioredis";
import { type Db, MongoClient } from "mongodb";
import { Client, Pool } from "pg";
import { type EnvironmentContext, readContext } from "./context";
import type { ServiceName } from "./options";
import {
  type AwsClients,
  type AwsResources,
  awsClients,
  createAwsResources,
  destroyAwsClients,
  resetAwsResources,
} from "./services/aws";
import { createCollections } from "./services/mongo";
import { quoteIdent } from "./services/postgres";
import { REDIS_DATABASES } from "./services/redis";

/** Where one Jest worker's data lives inside the shared containers. */
export interface WorkerStores {
  /** JEST_WORKER_ID: 1..N. */
  id: number;
  postgresDatabase: string;
  mongoDatabase: string;
  redisDb: number;
  /** Prepended to the name of every bucket, queue and topic this worker uses. */
  awsPrefix: string;
}

export function workerStores(id: number): WorkerStores {
  if (!Number.isInteger(id) || id < 1 || id >= REDIS_DATABASES) {
    throw new Error(
      `campaign-testenv: worker id ${id} is out of range 1..${REDIS_DATABASES - 1}; run Jest with fewer workers (--maxWorkers).`,
    );
  }
  return {
    id,
    postgresDatabase: `campaign_w${id}`,
    mongoDatabase: `campaign_w${id}`,
    redisDb: id,
    awsPrefix: `w${id}-`,
  };
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
  readonly pg: Pool;
  readonly mongoClient: MongoClient;
  readonly mongo: Db;
  readonly redis: Redis;
  readonly aws: AwsClients & { resources: AwsResources };
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
  if (missing.length > 0) throw missingServices(missing, context);
  const worker = workerStores(options.workerId ?? Number(process.env.JEST_WORKER_ID ?? 1));

  const [pg, mongoClient, redis, aws] = await Promise.all([
    context.postgres && provisionPostgres(context, worker),
    context.mongo && provisionMongo(context, worker),
    context.redis && provisionRedis(context, worker),
    context.aws && provisionAws(context, worker),
  ]);
  const need = <T>(service: ServiceName, value: T | undefined): T => {
    if (value === undefined) throw missingServices([service], context);
    return value;
  };
  return {
    context,
    worker,
    get pg() {
      return need("postgres", pg);
    },
    get mongoClient() {
      return need("mongo", mongoClient);
    },
    get mongo() {
      return need("mongo", mongoClient).db(worker.mongoDatabase);
    },
    get redis() {
      return need("redis", redis);
    },
    get aws() {
      return need("aws", aws);
    },
    async close() {
      if (aws) destroyAwsClients(aws);
      redis?.disconnect();
      await Promise.all([pg?.end(), mongoClient?.close()]);
    },
  };
}

/** Closes the clients; the containers belong to globalTeardown. */
export async function teardownTestEnvironment(env: TestEnvironment | undefined): Promise<void> {
  await env?.close();
}

function missingServices(missing: ServiceName[], context: EnvironmentContext): Error {
  return new Error(
    `campaign-testenv: this test needs ${missing.join(", ")}, but the environment was started with ` +
      `${context.services.join(", ")} only. Add ${missing.join(", ")} to CAMPAIGN_TESTENV_SERVICES ` +
      `(or the services option of the Jest globals.campaignTestenv).`,
  );
}

async function provisionPostgres(context: EnvironmentContext, worker: WorkerStores): Promise<Pool> {
  const { host, port, user, password, templateDatabase } = context.postgres!;
  const admin = new Client({ host, port, user, password, database: "postgres" });
  await admin.connect();
  try {
    // FORCE: a previous test file of this worker may have left its pool open.
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(worker.postgresDatabase)} WITH (FORCE)`);
    await admin.query(
      `CREATE DATABASE ${quoteIdent(worker.postgresDatabase)} TEMPLATE ${quoteIdent(templateDatabase)}`,
    );
  } finally {
    await admin.end();
  }
  const pool = new Pool({ host, port, user, password, database: worker.postgresDatabase, max: 20 });
  // A later setup in this worker drops the database under an unclosed pool; that is expected, not a crash.
  pool.on("error", () => undefined);
  return pool;
}

async function provisionMongo(context: EnvironmentContext, worker: WorkerStores): Promise<MongoClient> {
  const { uri, spec, validators } = context.mongo!;
  const client = await new MongoClient(uri).connect();
  const db = client.db(worker.mongoDatabase);
  await db.dropDatabase();
  await createCollections(db, spec, validators);
  return client;
}

async function provisionRedis(context: EnvironmentContext, worker: WorkerStores): Promise<Redis> {
  const { host, port, password } = context.redis!;
  const redis = new Redis({ host, port, password, db: worker.redisDb, lazyConnect: true });
  await redis.connect();
  await redis.flushdb();
  return redis;
}

async function provisionAws(
  context: EnvironmentContext,
  worker: WorkerStores,
): Promise<AwsClients & { resources: AwsResources }> {
  const clients = awsClients(context.aws!);
  // Secrets are read-only configuration, shared by all workers; everything tests write to is per worker.
  const { spec } = context.aws!;
  const resources = await createAwsResources(clients, { ...spec, secrets: [] }, worker.awsPrefix);
  resources.secrets = Object.fromEntries(spec.secrets.map((s) => [s.name, s.name]));
  const aws = { ...clients, resources };
  await resetAwsResources(aws, spec);
  return aws;
}
