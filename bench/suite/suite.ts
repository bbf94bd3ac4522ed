// The reference consumer suite of `npm run bench`: ten files like a consumer's, each touching all four
// stores, run end to end by Jest and by Vitest (both with globals). Each file appends what the bench
// reads to BENCH_SUITE_LOG: when its first test started, and how long its setupTestEnvironment took.
import { appendFileSync } from "node:fs";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";

const record = (entry: object) => {
  if (process.env.BENCH_SUITE_LOG) appendFileSync(process.env.BENCH_SUITE_LOG, `${JSON.stringify(entry)}\n`);
};

export function suiteFile(name: string): void {
  let env: TestEnvironment;
  let setupMs = 0;
  beforeAll(async () => {
    const started = performance.now();
    env = await setupTestEnvironment();
    setupMs = performance.now() - started;
  }, 180_000);
  afterAll(() => teardownTestEnvironment(env));
  beforeEach(() => cleanTestData(env));

  test(`${name}: a write and a read in each store`, async () => {
    record({ file: name, firstTestAt: Date.now(), setupMs });
    await env.postgres.query(
      "INSERT INTO users (email, name, role, password_hash) VALUES ($1, $2, 'analyst', 'x')",
      [`${name}@example.test`, name],
    );
    const { rows } = await env.postgres.query("SELECT email FROM users");
    expect(rows).toEqual([{ email: `${name}@example.test` }]);
    await env.mongo
      .collection("event_logs")
      .insertOne({ type: "bench", payload: { name }, createdAt: new Date() });
    expect(await env.mongo.collection("event_logs").countDocuments()).toBe(1);
    await env.redis.set("bench", name);
    expect(await env.redis.get("bench")).toBe(name);
    const QueueUrl = env.aws.resources.queues["dial-tasks"].url;
    await env.aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: name }));
    const { Messages = [] } = await env.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 1 }),
    );
    expect(Messages.map((m) => m.Body)).toEqual([name]);
  });
}
