// What the AWS write tracker makes a reset send, for what a test sent: the SDK clients are real, and a
// last middleware answers every request in place of an emulator and logs it.
import { createHash } from "node:crypto";
import path from "node:path";
import {
  BatchWriteItemCommand,
  DeleteItemCommand,
  PutItemCommand,
  ScanCommand,
  TransactWriteItemsCommand,
} from "@aws-sdk/client-dynamodb";
import { InvokeCommand } from "@aws-sdk/client-lambda";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  DeleteObjectsCommand,
  GetObjectCommand,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { PublishCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  DeleteMessageCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SetQueueAttributesCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { AWS_CLIENT_NAMES } from "../../src/services/aws/clients";
import type { AwsResources } from "../../src/services/aws/resources";
import { loadAwsResourcesSpec } from "../../src/services/aws/spec";
import { AwsStore, markAwsAccountWritten, trackAwsClient } from "../../src/services/aws/store";
import type { AwsSdkClient } from "../../src/services/aws/writes";

const spec = loadAwsResourcesSpec(path.join(__dirname, "../../fixtures"));
const ACCOUNT = "000000000007";
const byName = <T>(items: { name: string }[], value: (name: string) => T) =>
  Object.fromEntries(items.map(({ name }) => [name, value(name)]));
const resources: AwsResources = {
  buckets: byName(spec.buckets, (name) => `s7-${name}`),
  queues: byName(spec.queues, (name) => ({
    name,
    url: `http://localhost:4566/${ACCOUNT}/${name}`,
    arn: `arn:aws:sqs:us-east-1:${ACCOUNT}:${name}`,
  })),
  topics: byName(spec.topics, (name) => `arn:aws:sns:us-east-1:${ACCOUNT}:${name}`),
  secrets: {},
  tables: byName(spec.tables, (name) => name),
  functions: byName(spec.functions, (name) => `arn:aws:lambda:us-east-1:${ACCOUNT}:function:${name}`),
};
const url = (queue: string) => resources.queues[queue].url;

/** Every request the clients send, as "Command target", answered with an empty result. */
let sent: string[] = [];
function answerInPlace(client: unknown): void {
  (client as AwsSdkClient).middlewareStack.add(
    (_next, context) => async (args) => {
      const input = args.input as Record<string, unknown>;
      const target =
        input.QueueUrl ?? input.Bucket ?? input.TableName ?? input.TopicArn ?? input.FunctionName;
      sent.push(
        `${context.commandName!.replace(/Command$/, "")} ${String(target ?? "")
          .split("/")
          .pop()}`,
      );
      // SendMessage's answer carries its body's MD5, which the SQS client checks.
      const md5 =
        typeof input.MessageBody === "string"
          ? createHash("md5").update(input.MessageBody).digest("hex")
          : "";
      return { output: { $metadata: {}, MD5OfMessageBody: md5 } };
    },
    // After the tracker (which is at the same step, with normal priority).
    { step: "build", name: "answerInPlace", priority: "low" } as never,
  );
}

function storeSet() {
  const account = {
    endpoint: "http://127.0.0.1:9",
    region: "us-east-1",
    accessKeyId: ACCOUNT,
    secretAccessKey: "x",
  };
  const store = new AwsStore(account, resources, spec);
  // Each client is made when first read, with the store's tracker on it: this adds the answer after it.
  for (const name of AWS_CLIENT_NAMES) answerInPlace(store[name]);
  return store;
}

/** What the reset sends, after `writes`. */
async function resetAfter(
  store: ReturnType<typeof storeSet>,
  writes: () => Promise<unknown>,
): Promise<string[]> {
  await writes();
  sent = [];
  await store.reset();
  return [...sent].sort();
}

let store: ReturnType<typeof storeSet>;
beforeEach(() => {
  store = storeSet();
});

test("nothing written, or only read: the reset sends nothing", async () => {
  expect(await resetAfter(store, async () => undefined)).toEqual([]);
  const reads = async () => {
    await store.sqs.send(new GetQueueAttributesCommand({ QueueUrl: url("dial-tasks") }));
    await store.s3.send(new GetObjectCommand({ Bucket: resources.buckets.reports, Key: "x" }));
    await store.dynamodb.send(new ScanCommand({ TableName: "distributed-locks" }));
  };
  expect(await resetAfter(store, reads)).toEqual([]);
});

test("a message sent: that queue is purged; received: its dead-letter queue too", async () => {
  const send = () =>
    store.sqs.send(new SendMessageCommand({ QueueUrl: url("crm-updates"), MessageBody: "x" }));
  expect(await resetAfter(store, send)).toEqual(["PurgeQueue crm-updates"]);
  const receive = () => store.sqs.send(new ReceiveMessageCommand({ QueueUrl: url("dial-tasks") }));
  expect(await resetAfter(store, receive)).toEqual(["PurgeQueue dial-tasks", "PurgeQueue dial-tasks-dlq"]);
});

test("the reset's own requests are not writes: the next reset sends nothing", async () => {
  await resetAfter(store, () =>
    store.sqs.send(new SendMessageCommand({ QueueUrl: url("crm-updates"), MessageBody: "x" })),
  );
  expect(await resetAfter(store, async () => undefined)).toEqual([]);
});

test("objects: a sample written is put back, other keys are deleted, one request per bucket", async () => {
  const { reports, uploads } = resources.buckets;
  const sample = (bucket: string) => spec.buckets.find((b) => b.name === bucket)!.objects![0].key;
  const writes = async () => {
    await store.s3.send(new PutObjectCommand({ Bucket: reports, Key: sample("reports"), Body: "changed" }));
    await store.s3.send(
      new CopyObjectCommand({ Bucket: reports, Key: "copy", CopySource: `${reports}/${sample("reports")}` }),
    );
    await store.s3.send(new PutObjectCommand({ Bucket: uploads, Key: "a", Body: "x" }));
    await store.s3.send(
      new DeleteObjectsCommand({
        Bucket: uploads,
        Delete: { Objects: [{ Key: sample("uploads") }, { Key: "b" }] },
      }),
    );
  };
  expect(await resetAfter(store, writes)).toEqual([
    `DeleteObject ${reports}`,
    `DeleteObject ${uploads}`,
    `PutObject ${reports}`,
    `PutObject ${uploads}`,
  ]);
  expect(await resetAfter(store, async () => undefined)).toEqual([]); // its puts and deletes were not writes
});

test("what only takes away from what prepare left empty is not recorded", async () => {
  const sample = spec.buckets.find((b) => b.name === "reports")!.objects![0];
  const takeAway = async () => {
    await store.sqs.send(new DeleteMessageCommand({ QueueUrl: url("dial-tasks"), ReceiptHandle: "r" }));
    await store.sqs.send(new PurgeQueueCommand({ QueueUrl: url("crm-updates") }));
    await store.dynamodb.send(
      new DeleteItemCommand({ TableName: "distributed-locks", Key: { lockId: { S: "a" } } }),
    );
    await store.s3.send(new DeleteObjectCommand({ Bucket: resources.buckets.reports, Key: "not-a-sample" }));
    // A sample put back as it was.
    await store.s3.send(
      new PutObjectCommand({
        Bucket: resources.buckets.reports,
        Key: sample.key,
        Body: sample.body,
        ContentType: sample.contentType,
      }),
    );
  };
  expect(await resetAfter(store, takeAway)).toEqual([]);
});

test("items: the keys put are deleted in one request, whichever command put them", async () => {
  const item = (lockId: string) => ({ lockId: { S: lockId } });
  const writes = async () => {
    await store.dynamodb.send(new PutItemCommand({ TableName: "distributed-locks", Item: item("a") }));
    await store.dynamodb.send(
      new BatchWriteItemCommand({
        RequestItems: {
          "distributed-locks": [{ PutRequest: { Item: item("b") } }, { DeleteRequest: { Key: item("d") } }],
        },
      }),
    );
    await store.dynamodb.send(
      new TransactWriteItemsCommand({
        TransactItems: [
          { Update: { TableName: "distributed-locks", Key: item("c"), UpdateExpression: "SET n = :n" } },
          { Delete: { TableName: "distributed-locks", Key: item("e") } },
        ],
      }),
    );
  };
  const batches: unknown[] = [];
  store.dynamodb.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === "BatchWriteItemCommand") batches.push(args.input);
      return next(args);
    },
    { step: "initialize", name: "batches" },
  );
  expect(await resetAfter(store, writes)).toEqual(["BatchWriteItem "]);
  expect(batches.at(-1)).toEqual({
    RequestItems: { "distributed-locks": ["a", "b", "c"].map((k) => ({ DeleteRequest: { Key: item(k) } })) },
  });
});

test("a publish purges the topic's subscribed queues", async () => {
  const publish = () =>
    store.sns.send(new PublishCommand({ TopicArn: resources.topics["call-events"], Message: "x" }));
  expect(await resetAfter(store, publish)).toEqual(["PurgeQueue call-events-observer"]);
});

/** A whole reset: every queue's counts, every bucket listed (and its samples put, as none answer). */
const whole = () =>
  expect.arrayContaining([
    ...spec.queues.map((q) => `GetQueueAttributes ${q.name}`),
    ...Object.values(resources.buckets).map((b) => `ListObjectsV2 ${b}`),
    "Scan distributed-locks",
  ]);

test("a command it cannot scope, or markAwsAccountWritten: the next reset is whole, once", async () => {
  const attributes = () =>
    store.sqs.send(new SetQueueAttributesCommand({ QueueUrl: url("dial-tasks"), Attributes: {} }));
  expect(await resetAfter(store, attributes)).toEqual(whole());
  expect(await resetAfter(store, async () => undefined)).toEqual([]);
  expect(await resetAfter(store, async () => markAwsAccountWritten(store))).toEqual(whole());
});

test("a write that can run a Lambda function: resets are whole until its queue is idle", async () => {
  const publish = () =>
    store.sns.send(new PublishCommand({ TopicArn: resources.topics["optout-events"], Message: "x" }));
  // Answered in place, the queues look idle: the first whole reset ends it.
  expect(await resetAfter(store, publish)).toEqual(whole());
  expect(await resetAfter(store, async () => undefined)).toEqual([]);
  const invoke = () => store.lambda.send(new InvokeCommand({ FunctionName: "optout-sync" }));
  expect(await resetAfter(store, invoke)).toEqual(whole());
  expect(await resetAfter(store, async () => undefined)).toEqual([]);
});

test("an asynchronous invocation or a new subscription: every later reset is whole", async () => {
  const asynchronous = () =>
    store.lambda.send(new InvokeCommand({ FunctionName: "optout-sync", InvocationType: "Event" }));
  expect(await resetAfter(store, asynchronous)).toEqual(whole());
  expect(await resetAfter(store, async () => undefined)).toEqual(whole());
  const other = storeSet();
  const subscribe = () =>
    other.sns.send(new SubscribeCommand({ TopicArn: resources.topics["call-events"], Protocol: "sqs" }));
  expect(await resetAfter(other, subscribe)).toEqual(whole());
  expect(await resetAfter(other, async () => undefined)).toEqual(whole());
});

test("a client passed to trackAwsClient has its writes reset too; another client's are not seen", async () => {
  const config = { endpoint: "http://127.0.0.1:9", region: "us-east-1" };
  const credentials = { accessKeyId: ACCOUNT, secretAccessKey: "unused" };
  const tracked = trackAwsClient(store, new SQSClient({ ...config, credentials }));
  const untracked = new SQSClient({ ...config, credentials });
  answerInPlace(tracked);
  answerInPlace(untracked);
  const send = (client: SQSClient, queue: string) =>
    client.send(new SendMessageCommand({ QueueUrl: url(queue), MessageBody: "x" }));
  expect(await resetAfter(store, () => send(tracked, "crm-updates"))).toEqual(["PurgeQueue crm-updates"]);
  expect(await resetAfter(store, () => send(untracked, "crm-updates"))).toEqual([]);
});
