// `jest --maxWorkers=N` is safe: several store sets get the same ids written into the same containers at
// the same time, and each reads back only its own data. Test files are simulated in this one process by
// claiming four store sets at once (many runner workers: __tests__/many-workers.test.ts).
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { testData } from "../fixtures/test-data";
import {
  cleanTestData,
  seedTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "../src";

const SETS = 4;
// The same ids in every store set: a fixture campaign, a call, a Redis key, an S3 key.
const CAMPAIGN_ID = testData.tables.campaigns[0].id;
const CALL_ID = "7e57da7a-0000-4000-8000-000000000001";
const REDIS_KEY = "campaign:active-calls";
const S3_KEY = "isolation/probe.txt";

let envs: TestEnvironment[] = [];
beforeAll(async () => {
  const settled = await Promise.allSettled(
    Array.from({ length: SETS }, () =>
      setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] }),
    ),
  );
  envs = settled.flatMap((s) => (s.status === "fulfilled" ? [s.value] : []));
  const failed = settled.find((s) => s.status === "rejected");
  if (failed) throw (failed as PromiseRejectedResult).reason;
});
afterAll(() => Promise.all(envs.map((env) => teardownTestEnvironment(env))));

const payloadOf = (env: TestEnvironment) => `written by store set ${env.storeSet.id}`;
const bucket = (env: TestEnvironment) => env.aws.resources.buckets["uploads"];
const dialTasks = (env: TestEnvironment) => env.aws.resources.queues["dial-tasks"].url;

/** Writes this store set's payload under the shared ids, in every store at once. */
async function writeSameIds(env: TestEnvironment): Promise<void> {
  const payload = payloadOf(env);
  await Promise.all([
    env.postgres.query("UPDATE campaigns SET name = $1 WHERE id = $2", [payload, CAMPAIGN_ID]),
    env.mongo
      .collection("event_logs")
      .insertOne({ type: "isolation.probe", callId: CALL_ID, payload: { payload }, createdAt: new Date() }),
    env.redis.set(REDIS_KEY, payload),
    env.aws.s3.send(new PutObjectCommand({ Bucket: bucket(env), Key: S3_KEY, Body: payload })),
    env.aws.sqs.send(
      new SendMessageCommand({
        QueueUrl: dialTasks(env),
        MessageBody: JSON.stringify({ callId: CALL_ID, payload }),
      }),
    ),
  ]);
}

/** What this store set sees under the shared ids (the queue is only counted, not consumed). */
async function readSameIds(env: TestEnvironment) {
  const [campaigns, events, redis, object, queue] = await Promise.all([
    env.postgres.query<{ name: string }>("SELECT name FROM campaigns WHERE id = $1", [CAMPAIGN_ID]),
    env.mongo.collection("event_logs").find({ callId: CALL_ID }).toArray(),
    env.redis.get(REDIS_KEY),
    env.aws.s3
      .send(new GetObjectCommand({ Bucket: bucket(env), Key: S3_KEY }))
      .then((o) => o.Body!.transformToString())
      .catch((error: Error) => (error.name === "NoSuchKey" ? null : Promise.reject(error))),
    env.aws.sqs.send(
      new GetQueueAttributesCommand({
        QueueUrl: dialTasks(env),
        AttributeNames: ["ApproximateNumberOfMessages"],
      }),
    ),
  ]);
  return {
    campaignNames: campaigns.rows.map((r) => r.name),
    eventPayloads: events.map((e) => (e.payload as { payload: string }).payload),
    redis,
    object,
    queued: Number(queue.Attributes?.ApproximateNumberOfMessages),
  };
}

test("each store set gets its own database, Redis db, Mongo database and AWS names", () => {
  const names = envs.map((env) => env.storeSet);
  for (const key of [
    "postgresDatabase",
    "mongoDatabase",
    "redisDb",
    "awsAccount",
    "awsBucketPrefix",
  ] as const) {
    expect(new Set(names.map((w) => w[key])).size).toBe(SETS);
  }
  expect(new Set(envs.map(bucket)).size).toBe(SETS);
  expect(new Set(envs.map(dialTasks)).size).toBe(SETS);
});

test("store sets written with the same ids at the same time each read back only their own data", async () => {
  // The same fixture primary keys in every store set at once: one shared database would reject them.
  await Promise.all(envs.map((env) => cleanTestData(env)));
  await Promise.all(envs.map((env) => seedTestData(env)));
  await Promise.all(envs.map(writeSameIds));

  for (const env of envs) {
    const payload = payloadOf(env);
    await expect(readSameIds(env)).resolves.toEqual({
      campaignNames: [payload],
      eventPayloads: [payload],
      redis: payload,
      object: payload,
      queued: 1,
    });
    const { rows } = await env.postgres.query("SELECT count(*)::int AS n FROM campaigns");
    expect(rows[0].n).toBe(testData.tables.campaigns.length);
    await expect(env.mongo.collection("call_records").countDocuments()).resolves.toBe(
      testData.collections.call_records.length,
    );
  }

  // Cleaning one store set leaves every other one's data where it was.
  const [cleaned, ...others] = envs;
  await cleanTestData(cleaned);
  await expect(readSameIds(cleaned)).resolves.toEqual({
    campaignNames: [],
    eventPayloads: [],
    redis: null,
    object: null,
    queued: 0,
  });
  for (const env of others) {
    const payload = payloadOf(env);
    await expect(readSameIds(env)).resolves.toMatchObject({
      campaignNames: [payload],
      eventPayloads: [payload],
      redis: payload,
      object: payload,
    });
    const { Messages = [] } = await env.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: dialTasks(env), MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => JSON.parse(m.Body!))).toEqual([{ callId: CALL_ID, payload }]);
  }

  await Promise.all(others.map((env) => cleanTestData(env)));
});
