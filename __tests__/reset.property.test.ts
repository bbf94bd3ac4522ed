// cleanTestData brings a store set back to exactly its state after prepare, whatever a test wrote:
// random rows (with rows a trigger changes and a cascade deletes, serial and identity sequences, a
// rolled-back insert, a table made in the test), documents, Redis keys, messages, objects and items,
// some through clients of the code's own. Checked against a full dump of every store, in every test of
// this file; reset.migrations.test.ts does the same in a second file.
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { PublishCommand } from "@aws-sdk/client-sns";
import {
  cleanTestData,
  markAwsAccountWritten,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
  waitFor,
} from "../src";
import type { AwsSdkClient } from "../src/services/aws/writes";
import {
  checkResets,
  closeOwnClients,
  type Dump,
  dump,
  expectBaseline,
  expectPristine,
  type OwnClients,
  ownClients,
  SCRATCH_TABLES,
  writes,
} from "./support/reset";

let env: TestEnvironment;
let own: OwnClients;
let baseline: Dump;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
  expectPristine(env, await dump(env)); // as the pool (or this setup) prepared it
  own = ownClients(env);
  await env.pg.query(SCRATCH_TABLES); // the file's own tables, as consumers make them
  await cleanTestData(env);
  baseline = await dump(env);
});
afterAll(async () => {
  await closeOwnClients(own);
  await teardownTestEnvironment(env);
});
beforeEach(() => cleanTestData(env));

test("random writes into every store: cleanTestData puts every store back as it was", async () => {
  await checkResets(env, baseline, writes(env), 40, own);
}, 120_000);

test("the same in the next test of the file, on what the last one left", async () => {
  await checkResets(env, baseline, writes(env), 20, own);
}, 120_000);

test("an AWS client the test did not pass to trackAwsClient is not seen, until markAwsAccountWritten", async () => {
  const { aws } = env.context;
  const untracked = new SQSClient({
    endpoint: aws!.endpoint,
    region: aws!.region,
    credentials: { accessKeyId: env.storeSet.awsAccount, secretAccessKey: aws!.secretAccessKey },
  });
  try {
    const QueueUrl = env.aws.resources.queues["crm-updates"].url;
    await untracked.send(new SendMessageCommand({ QueueUrl, MessageBody: "unseen" }));
    await cleanTestData(env);
    expect((await dump(env)).aws!.queues["crm-updates"]).toBe("1/0/0");
    markAwsAccountWritten(env.aws);
    await cleanTestData(env);
    await expectBaseline(env, baseline);
  } finally {
    untracked.destroy();
  }
});

test("a reset sends an AWS request only for what was written", async () => {
  let requests = 0;
  const count = { step: "build" as const, name: "countRequests" };
  const clients = [env.aws.sqs, env.aws.s3, env.aws.dynamodb] as unknown as AwsSdkClient[];
  for (const client of clients)
    client.middlewareStack.add((next) => (args) => (requests++, next(args)), count);
  try {
    await cleanTestData(env);
    expect(requests).toBe(0);
    const QueueUrl = env.aws.resources.queues["dial-tasks"].url;
    await env.aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "{}" }));
    requests = 0;
    await cleanTestData(env);
    expect(requests).toBe(1); // its purge
  } finally {
    for (const client of [env.aws.sqs, env.aws.s3, env.aws.dynamodb])
      client.middlewareStack.remove(count.name);
  }
  await expectBaseline(env, baseline);
});

test("what a Lambda function writes, where no client of the test sees it, is reset too", async () => {
  if (!env.context.aws!.capabilities.lambda.ok) {
    expect(env.aws.resources.functions).toEqual({}); // this flavour runs none, and says why
    return;
  }
  // optout-events feeds the optout-sync queue, whose function sends an update to crm-updates.
  const optOut = {
    type: "optout.created",
    phone: "+15550001111",
    source: "sms_stop",
    at: new Date().toISOString(),
  };
  const TopicArn = env.aws.resources.topics["optout-events"];
  await env.aws.sns.send(new PublishCommand({ TopicArn, Message: JSON.stringify(optOut) }));
  await waitFor(async () => (await dump(env)).aws!.queues["crm-updates"] !== "0/0/0", {
    timeoutMs: 20_000,
    message: "the function's CRM update",
  });
  await cleanTestData(env);
  await expectBaseline(env, baseline);
  await cleanTestData(env);
  await expectBaseline(env, baseline);
}, 60_000);
