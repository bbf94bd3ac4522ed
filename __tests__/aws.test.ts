// The AWS role on the flavour this run started (CAMPAIGN_TESTENV_AWS_FLAVOUR; CI runs it on both): each
// store set is an AWS account of its own, with production names; the DynamoDB locks table; the Lambda
// function and its queue trigger. What the image lacks is reported with its reason, and that report is
// what these tests check on it: nothing is skipped.
import { DescribeTimeToLiveCommand, PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import { PublishCommand } from "@aws-sdk/client-sns";
import { GetQueueAttributesCommand, ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { acquireLock, type LockTable, releaseLock } from "../src/campaign";
import { docker } from "../src/docker";
import { socketLack } from "../src/services/aws/localstack";
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
  waitFor,
} from "../src";

// Two store sets in this one file: two accounts side by side.
let envs: TestEnvironment<"aws">[] = [];
beforeAll(async () => {
  envs = await Promise.all([1, 2].map(() => setupTestEnvironment({ services: ["aws"] })));
});
afterAll(() => Promise.all(envs.map((env) => teardownTestEnvironment(env))));
beforeEach(() => Promise.all(envs.map((env) => cleanTestData(env))));

const waiting = async (env: TestEnvironment, queue: string) => {
  const { Attributes } = await env.aws.sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: env.aws.resources.queues[queue].url,
      AttributeNames: ["ApproximateNumberOfMessages"],
    }),
  );
  return Number(Attributes!.ApproximateNumberOfMessages);
};

/**
 * A test of what the image may lack: where it has the capability, `fn` runs; where it lacks it, the
 * test checks that the context gives the image's own reason (its `campaign-testenv.lacks.<capability>`
 * label; else, on an engine reached over the network, LocalStack's reason for Lambda) and that nothing
 * of it was created.
 */
const testOf = (
  capability: "dynamodb" | "lambda",
  name: string,
  fn: () => Promise<void>,
  timeoutMs?: number,
) =>
  test(
    `${name} (where the image lacks ${capability}: the reason, and nothing created)`,
    async () => {
      const { ok, reason } = envs[0].context.aws.capabilities[capability];
      if (ok) return fn();
      const { image } = envs[0].context.aws;
      const labels = (await (await docker()).getImage(image).inspect()).Config.Labels ?? {};
      expect(reason).toBe(labels[`campaign-testenv.lacks.${capability}`] ?? socketLack(false, undefined));
      expect(envs[0].aws.resources[capability === "dynamodb" ? "tables" : "functions"]).toEqual({});
    },
    timeoutMs,
  );

describe("accounts", () => {
  test("each store set signs as its own 12-digit account; queues, topics and tables keep their names", () => {
    expect(envs[0].storeSet.awsAccount).not.toBe(envs[1].storeSet.awsAccount);
    for (const env of envs) {
      const account = String(env.storeSet.id).padStart(12, "0");
      expect(env.storeSet.awsAccount).toBe(account);
      const { queues, topics, buckets } = env.aws.resources;
      expect(queues["dial-tasks"]).toMatchObject({
        name: "dial-tasks",
        arn: `arn:aws:sqs:us-east-1:${account}:dial-tasks`,
      });
      expect(topics["call-events"]).toBe(`arn:aws:sns:us-east-1:${account}:call-events`);
      // S3 bucket names are one namespace across accounts, as in AWS: only they carry the store set.
      expect(buckets["reports"]).toBe(`s${env.storeSet.id}-reports`);
    }
  });

  test("a message one account sends is not in the other's queue of the same name", async () => {
    const [first, second] = envs;
    await first.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: first.aws.resources.queues["dial-tasks"].url, MessageBody: "{}" }),
    );
    await waitFor(async () => (await waiting(first, "dial-tasks")) === 1, {
      message: "the message in account 1",
    });
    expect(await waiting(second, "dial-tasks")).toBe(0);
  });

  test("cleanTestData of one store set leaves the other's data alone", async () => {
    const [first, second] = envs;
    await second.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: second.aws.resources.queues["dial-tasks"].url, MessageBody: "{}" }),
    );
    await cleanTestData(first);
    await waitFor(async () => (await waiting(second, "dial-tasks")) === 1, {
      message: "the other's message",
    });
  });

  test("secrets are in every account under their production names", () => {
    for (const env of envs)
      expect(Object.keys(env.aws.resources.secrets)).toContain("campaign-testenv/api-keys");
  });
});

describe("DynamoDB locks table", () => {
  const locksOf = (env: TestEnvironment): LockTable => ({
    dynamodb: env.aws.dynamodb,
    table: env.aws.resources.tables["distributed-locks"],
  });

  testOf("dynamodb", "has its production name and DynamoDB's TTL on expiresAt", async () => {
    const [env] = envs;
    expect(env.aws.resources.tables["distributed-locks"]).toBe("distributed-locks");
    const { TimeToLiveDescription } = await env.aws.dynamodb.send(
      new DescribeTimeToLiveCommand({ TableName: "distributed-locks" }),
    );
    expect(TimeToLiveDescription).toMatchObject({ AttributeName: "expiresAt", TimeToLiveStatus: "ENABLED" });
  });

  testOf("dynamodb", "of 50 contenders at once, exactly one holds the lock", async () => {
    const locks = locksOf(envs[0]);
    const won = await Promise.all(
      Array.from({ length: 50 }, (_, i) =>
        acquireLock(locks, { lockId: "campaign:42:dialer", owner: `dialer-${i}`, ttlMs: 30_000 }),
      ),
    );
    expect(won.filter(Boolean)).toHaveLength(1);
  });

  testOf("dynamodb", "only the holder can release it; then the next contender gets it", async () => {
    const locks = locksOf(envs[0]);
    const lock = { lockId: "campaign:7:report", ttlMs: 30_000 };
    expect(await acquireLock(locks, { ...lock, owner: "a" })).toBe(true);
    expect(await releaseLock(locks, { lockId: lock.lockId, owner: "b" })).toBe(false);
    expect(await acquireLock(locks, { ...lock, owner: "b" })).toBe(false);
    expect(await releaseLock(locks, { lockId: lock.lockId, owner: "a" })).toBe(true);
    expect(await acquireLock(locks, { ...lock, owner: "b" })).toBe(true);
  });

  testOf("dynamodb", "an expired lock is taken over at once, before any TTL sweep", async () => {
    const locks = locksOf(envs[0]);
    const now = Date.now();
    expect(await acquireLock(locks, { lockId: "l", owner: "a", ttlMs: 1000, now })).toBe(true);
    expect(await acquireLock(locks, { lockId: "l", owner: "b", ttlMs: 1000, now: now + 500 })).toBe(false);
    expect(await acquireLock(locks, { lockId: "l", owner: "b", ttlMs: 1000, now: now + 2000 })).toBe(true);
  });

  testOf(
    "dynamodb",
    "each account has its own table; cleanTestData empties only the store set's",
    async () => {
      const [first, second] = envs;
      const put = (env: TestEnvironment) =>
        env.aws.dynamodb.send(
          new PutItemCommand({
            TableName: "distributed-locks",
            Item: { lockId: { S: "x" }, owner: { S: String(env.storeSet.id) } },
          }),
        );
      await Promise.all([put(first), put(second)]);
      await cleanTestData(first);
      const count = async (env: TestEnvironment) =>
        (await env.aws.dynamodb.send(new ScanCommand({ TableName: "distributed-locks" }))).Count;
      expect(await count(first)).toBe(0);
      expect(await count(second)).toBe(1);
    },
  );
});

describe("Lambda", () => {
  const optOut = {
    type: "optout.created",
    phone: "+15550001111",
    source: "sms_stop",
    at: "2025-06-01T12:00:00.000Z",
  };
  const receiveCrmUpdate = (env: TestEnvironment) =>
    waitFor(
      async () =>
        (
          await env.aws.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: env.aws.resources.queues["crm-updates"].url,
              WaitTimeSeconds: 1,
            }),
          )
        ).Messages?.[0],
      { timeoutMs: 20_000, message: "the CRM update the function sends" },
    );

  testOf(
    "lambda",
    "the function is deployed in each account from its source, and answers an invocation",
    async () => {
      const [env] = envs;
      expect(env.aws.resources.functions["optout-sync"]).toBe(
        `arn:aws:lambda:us-east-1:${env.storeSet.awsAccount}:function:optout-sync`,
      );
      const { FunctionError, Payload } = await env.aws.lambda.send(
        new InvokeCommand({
          FunctionName: "optout-sync",
          Payload: JSON.stringify({ Records: [{ body: JSON.stringify(optOut) }] }),
        }),
      );
      expect(FunctionError).toBeUndefined();
      expect(JSON.parse(Buffer.from(Payload!).toString())).toEqual({ synced: 1 });
      const message = await receiveCrmUpdate(env);
      expect(JSON.parse(message.Body!)).toEqual({
        action: "do-not-contact",
        phone: optOut.phone,
        source: "sms_stop",
        at: optOut.at,
      });
    },
  );

  testOf(
    "lambda",
    "an opt-out published on the topic reaches the function through its queue trigger",
    async () => {
      const [, env] = envs;
      await env.aws.sns.send(
        new PublishCommand({
          TopicArn: env.aws.resources.topics["optout-events"],
          Message: JSON.stringify(optOut),
        }),
      );
      const message = await receiveCrmUpdate(env);
      expect(JSON.parse(message.Body!)).toMatchObject({ action: "do-not-contact", phone: optOut.phone });
    },
    30_000,
  );
});
