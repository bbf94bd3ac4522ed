// The recipe's global setup: the four services through Testcontainers' modules (FerretDB and MiniStack,
// which have none, as a GenericContainer), started side by side, each initialised as the app needs it,
// and their connection details handed to the test workers in env vars. Images: the official ones, or
// <SERVICE>_IMAGE; MONGO_FLAVOUR=ferretdb and AWS_FLAVOUR=ministack pick the other products.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { CreateBucketCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import { CreateSecretCommand, SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import { CreateTopicCommand, SNSClient, SubscribeCommand } from "@aws-sdk/client-sns";
import { CreateQueueCommand, GetQueueAttributesCommand, SQSClient } from "@aws-sdk/client-sqs";
import { LocalstackContainer } from "@testcontainers/localstack";
import { MongoDBContainer } from "@testcontainers/mongodb";
import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { RedisContainer } from "@testcontainers/redis";
import { MongoClient } from "mongodb";
import { Client } from "pg";
import { GenericContainer, type StartedTestContainer, Wait } from "testcontainers";

const app = path.join(__dirname, "..", "..");
const image = (service: string, official: string) => process.env[`${service}_IMAGE`] ?? official;
const json = (file: string) => JSON.parse(readFileSync(path.join(app, "fixtures", file), "utf8"));

async function startPostgres(): Promise<StartedTestContainer> {
  const container = await new PostgreSqlContainer(image("POSTGRES", "postgres:15-alpine")).start();
  const client = new Client({ connectionString: container.getConnectionUri() });
  await client.connect();
  const migrations = path.join(app, "migrations");
  const files = readdirSync(migrations).filter((file) => file.endsWith(".sql"));
  for (const file of files.sort()) await client.query(readFileSync(path.join(migrations, file), "utf8"));
  await client.end();
  process.env.DATABASE_URL = container.getConnectionUri();
  return container;
}

async function startMongo(): Promise<StartedTestContainer> {
  const ferretdb = process.env.MONGO_FLAVOUR === "ferretdb";
  let container: StartedTestContainer;
  let url: string;
  if (ferretdb) {
    container = await new GenericContainer(image("MONGO", "ghcr.io/ferretdb/ferretdb:1.24.0"))
      .withExposedPorts(27017)
      .start();
    url = `mongodb://${container.getHost()}:${container.getMappedPort(27017)}`;
  } else {
    const mongo = await new MongoDBContainer(image("MONGO", "mongo:7.0")).start();
    [container, url] = [mongo, `${mongo.getConnectionString()}/?directConnection=true`];
  }
  const client = await new MongoClient(url).connect();
  const db = client.db("campaign");
  for (const { name, validator, indexes } of json("mongo-collections.json").collections) {
    // FerretDB v1 does not enforce validators.
    await db.createCollection(name, validator && !ferretdb ? { validator } : {});
    if (indexes) await db.collection(name).createIndexes(indexes);
  }
  await client.close();
  process.env.MONGO_URL = url;
  process.env.MONGO_DATABASE = "campaign";
  return container;
}

async function startRedis(): Promise<StartedTestContainer> {
  const container = await new RedisContainer(image("REDIS", "redis:7-alpine")).start();
  process.env.REDIS_URL = container.getConnectionUrl();
  return container;
}

async function startAws(): Promise<StartedTestContainer> {
  const container =
    process.env.AWS_FLAVOUR === "ministack"
      ? await new GenericContainer(image("AWS", "ministackorg/ministack:1.5.33"))
          .withExposedPorts(4566)
          .withWaitStrategy(Wait.forHttp("/_ministack/health", 4566))
          .start()
      : await new LocalstackContainer(image("AWS", "localstack/localstack:4.14.0")).start();
  // The AWS SDK reads its region and keys from these. The endpoint is also given to each client: from
  // AWS_ENDPOINT_URL alone, the SQS client sends to the host in the queue URL the emulator returned
  // (sqs.us-east-1.localhost), which does not resolve.
  const endpoint = `http://${container.getHost()}:${container.getMappedPort(4566)}`;
  process.env.AWS_ENDPOINT_URL = endpoint;
  process.env.AWS_REGION = "us-east-1";
  process.env.AWS_ACCESS_KEY_ID = "test";
  process.env.AWS_SECRET_ACCESS_KEY = "test";

  const spec = json("aws-resources.json");
  const s3 = new S3Client({ endpoint, forcePathStyle: true });
  for (const bucket of spec.buckets) {
    await s3.send(new CreateBucketCommand({ Bucket: bucket.name }));
    for (const { key, body, contentType } of bucket.objects)
      await s3.send(
        new PutObjectCommand({ Bucket: bucket.name, Key: key, Body: body, ContentType: contentType }),
      );
  }
  const sqs = new SQSClient({ endpoint });
  const queueArns: Record<string, string> = {};
  for (const queue of spec.queues) {
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: queue.name }));
    const { Attributes } = await sqs.send(
      new GetQueueAttributesCommand({ QueueUrl, AttributeNames: ["QueueArn"] }),
    );
    queueArns[queue.name] = Attributes!.QueueArn!;
  }
  const sns = new SNSClient({ endpoint });
  for (const topic of spec.topics) {
    const { TopicArn } = await sns.send(new CreateTopicCommand({ Name: topic.name }));
    for (const queue of topic.subscribeQueues)
      await sns.send(new SubscribeCommand({ TopicArn, Protocol: "sqs", Endpoint: queueArns[queue] }));
  }
  const secrets = new SecretsManagerClient({ endpoint });
  for (const secret of spec.secrets)
    await secrets.send(
      new CreateSecretCommand({ Name: secret.name, SecretString: JSON.stringify(secret.value) }),
    );
  return container;
}

export default async function globalSetup(): Promise<void> {
  (globalThis as { containers?: StartedTestContainer[] }).containers = await Promise.all([
    startPostgres(),
    startMongo(),
    startRedis(),
    startAws(),
  ]);
}
