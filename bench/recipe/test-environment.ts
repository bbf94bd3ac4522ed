// The recipe's test helpers: clients on the services the global setup started (their connection details
// come in env vars), the one database every test file shares, and a cleanup between tests that empties
// what tests write: TRUNCATE of every table, each collection emptied, the Redis database flushed, each
// queue purged. Nothing keeps two test files apart: files running at once on two workers share it all.
import { ListQueuesCommand, PurgeQueueCommand, SQSClient } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";
import { type Db, MongoClient } from "mongodb";
import { Pool } from "pg";

export interface TestEnvironment {
  postgres: Pool;
  mongoClient: MongoClient;
  mongo: Db;
  redis: Redis;
  sqs: SQSClient;
  tables: string[];
  collections: string[];
  queueUrls: string[];
}

export async function setupTestEnvironment(): Promise<TestEnvironment> {
  const postgres = new Pool({ connectionString: process.env.DATABASE_URL });
  const mongoClient = await new MongoClient(process.env.MONGO_URL!).connect();
  const mongo = mongoClient.db(process.env.MONGO_DATABASE);
  const sqs = new SQSClient({ endpoint: process.env.AWS_ENDPOINT_URL }); // region and keys: AWS_* env vars
  const { rows } = await postgres.query<{ tablename: string }>(
    "SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
  );
  const collections = await mongo.listCollections().toArray();
  const { QueueUrls = [] } = await sqs.send(new ListQueuesCommand({}));
  return {
    postgres,
    mongoClient,
    mongo,
    redis: new Redis(process.env.REDIS_URL!),
    sqs,
    tables: rows.map((r) => r.tablename),
    collections: collections.map((c) => c.name),
    queueUrls: QueueUrls,
  };
}

export async function cleanTestData(env: TestEnvironment): Promise<void> {
  await Promise.all([
    env.postgres.query(`TRUNCATE ${env.tables.map((t) => `"${t}"`).join(", ")} RESTART IDENTITY CASCADE`),
    ...env.collections.map((name) => env.mongo.collection(name).deleteMany({})),
    env.redis.flushdb(),
    ...env.queueUrls.map((QueueUrl) => env.sqs.send(new PurgeQueueCommand({ QueueUrl }))),
  ]);
}

export async function teardownTestEnvironment(env: TestEnvironment): Promise<void> {
  await Promise.all([env.postgres.end(), env.mongoClient.close()]);
  env.redis.disconnect();
  env.sqs.destroy();
}
