// Each configured image works through its Testcontainers module on its own, outside the environment:
// start it, do one real operation, stop it. The images come from the same settings users have.
import { CreateBucketCommand, GetObjectCommand, PutObjectCommand, S3Client } from "@aws-sdk/client-s3";
import {
  CreateQueueCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import { LocalstackContainer } from "@testcontainers/localstack";
import { MongoDBContainer } from "@testcontainers/mongodb";
import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { RedisContainer } from "@testcontainers/redis";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { Client } from "pg";
import { GenericContainer, Wait } from "testcontainers";
import { resolveOptions } from "../src/options";

const {
  images,
  flavours: { mongo: mongoFlavour },
} = resolveOptions();

test(`PostgreSQL (${images.postgres}): SQL round trip`, async () => {
  const container = await new PostgreSqlContainer(images.postgres).withPassword("s3cret").start();
  try {
    const client = new Client({ connectionString: container.getConnectionUri() });
    await client.connect();
    const { rows } = await client.query("SELECT version() AS v, $1::int + 1 AS n", [41]);
    await client.end();
    expect(rows[0].v).toMatch(/^PostgreSQL 15\./);
    expect(rows[0].n).toBe(42);
  } finally {
    await container.stop();
  }
});

test(`Redis (${images.redis}): SET/GET with a password, refused without`, async () => {
  const container = await new RedisContainer(images.redis).withPassword("s3cret").start();
  try {
    const redis = new Redis(container.getConnectionUrl());
    await redis.set("greeting", "hello");
    expect(await redis.get("greeting")).toBe("hello");
    expect((await redis.info("server")).match(/redis_version:(\d+)/)?.[1]).toBe("7");
    redis.disconnect();

    const anonymous = new Redis({ host: container.getHost(), port: container.getPort(), lazyConnect: true });
    // The refused handshake is also emitted as a connection error; the command's rejection is what counts.
    anonymous.on("error", () => undefined);
    await expect(anonymous.get("greeting")).rejects.toThrow(/NOAUTH/);
    anonymous.disconnect();
  } finally {
    await container.stop();
  }
});

test(`Mongo protocol (${images.mongo}, flavour ${mongoFlavour}): insert and find`, async () => {
  const container =
    mongoFlavour === "mongo"
      ? await new MongoDBContainer(images.mongo).start()
      : await new GenericContainer(images.mongo)
          .withExposedPorts(27017)
          .withWaitStrategy(Wait.forListeningPorts())
          .start();
  try {
    const uri =
      mongoFlavour === "mongo"
        ? `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/?directConnection=true`
        : `mongodb://${container.getHost()}:${container.getMappedPort(27017)}/`;
    const client = await new MongoClient(uri).connect();
    const calls = client.db("smoke").collection("calls");
    await calls.insertOne({ callId: "c-1", durationSeconds: 42 });
    expect(await calls.findOne({ callId: "c-1" }, { projection: { _id: 0 } })).toEqual({
      callId: "c-1",
      durationSeconds: 42,
    });
    await client.close();
  } finally {
    await container.stop();
  }
});

test(`LocalStack (${images.aws}): SQS send/receive and S3 put/get`, async () => {
  const container = await new LocalstackContainer(images.aws).withEnvironment({ SERVICES: "s3,sqs" }).start();
  try {
    const config = {
      endpoint: container.getConnectionUri(),
      region: "us-east-1",
      credentials: { accessKeyId: "test", secretAccessKey: "test" },
    };
    const sqs = new SQSClient(config);
    const { QueueUrl } = await sqs.send(new CreateQueueCommand({ QueueName: "smoke" }));
    await sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "dial +15550100" }));
    const { Messages } = await sqs.send(new ReceiveMessageCommand({ QueueUrl, WaitTimeSeconds: 2 }));
    expect(Messages?.map((m) => m.Body)).toEqual(["dial +15550100"]);

    const s3 = new S3Client({ ...config, forcePathStyle: true });
    await s3.send(new CreateBucketCommand({ Bucket: "smoke" }));
    await s3.send(new PutObjectCommand({ Bucket: "smoke", Key: "a.txt", Body: "audio" }));
    const object = await s3.send(new GetObjectCommand({ Bucket: "smoke", Key: "a.txt" }));
    expect(await object.Body?.transformToString()).toBe("audio");
    sqs.destroy();
    s3.destroy();
  } finally {
    await container.stop();
  }
});
