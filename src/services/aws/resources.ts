import { createHash } from "node:crypto";
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  CreateBucketCommand,
  DeleteObjectsCommand,
  ListObjectsV2Command,
  PutObjectCommand,
  S3Client,
} from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import {
  CreateQueueCommand,
  GetQueueAttributesCommand,
  PurgeQueueCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";

/** The emulator's endpoint and the credentials that select an account in it. */
export interface AwsEndpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

/** fixtures/aws-resources.json. Names are plain; workers create copies under a prefix. */
export interface AwsResourcesSpec {
  buckets: { name: string; objects?: { key: string; body: string; contentType?: string }[] }[];
  queues: {
    name: string;
    deadLetterQueue?: string;
    maxReceiveCount?: number;
    visibilityTimeoutSeconds?: number;
  }[];
  topics: { name: string; subscribeQueues?: string[] }[];
  /** String values may hold {{service.field}} placeholders, filled from the started services' context. */
  secrets: { name: string; value: Record<string, string> }[];
}

/** The created resources by their spec name: real names, queue URLs and ARNs. */
export interface AwsResources {
  buckets: Record<string, string>;
  queues: Record<string, { url: string; arn: string; name: string }>;
  topics: Record<string, string>;
  secrets: Record<string, string>;
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
}

export function loadAwsResourcesSpec(specsDir: string): AwsResourcesSpec {
  const file = path.join(specsDir, "aws-resources.json");
  try {
    const spec = JSON.parse(readFileSync(file, "utf8")) as Partial<AwsResourcesSpec>;
    return { buckets: [], queues: [], topics: [], secrets: [], ...spec };
  } catch (error) {
    throw new Error(`cannot read the AWS resources spec ${file} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export function awsClients(aws: AwsEndpoint): AwsClients {
  const config = {
    endpoint: aws.endpoint,
    region: aws.region,
    credentials: { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey },
  };
  return {
    // Path-style: bucket host names such as reports.localhost do not resolve.
    s3: new S3Client({ ...config, forcePathStyle: true }),
    sqs: new SQSClient(config),
    sns: new SNSClient(config),
    secrets: new SecretsManagerClient(config),
  };
}

export function destroyAwsClients(clients: AwsClients): void {
  // Named, not Object.values: a worker's store is its clients plus its resources.
  [clients.s3, clients.sqs, clients.sns, clients.secrets].forEach((client) => client.destroy());
}

/**
 * Creates the spec's resources, each name under `prefix`, and returns them. Every call is idempotent
 * (an existing bucket, queue, topic or subscription with the same settings is returned as is); the
 * sample objects are put by resetAwsResources, which callers run next.
 */
export async function createAwsResources(
  clients: AwsClients,
  spec: AwsResourcesSpec,
  prefix: string,
  secretValues: Record<string, Record<string, string>> = {},
): Promise<AwsResources> {
  const queues: AwsResources["queues"] = {};
  const createQueue = async (queue: AwsResourcesSpec["queues"][number]) => {
    const name = prefix + queue.name;
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

  const [buckets, topics, secrets] = await Promise.all([
    mapByName(spec.buckets, async (bucket) => {
      const name = prefix + bucket.name;
      await clients.s3.send(new CreateBucketCommand({ Bucket: name }));
      return name;
    }),
    mapByName(spec.topics, async (topic) => {
      const { TopicArn } = await clients.sns.send(new CreateTopicCommand({ Name: prefix + topic.name }));
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
    mapByName(
      spec.secrets.filter((s) => secretValues[s.name]),
      async (secret) => {
        const { ARN } = await clients.secrets.send(
          new CreateSecretCommand({
            Name: prefix + secret.name,
            SecretString: JSON.stringify(secretValues[secret.name]),
          }),
        );
        return ARN!;
      },
    ),
  ]);
  return { buckets, queues, topics, secrets };
}

async function mapByName<T extends { name: string }>(
  items: T[],
  fn: (item: T) => Promise<string>,
): Promise<Record<string, string>> {
  const values = await Promise.all(items.map(fn));
  return Object.fromEntries(items.map((item, i) => [item.name, values[i]]));
}

/**
 * Back to the state right after creation: queues empty, buckets holding exactly their sample objects.
 * Only what differs is touched (an S3 ETag is the MD5 of a simple upload), so a clean store costs one
 * listing per queue and bucket.
 */
export async function resetAwsResources(
  aws: AwsClients & { resources: AwsResources },
  spec: AwsResourcesSpec,
): Promise<void> {
  const md5 = (body: string) => `"${createHash("md5").update(body).digest("hex")}"`;
  await Promise.all([
    ...Object.values(aws.resources.queues).map(async ({ url }) => {
      const { Attributes = {} } = await aws.sqs.send(
        new GetQueueAttributesCommand({
          QueueUrl: url,
          AttributeNames: [
            "ApproximateNumberOfMessages",
            "ApproximateNumberOfMessagesNotVisible",
            "ApproximateNumberOfMessagesDelayed",
          ],
        }),
      );
      if (Object.values(Attributes).some((n) => n !== "0")) {
        await aws.sqs.send(new PurgeQueueCommand({ QueueUrl: url }));
      }
    }),
    ...spec.buckets.map(async ({ name, objects = [] }) => {
      const bucket = aws.resources.buckets[name];
      const samples = new Map(objects.map((o) => [o.key, o]));
      const { Contents = [] } = await aws.s3.send(new ListObjectsV2Command({ Bucket: bucket }));
      const extra = Contents.filter((o) => !samples.has(o.Key!));
      const changed = objects.filter((o) => Contents.find((c) => c.Key === o.key)?.ETag !== md5(o.body));
      await Promise.all([
        extra.length &&
          aws.s3.send(
            new DeleteObjectsCommand({
              Bucket: bucket,
              Delete: { Objects: extra.map((o) => ({ Key: o.Key })) },
            }),
          ),
        ...changed.map((o) =>
          aws.s3.send(
            new PutObjectCommand({ Bucket: bucket, Key: o.key, Body: o.body, ContentType: o.contentType }),
          ),
        ),
      ]);
    }),
  ]);
}
