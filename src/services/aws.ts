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
import { LocalstackContainer } from "@testcontainers/localstack";
import type { AwsContext } from "../context";
import { SERVICE_NAMES, type ServiceName } from "../options";
import { randomToken } from "../random";
import { postgres } from "./postgres";
import { redis } from "./redis";
import type { Service } from "./service";

const SERVICES_FOR_SECRETS = { postgres, redis };

/**
 * A LocalStack ready hook (Python files in ready.d run inside LocalStack). Its ~900k start-up objects
 * (service specs, modules) stay alive for good, yet every full garbage collection walked them all:
 * 0.4 to 0.8 s with LocalStack frozen, about every 1100 SQS sends plus SNS publishes on these 2-core
 * machines, which is what broke the 1000-call run's p99. Frozen, they are left out of collections.
 */
const GC_FREEZE_HOOK = {
  target: "/etc/localstack/init/ready.d/campaign-testenv-gc-freeze.py",
  content: "import gc\ngc.freeze()\n",
};

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

export function loadAwsResourcesSpec(fixturesDir: string): AwsResourcesSpec {
  const file = path.join(fixturesDir, "aws-resources.json");
  try {
    const spec = JSON.parse(readFileSync(file, "utf8")) as Partial<AwsResourcesSpec>;
    return { buckets: [], queues: [], topics: [], secrets: [], ...spec };
  } catch (error) {
    throw new Error(`cannot read the AWS resources spec ${file} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

export function awsClients(aws: AwsContext): AwsClients {
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
  // Named, not Object.values: callers may pass clients with extra fields (the worker adds resources).
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

const PLACEHOLDER = /\{\{(\w+)\.(\w+)\}\}/g;

/**
 * Fills {{service.field}} placeholders from the other services' context. A secret that needs a
 * service which is not started is left out (and said so), rather than stored half-filled.
 */
async function fillSecrets(
  spec: AwsResourcesSpec,
  peer: (name: ServiceName) => Promise<unknown>,
  note: (message: string) => void,
): Promise<Record<string, Record<string, string>>> {
  const services = new Set([...JSON.stringify(spec.secrets).matchAll(PLACEHOLDER)].map((m) => m[1]));
  const contexts: Record<string, Record<string, unknown> | undefined> = {};
  for (const service of services) {
    contexts[service] = SERVICE_NAMES.includes(service as ServiceName)
      ? ((await peer(service as ServiceName)) as Record<string, unknown> | undefined)
      : undefined;
  }
  const filled: Record<string, Record<string, string>> = {};
  for (const secret of spec.secrets) {
    let missing: string | undefined;
    const value = Object.fromEntries(
      Object.entries(secret.value).map(([key, template]) => [
        key,
        template.replace(PLACEHOLDER, (placeholder, service: string, field: string) => {
          const found = contexts[service]?.[field];
          if (found === undefined) missing ??= placeholder;
          return String(found ?? "");
        }),
      ]),
    );
    if (missing)
      note(`secret ${secret.name} is not created: ${missing} has no value (is that service started?)`);
    else filled[secret.name] = value;
  }
  return filled;
}

export const aws: Service<"aws"> = {
  name: "aws",
  // The secrets hold other services' connection details, so a change to those services is a change here.
  fingerprint: (options) =>
    [
      options.images.aws,
      JSON.stringify(loadAwsResourcesSpec(options.fixturesDir)),
      ...(["postgres", "redis"] as const)
        .filter((s) => options.services.includes(s))
        .map((s) => SERVICES_FOR_SECRETS[s].fingerprint(options)),
    ].join("\n"),
  async start(run) {
    const spec = await run.step("reading the AWS resources spec", async () =>
      loadAwsResourcesSpec(run.options.fixturesDir),
    );
    const token = process.env.LOCALSTACK_AUTH_TOKEN;
    const container = await run.startContainer(
      new LocalstackContainer(run.image).withCopyContentToContainer([GC_FREEZE_HOOK]).withEnvironment({
        SERVICES: "s3,sqs,sns,secretsmanager",
        // Load the four providers before "Ready.", while the other services start, rather than on the
        // first request of each (about 3 s of imports on 2 cores, which would follow every other step).
        EAGER_SERVICE_LOADING: "1",
        ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}),
      }),
    );
    const context: AwsContext = {
      image: run.image,
      endpoint: container.getConnectionUri(),
      region: "us-east-1",
      accessKeyId: `AKIA${randomToken(16).toUpperCase()}`,
      secretAccessKey: randomToken(40),
      spec,
    };
    const secretValues = await run.step("filling secrets", () => fillSecrets(spec, run.peer, run.note));
    const clients = awsClients(context);
    try {
      await run.step("creating buckets, queues, topics and secrets", async () => {
        const resources = await createAwsResources(clients, spec, "", secretValues);
        await resetAwsResources({ ...clients, resources }, spec);
      });
    } finally {
      destroyAwsClients(clients);
    }
    return context;
  },
};
