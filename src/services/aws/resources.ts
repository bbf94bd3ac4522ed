import { createHash } from "node:crypto";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  type S3Client,
} from "@aws-sdk/client-s3";
import {
  type AttributeValue,
  BatchWriteItemCommand,
  CreateTableCommand,
  type DynamoDBClient,
  ResourceInUseException,
  ScanCommand,
  UpdateTimeToLiveCommand,
} from "@aws-sdk/client-dynamodb";
import {
  CreateEventSourceMappingCommand,
  CreateFunctionCommand,
  GetFunctionConfigurationCommand,
  type LambdaClient,
  ListEventSourceMappingsCommand,
  ResourceConflictException,
} from "@aws-sdk/client-lambda";
import {
  CreateSecretCommand,
  PutSecretValueCommand,
  ResourceExistsException,
} from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  type SQSClient,
} from "@aws-sdk/client-sqs";
import { FunctionFailedError } from "../../errors";
import type { AwsClients } from "./clients";
import { poll } from "../../poll";
import type { AwsResourcesSpec } from "./spec";
import { zipFolder } from "./zip";

/** How long a new function may stay Pending: LocalStack may be pulling a runtime image of ~200 MB. */
const FUNCTION_READY_MS = 180_000;

/** The created resources by their spec name: real names, queue URLs and ARNs. */
export interface AwsResources {
  buckets: Record<string, string>;
  queues: Record<string, { url: string; arn: string; name: string }>;
  topics: Record<string, string>;
  secrets: Record<string, string>;
  tables: Record<string, string>;
  functions: Record<string, string>;
}

/** Where resources go: the account (its access key), the bucket prefix, and what the emulator lacks. */
export interface AwsTarget {
  account: string;
  bucketPrefix: string;
  /** The filled secret values, by secret name; a secret without one is not created. */
  secretValues: Record<string, Record<string, string>>;
  /** The folder of the spec, which function sources are relative to. */
  specsDir: string;
  tables: boolean;
  functions: boolean;
}

/**
 * Creates the spec's resources in the clients' account and returns them. Every call is idempotent
 * (an existing resource with the same settings is returned as is), since an account is prepared again
 * each time its store set is; the sample objects are put by resetAwsResources, which callers run next.
 */
export async function createAwsResources(
  clients: AwsClients,
  spec: AwsResourcesSpec,
  target: AwsTarget,
): Promise<AwsResources> {
  const queues: AwsResources["queues"] = {};
  const createQueue = async (queue: AwsResourcesSpec["queues"][number]) => {
    const name = queue.name;
    const attributes: Record<string, string> = {};
    if (queue.visibilityTimeoutSeconds !== undefined) {
      attributes.VisibilityTimeout = String(queue.visibilityTimeoutSeconds);
    }
    if (queue.deadLetterQueue) {
      const dlq = queues[queue.deadLetterQueue];
      if (!dlq)
        throw new Error(
          `queue ${queue.name}: its dead-letter queue ${queue.deadLetterQueue} is not in the spec`,
        );
      attributes.RedrivePolicy = JSON.stringify({
        deadLetterTargetArn: dlq.arn,
        maxReceiveCount: queue.maxReceiveCount ?? 3,
      });
    }
    const { QueueUrl } = await clients.sqs.send(
      new CreateQueueCommand({ QueueName: name, Attributes: attributes }),
    );
    const { Attributes } = await clients.sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    queues[queue.name] = { url: QueueUrl!, arn: Attributes!.QueueArn!, name };
  };
  // Dead-letter queues first: a redrive policy needs its target's ARN.
  await Promise.all(spec.queues.filter((q) => !q.deadLetterQueue).map(createQueue));
  await Promise.all(spec.queues.filter((q) => q.deadLetterQueue).map(createQueue));

  const [buckets, topics, secrets, tables, functions] = await Promise.all([
    mapByName(spec.buckets, async (bucket) => {
      const name = target.bucketPrefix + bucket.name;
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    }),
    mapByName(spec.topics, async (topic) => {
      const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: topic.name }));
      await Promise.all(
        (topic.subscribeQueues ?? []).map((queueName) => {
          const queue = queues[queueName];
          if (!queue)
            throw new Error(`topic ${topic.name}: the queue ${queueName} it subscribes is not in the spec`);
          return clients.sns.send(
            new SubscribeCommand({
              TopicArn,
              Protocol: "sqs",
              Endpoint: queue.arn,
              // Observers receive the published message itself, not SNS's envelope around it.
              Attributes: { RawMessageDelivery: "true" },
            }),
          );
        }),
      );
      return TopicArn!;
    }),
    createSecrets(clients, spec, target.secretValues),
    mapByName(target.tables ? spec.tables : [], async (table) => {
      await createTable(clients.dynamodb, table);
      return table.name;
    }),
    mapByName(target.functions ? spec.functions : [], (fn) =>
      createFunction(clients.lambda, fn, queues, target),
    ),
  ]);
  return { buckets, queues, topics, secrets, tables, functions };
}

/** The spec's secrets that have a value (placeholders filled), in the clients' account; their ARNs by name. */
export function createSecrets(
  clients: AwsClients,
  spec: AwsResourcesSpec,
  secretValues: AwsTarget["secretValues"],
): Promise<Record<string, string>> {
  return mapByName(
    spec.secrets.filter((s) => secretValues[s.name]),
    async ({ name }) => {
      const SecretString = JSON.stringify(secretValues[name]);
      const created = await clients.secrets
        .send(new CreateSecretCommand({ Name: name, SecretString }))
        .catch((error: unknown) => {
          if (!(error instanceof ResourceExistsException)) throw error;
          return clients.secrets.send(new PutSecretValueCommand({ SecretId: name, SecretString }));
        });
      return created.ARN!;
    },
  );
}

async function createTable(dynamodb: DynamoDBClient, table: AwsResourcesSpec["tables"][number]) {
  try {
    await dynamodb.send(
      new CreateTableCommand({
        TableName: table.name,
        AttributeDefinitions: [{ AttributeName: table.partitionKey, AttributeType: "S" }],
        KeySchema: [{ AttributeName: table.partitionKey, KeyType: "HASH" }],
        BillingMode: "PAY_PER_REQUEST",
      }),
    );
  } catch (error) {
    if (error instanceof ResourceInUseException) return; // this account has it already
    throw error;
  }
  if (table.ttlAttribute) {
    await dynamodb.send(
      new UpdateTimeToLiveCommand({
        TableName: table.name,
        TimeToLiveSpecification: { AttributeName: table.ttlAttribute, Enabled: true },
      }),
    );
  }
}

async function createFunction(
  lambda: LambdaClient,
  fn: AwsResourcesSpec["functions"][number],
  queues: AwsResources["queues"],
  target: AwsTarget,
): Promise<string> {
  const source = path.join(target.specsDir, fn.source);
  const created = await lambda
    .send(
      new CreateFunctionCommand({
        FunctionName: fn.name,
        Runtime: fn.runtime as never, // the spec names any runtime the emulator knows
        Handler: fn.handler,
        Timeout: fn.timeoutSeconds,
        // The function's credentials come from this role (LocalStack assumes it): in the account's own
        // account, so that the function reads and writes that account's resources.
        Role: `arn:aws:iam::${target.account}:role/${fn.name}`,
        Code: { ZipFile: zipFolder(source) },
      }),
    )
    .catch((error: unknown) => {
      if (!(error instanceof ResourceConflictException)) throw error;
      return lambda.send(new GetFunctionConfigurationCommand({ FunctionName: fn.name })); // this account has it
    });
  await untilActive(lambda, fn.name);
  if (fn.eventSourceQueue) {
    const queue = queues[fn.eventSourceQueue];
    if (!queue)
      throw new Error(
        `function ${fn.name}: its event source queue ${fn.eventSourceQueue} is not in the spec`,
      );
    const { EventSourceMappings = [] } = await lambda.send(
      new ListEventSourceMappingsCommand({ FunctionName: fn.name, EventSourceArn: queue.arn }),
    );
    if (EventSourceMappings.length === 0) {
      await lambda.send(
        new CreateEventSourceMappingCommand({
          FunctionName: fn.name,
          EventSourceArn: queue.arn,
          BatchSize: fn.batchSize ?? 10,
        }),
      );
    }
  }
  return created.FunctionArn!;
}

/**
 * A new function is Pending until the emulator can run it (LocalStack pulls its runtime image then);
 * invoking it before is refused. Failed says why it never will be.
 */
async function untilActive(lambda: LambdaClient, name: string): Promise<void> {
  await poll(
    async () => {
      const { State, StateReason } = await lambda.send(
        new GetFunctionConfigurationCommand({ FunctionName: name }),
      );
      if (State === "Failed")
        throw new FunctionFailedError(`function ${name} failed: ${StateReason ?? "no reason given"}`);
      return State === "Pending" ? { done: false } : { done: true, value: undefined };
    },
    { timeoutMs: FUNCTION_READY_MS, intervalMs: 100 },
    () => new FunctionFailedError(`function ${name} was still Pending after ${FUNCTION_READY_MS / 1000} s`),
  );
}

async function mapByName<T extends { name: string }>(
  items: T[],
  fn: (item: T) => Promise<string>,
): Promise<Record<string, string>> {
  const values = await Promise.all(items.map(fn));
  return Object.fromEntries(items.map((item, i) => [item.name, values[i]]));
}

/** How long a reset of an account waits for its functions to finish the messages fed to them. */
const FUNCTIONS_IDLE_MS = 30_000;

/**
 * Waits until no queue that feeds one of the account's functions holds a message, visible or in
 * flight: a function still running when a reset purges the queues writes after it (the CRM sync's
 * update landed in crm-updates of a set the warm pool had just prepared). A function deletes its
 * batch only once it has returned. Gives up quietly after FUNCTIONS_IDLE_MS: the reset goes on.
 */
export async function awaitFunctionsIdle(
  aws: AwsClients & { resources: AwsResources },
  spec: AwsResourcesSpec,
): Promise<void> {
  const sources = spec.functions
    .filter((fn) => aws.resources.functions[fn.name] && fn.eventSourceQueue)
    .map((fn) => aws.resources.queues[fn.eventSourceQueue!].url);
  if (sources.length === 0) return;
  const busy = async () =>
    (await Promise.all(sources.map((url) => queueHoldsMessages(aws.sqs, url)))).some(Boolean);
  await poll(
    async () => ((await busy()) ? { done: false } : { done: true, value: undefined }),
    { timeoutMs: FUNCTIONS_IDLE_MS, intervalMs: 100 },
    () => new Error("functions still busy"),
  ).catch(() => undefined);
}

/**
 * Back to the state right after creation: queues and tables empty, buckets holding exactly their
 * sample objects. Only what differs is touched (an S3 ETag is the MD5 of a simple upload), so a clean
 * store costs one request per queue, bucket and table, all in parallel. Never touches another account.
 */
export async function resetAwsResources(
  aws: AwsClients & { resources: AwsResources },
  spec: AwsResourcesSpec,
): Promise<void> {
  await Promise.all([
    ...Object.values(aws.resources.queues).map(async ({ url }) => {
      if (await queueHoldsMessages(aws.sqs, url))
        await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
    }),
    ...spec.tables
      .filter((t) => aws.resources.tables[t.name])
      .map(({ name, partitionKey }) => emptyTable(aws.dynamodb, name, partitionKey)),
    ...spec.buckets.map((bucket) => resetBucket(aws.s3, aws.resources.buckets[bucket.name], bucket.objects)),
  ]);
}

/** Whether a queue holds messages: visible, in flight or delayed. */
export async function queueHoldsMessages(sqs: SQSClient, url: string): Promise<boolean> {
  const { Attributes = {} } = await sqs.send(
    new GetQueueAttributesCommand({
      QueueUrl: url,
      AttributeNames: [
        "ApproximateNumberOfMessages",
        "ApproximateNumberOfMessagesNotVisible",
        "ApproximateNumberOfMessagesDelayed",
      ],
    }),
  );
  return Object.values(Attributes).some((n) => n !== "0");
}

type SampleObject = NonNullable<AwsResourcesSpec["buckets"][number]["objects"]>[number];

/** Deletes the objects that are not samples and puts back the samples that changed or went. */
export async function resetBucket(s3: S3Client, bucket: string, objects: SampleObject[] = []): Promise<void> {
  const md5 = (body: string) => `"${createHash("md5").update(body).digest("hex")}"`;
  const samples = new Map(objects.map((o) => [o.key, o]));
  const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
  const extra = Contents.filter((o) => !samples.has(o.Key!));
  const changed = objects.filter((o) => Contents.find((c) => c.Key === o.key)?.ETag !== md5(o.body));
  await Promise.all([
    extra.length &&
      s3.send(
        new DeleteObjectsCommand({ Bucket: bucket, Delete: { Objects: extra.map((o) => ({ Key: o.Key })) } }),
      ),
    ...changed.map((o) => putSample(s3, bucket, o)),
  ]);
}

export const putSample = (s3: S3Client, bucket: string, o: SampleObject) =>
  s3.send(new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body, ContentType: o.contentType }));

/** Deletes every item: a keys-only scan, then deletes 25 at a time (BatchWriteItem's limit). */
export async function emptyTable(dynamodb: DynamoDBClient, table: string, key: string): Promise<void> {
  let ExclusiveStartKey: Record<string, AttributeValue> | undefined;
  do {
    const page = await dynamodb.send(
      new ScanCommand({
        TableName: table,
        ProjectionExpression: "#k",
        ExpressionAttributeNames: { "#k": key },
        ExclusiveStartKey,
      }),
    );
    const keys = page.Items ?? [];
    for (let i = 0; i < keys.length; i += 25) {
      const batch = keys.slice(i, i + 25).map((Key) => ({ DeleteRequest: { Key } }));
      await dynamodb.send(new BatchWriteItemCommand({ RequestItems: { [table]: batch } }));
    }
    ExclusiveStartKey = page.LastEvaluatedKey;
  } while (ExclusiveStartKey);
}
