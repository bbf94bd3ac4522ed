// The reference consumer suite's test file, whatever provides its stores (the package, or the recipe a
// team would write instead, bench/recipe): set up once, reset before the test, then a write and a read in
// each of the four stores, each read checked against what this file wrote. Each file appends what the
// bench reads to BENCH_SUITE_LOG: when its first test started, how long loading its drivers, its setup and
// its reset took, and its collisions.
//
// A collision is a read, in this file's test, that another test file spoiled: it holds another file's
// data (a row, a document, the Redis value, a message it wrote), or it lacks this file's own write (which
// another file's reset emptied or another file's receive took). Only test files write these stores, so
// any difference from this file's own write is one. The test counts its collisions before asserting.
import type { SQSClient } from "@aws-sdk/client-sqs";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import type { Redis } from "ioredis";
import type { Db } from "mongodb";
import type { Pool } from "pg";
import { record } from "./log";

export interface Stores {
  postgres: Pool;
  mongo: Db;
  redis: Redis;
  sqs: SQSClient;
  queueUrl: string;
}

export interface Lifecycle<E> {
  setup(): Promise<E>;
  reset(env: E): Promise<void>;
  teardown(env: E): Promise<void>;
  stores(env: E): Stores;
}

/** Each store's read, and what it holds when nothing but this file wrote. */
async function writeAndRead(file: string, stores: Stores) {
  const { postgres, mongo, redis, sqs, queueUrl: QueueUrl } = stores;
  const email = `${file}@example.test`;
  await postgres.query(
    "INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, 'analyst', 'x')",
    [email, file],
  );
  const { rows } = await postgres.query<{ email: string }>("SELECT email FROM users");
  await mongo
    .collection("event_logs")
    .insertOne({ type: "bench", payload: { name: file }, createdAt: new Date() });
  const documents = await mongo.collection("event_logs").find().toArray();
  await redis.set("bench", file);
  const value = await redis.get("bench");
  await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: file }));
  const { Messages = [] } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }));
  return {
    postgres: { read: rows.map((r) => r.email), own: [email] },
    mongo: { read: documents.map((d) => (d.payload as { name?: string } | undefined)?.name), own: [file] },
    redis: { read: [value], own: [file] },
    sqs: { read: Messages.map((m) => m.Body), own: [file] },
  };
}

/** The stores whose read is not exactly this file's own write. */
export const collisionsOf = (reads: Record<string, { read: unknown[]; own: unknown[] }>): string[] =>
  Object.entries(reads)
    .filter(([, { read, own }]) => JSON.stringify(read) !== JSON.stringify(own))
    .map(([store]) => store);

export function referenceFile<E>(name: string, lifecycle: Lifecycle<E>): void {
  let env: E;
  let setupMs = 0;
  let resetMs = 0;
  let driversMs = 0;
  beforeAll(async () => {
    // The drivers first, as a test file that imports them loads them: the package loads them on first
    // use, into each file's own module registry. The setup then times the claim and the connections.
    const loading = performance.now();
    for (const driver of ["pg", "mongodb", "ioredis"]) require(driver);
    driversMs = performance.now() - loading;
    const started = performance.now();
    env = await lifecycle.setup();
    setupMs = performance.now() - started;
  }, 180_000);
  afterAll(() => lifecycle.teardown(env));
  beforeEach(async () => {
    const started = performance.now();
    await lifecycle.reset(env);
    resetMs = performance.now() - started;
  });

  test(`${name}: a write and a read in each store`, async () => {
    const firstTestAt = Date.now();
    const reads = await writeAndRead(name, lifecycle.stores(env));
    const collisions = collisionsOf(reads);
    record({ file: name, firstTestAt, setupMs, resetMs, collisions, driversMs });
    for (const { read, own } of Object.values(reads)) expect(read).toEqual(own);
  });
}
