// The package's own guarantees, on the environment globalSetup started: the context, the initialised
// stores, and every helper.
import { GetSecretValueCommand } from "@aws-sdk/client-secrets-manager";
import { PublishCommand } from "@aws-sdk/client-sns";
import { ReceiveMessageCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { readdirSync } from "node:fs";
import { Client } from "pg";
import { testData } from "../fixtures/test-data";
import {
  checkServicesHealth,
  cleanTestData,
  seedTestData,
  ServiceError,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
  waitFor,
  withTransaction,
} from "../src";
import { loadCollectionsSpec } from "../src/services/mongo";
import { loadAwsResourcesSpec } from "../src/services/aws/spec";
import { packageRoot } from "../src/paths";
import { poolDir, readRunFile } from "../src/context";
import { service } from "../src/services";
import { StoreSets } from "../src/store-sets";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

const count = async (table: string) =>
  Number((await env.postgres.query(`SELECT count(*) FROM ${table}`)).rows[0].count);

describe("context", () => {
  test("describes every service with serialisable connection details", () => {
    const { context } = env;
    expect(JSON.parse(JSON.stringify(context))).toEqual(context);
    expect(context.services).toEqual(["postgres", "mongo", "redis", "aws"]);
    expect(context.postgres).toMatchObject({
      host: expect.any(String),
      port: expect.any(Number),
      user: "campaign",
      database: "campaign",
      templateDatabase: expect.stringMatching(/^campaign_tpl_[0-9a-f]{12}$/),
      url: expect.stringMatching(/^postgres:\/\/campaign:[a-z0-9]{24}@/),
    });
    expect(context.redis).toMatchObject({
      port: expect.any(Number),
      password: expect.stringMatching(/^[a-z0-9]{24}$/),
    });
    expect(context.mongo).toMatchObject({
      uri: expect.stringMatching(/^mongodb:\/\//),
      database: "campaign",
    });
    expect(context.aws).toMatchObject({ endpoint: expect.stringMatching(/^http:\/\//), region: "us-east-1" });
  });

  test("gives this test file a store set the allocator handed out: a warm pool's, or one of its own", () => {
    const { id } = env.storeSet;
    // Held by the runner's parent (the pool's sets) or by this process (a set it built itself).
    const parent = readRunFile().pid;
    expect([parent, process.pid]).toContain(new StoreSets(env.context.storeSets).held()[id]);
    expect(env.storeSet).toEqual({
      id,
      postgresDatabase: `campaign_s${id}`,
      mongoDatabase: `campaign_s${id}`,
      redisDb: id,
      awsAccount: String(id).padStart(12, "0"),
      awsBucketPrefix: `s${id}-`,
    });
  });
});

describe("PostgreSQL", () => {
  test("has every migration applied and recorded with its checksum", async () => {
    const files = readdirSync(`${packageRoot}/migrations`).filter((f) => f.endsWith(".sql"));
    const { rows } = await env.postgres.query("SELECT name, checksum FROM schema_migrations ORDER BY name");
    expect(rows.map((r) => r.name)).toEqual(files.sort());
    rows.forEach((r) => expect(r.checksum).toMatch(/^[0-9a-f]{64}$/));
  });

  test("has the Campaign System's tables, constraints and indexes", async () => {
    const { rows: tables } = await env.postgres.query(
      "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY tablename",
    );
    expect(tables.map((t) => t.tablename)).toEqual(
      expect.arrayContaining([
        "blacklist",
        "calls",
        "campaigns",
        "contacts",
        "donations",
        "opt_outs",
        "sms_messages",
        "users",
      ]),
    );
    const { rows: fks } = await env.postgres.query(
      "SELECT count(*)::int AS n FROM pg_constraint WHERE contype = 'f' AND connamespace = 'public'::regnamespace",
    );
    expect(fks[0].n).toBeGreaterThanOrEqual(8);
    await seedTestData(env);
    const contact = testData.tables.contacts[0];
    await expect(
      env.postgres.query("INSERT INTO contacts (campaign_id, phone) VALUES ($1, $2)", [
        contact.campaign_id,
        contact.phone,
      ]),
    ).rejects.toThrow(/duplicate key/);
    await expect(
      env.postgres.query("INSERT INTO contacts (campaign_id, phone) VALUES ($1, '555-0100')", [
        contact.campaign_id,
      ]),
    ).rejects.toThrow(/check constraint/);
  });

  test("the worker database is a clone of the template, not the main database", async () => {
    const { rows } = await env.postgres.query("SELECT current_database() AS db");
    expect(rows[0].db).toBe(env.storeSet.postgresDatabase);
    const { host, port, user, password, database } = env.context.postgres!;
    const main = new Client({ host, port, user, password, database });
    await main.connect();
    try {
      await seedTestData(env);
      expect(Number((await main.query("SELECT count(*) FROM users")).rows[0].count)).toBe(0);
    } finally {
      await main.end();
    }
  });
});

describe("Mongo", () => {
  const spec = loadCollectionsSpec(`${packageRoot}/fixtures`);

  test("has the spec's collections with their indexes", async () => {
    for (const collection of spec.collections) {
      const indexes = await env.mongo.collection(collection.name).indexes();
      for (const index of collection.indexes ?? []) {
        expect(indexes).toContainEqual(expect.objectContaining({ name: index.name, key: index.key }));
      }
    }
  });

  test("enforces the $jsonSchema validators where the server supports them", async () => {
    const insertInvalid = env.mongo.collection("call_records").insertOne({ callId: 42 });
    if (env.context.mongo!.capabilities.validators.ok) {
      await expect(insertInvalid).rejects.toThrow(/Document failed validation/);
    } else {
      // FerretDB v1: the startup output says validators are not enforced; make sure that is the truth.
      await expect(insertInvalid).resolves.toBeDefined();
    }
  });

  test("rejects a duplicate call id through the unique index", async () => {
    const calls = env.mongo.collection("call_records");
    await seedTestData(env);
    const [first] = testData.collections.call_records;
    await expect(calls.insertOne({ ...first, _id: undefined })).rejects.toThrow(/duplicate key/i);
  });
});

const awsSpec = loadAwsResourcesSpec(`${packageRoot}/fixtures`);

describe("AWS", () => {
  test("has the buckets with their sample objects", async () => {
    for (const bucket of awsSpec.buckets) {
      for (const object of bucket.objects ?? []) {
        const got = await env.aws.s3.send(
          new GetObjectCommand({ Bucket: env.aws.resources.buckets[bucket.name], Key: object.key }),
        );
        expect(await got.Body?.transformToString()).toBe(object.body);
      }
    }
  });

  test("moves a message that keeps failing to the dead-letter queue", async () => {
    const { url } = env.aws.resources.queues["dial-tasks"];
    const dlq = env.aws.resources.queues["dial-tasks-dlq"];
    const maxReceiveCount = awsSpec.queues.find((q) => q.name === "dial-tasks")!.maxReceiveCount!;
    await env.aws.sqs.send(new SendMessageCommand({ QueueUrl: url, MessageBody: "poison" }));
    for (let i = 0; i < maxReceiveCount; i++) {
      // Received and never deleted: a failed attempt. VisibilityTimeout 0 makes it visible again at once.
      const { Messages } = await env.aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
      );
      expect(Messages?.[0]?.Body).toBe("poison");
    }
    // As in AWS, the move happens on the next receive: the receive count would exceed the maximum.
    const { Messages } = await env.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: url }));
    expect(Messages ?? []).toEqual([]);
    const moved = await waitFor(
      async () =>
        (await env.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: dlq.url, WaitTimeSeconds: 1 })))
          .Messages?.[0],
      { message: "the poison message in the dead-letter queue" },
    );
    expect(moved.Body).toBe("poison");
  });

  test("delivers topic messages to the subscribed observer queue", async () => {
    await env.aws.sns.send(
      new PublishCommand({
        TopicArn: env.aws.resources.topics["call-events"],
        Message: '{"type":"answered"}',
      }),
    );
    const received = await waitFor(
      async () =>
        (
          await env.aws.sqs.send(
            new ReceiveMessageCommand({
              QueueUrl: env.aws.resources.queues["call-events-observer"].url,
              WaitTimeSeconds: 1,
            }),
          )
        ).Messages?.[0],
      { message: "the call event in call-events-observer" },
    );
    expect(JSON.parse(received.Body!)).toEqual({ type: "answered" });
  });

  test("stores the real database credentials in Secrets Manager", async () => {
    const { SecretString } = await env.aws.secrets.send(
      new GetSecretValueCommand({ SecretId: env.aws.resources.secrets["campaign-testenv/database"] }),
    );
    const secret = JSON.parse(SecretString!);
    const client = new Client({ connectionString: secret.url });
    await client.connect();
    expect((await client.query("SELECT 1 AS one")).rows[0].one).toBe(1);
    await client.end();
  });
});

describe("helpers", () => {
  test("withTransaction always rolls back, on success and on failure", async () => {
    const [user] = testData.tables.users;
    const inside = await withTransaction(env.postgres, async (client) => {
      await client.query(
        "INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)",
        [user.id, user.email, user.name, user.role, "x"],
      );
      return Number((await client.query("SELECT count(*) FROM users")).rows[0].count);
    });
    expect(inside).toBe(1);
    expect(await count("users")).toBe(0);
    await expect(
      withTransaction(env.postgres, async (client) => {
        await client.query(
          "INSERT INTO users (email, name, role, password_hash) VALUES ('a@b.c', 'A', 'analyst', 'x')",
        );
        throw new Error("test failed midway");
      }),
    ).rejects.toThrow("test failed midway");
    expect(await count("users")).toBe(0);
  });

  test("cleanTestData empties all four stores and restores the sample objects", async () => {
    await seedTestData(env);
    await env.redis.set("rate:campaign-1", "5");
    const uploads = env.aws.resources.buckets["uploads"];
    const sample = awsSpec.buckets.find((b) => b.name === "uploads")!.objects![0];
    await env.aws.s3.send(new PutObjectCommand({ Bucket: uploads, Key: "test-only.csv", Body: "x" }));
    await env.aws.s3.send(new PutObjectCommand({ Bucket: uploads, Key: sample.key, Body: "overwritten" }));
    await env.aws.sqs.send(
      new SendMessageCommand({ QueueUrl: env.aws.resources.queues["dial-tasks"].url, MessageBody: "x" }),
    );
    expect(await count("contacts")).toBeGreaterThan(0);

    await cleanTestData(env);

    for (const table of Object.keys(testData.tables)) expect(await count(table)).toBe(0);
    expect(await count("schema_migrations")).toBeGreaterThan(0);
    for (const name of Object.keys(testData.collections)) {
      expect(await env.mongo.collection(name).countDocuments()).toBe(0);
    }
    expect(await env.redis.dbsize()).toBe(0);
    await expect(
      env.aws.s3.send(new GetObjectCommand({ Bucket: uploads, Key: "test-only.csv" })),
    ).rejects.toThrow(/NoSuchKey|does not exist/);
    const restored = await env.aws.s3.send(new GetObjectCommand({ Bucket: uploads, Key: sample.key }));
    expect(await restored.Body?.transformToString()).toBe(sample.body);
    const { Messages } = await env.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: env.aws.resources.queues["dial-tasks"].url, WaitTimeSeconds: 0 }),
    );
    expect(Messages ?? []).toEqual([]);
  });

  test("seedTestData inserts every fixture table and collection", async () => {
    await seedTestData(env);
    for (const [table, rows] of Object.entries(testData.tables)) expect(await count(table)).toBe(rows.length);
    for (const [name, docs] of Object.entries(testData.collections)) {
      expect(await env.mongo.collection(name).countDocuments()).toBe(docs.length);
    }
  });

  test("waitFor returns the first truthy value, and times out with its message", async () => {
    let tries = 0;
    await expect(waitFor(() => (++tries >= 3 ? tries : false), { intervalMs: 1 })).resolves.toBe(3);
    await expect(
      waitFor(
        () => {
          throw new Error("not yet");
        },
        { timeoutMs: 100, message: "the CDR of call 7" },
      ),
    ).rejects.toThrow("waitFor timed out after 100 ms waiting for the CDR of call 7 (last error: not yet)");
  });

  test("checkServicesHealth reports every service healthy with a real round trip", async () => {
    const health = await checkServicesHealth(env.context);
    expect(health.map((h) => [h.service, h.healthy])).toEqual([
      ["postgres", true],
      ["mongo", true],
      ["redis", true],
      ["aws", true],
    ]);
  });

  test("a context passed explicitly needs no CAMPAIGN_TESTENV_CONTEXT, the runner's warm pool included; storeSetId 1 is free", async () => {
    const saved = process.env.CAMPAIGN_TESTENV_CONTEXT;
    const { context, pid: parent } = readRunFile(saved);
    // The pool is filled after the services are ready, so this file may have started before it.
    await waitFor(() => readdirSync(poolDir(context.runId)).some((f) => f.startsWith("ready-")), {
      timeoutMs: 60_000,
      message: "a store set ready in the runner's warm pool",
    });
    delete process.env.CAMPAIGN_TESTENV_CONTEXT;
    try {
      const other = await setupTestEnvironment({ context, services: ["redis"] });
      expect(await other.redis.ping()).toBe("PONG");
      expect(other.storeSet.id).not.toBe(env.storeSet.id);
      // From the pool: the parent claimed it, not this process.
      expect(new StoreSets(context.storeSets).held()[other.storeSet.id]).toBe(parent);
      await other.close();
      // A small id named by a test is free beside the pool's and the files' own (they count down).
      const named = await setupTestEnvironment({ context, services: ["redis"], storeSetId: 1 });
      expect(named.storeSet.id).toBe(1);
      // Its claim goes back even when closing a client fails; that failure is then reported.
      const close = jest.spyOn(service("redis"), "close").mockRejectedValueOnce(new Error("close failed"));
      await expect(named.close()).rejects.toThrow("close failed");
      close.mockRestore();
      expect(new StoreSets(context.storeSets).held()[1]).toBeUndefined();
      await named.redis.quit();
    } finally {
      process.env.CAMPAIGN_TESTENV_CONTEXT = saved;
    }
  });

  test("a failure of the package's own steps is its ServiceError: the service, the step, the reason, the fix", async () => {
    // Its own prepare: a template that is not there.
    const broken = {
      ...env.context,
      postgres: { ...env.context.postgres!, templateDatabase: "campaign_tpl_gone" },
    };
    const setup = setupTestEnvironment({ context: broken, services: ["postgres"], storeSetId: 3 });
    await expect(setup).rejects.toBeInstanceOf(ServiceError);
    await expect(setup).rejects.toMatchObject({ service: "postgres", step: "preparing store set 3" });
    await expect(setup).rejects.toThrow(
      /template database "campaign_tpl_gone" does not exist\nFix: this is the package's own step/,
    );
    // Its own reset, after a test dropped what the reset needs.
    const other = await setupTestEnvironment({ services: ["postgres"], storeSetId: 4 });
    try {
      await other.postgres.query("DROP SCHEMA campaign_testenv CASCADE");
      const clean = cleanTestData(other);
      await expect(clean).rejects.toMatchObject({ service: "postgres", step: "cleaning store set 4" });
      await expect(clean).rejects.toThrow(
        /schema "campaign_testenv" does not exist\nFix: a test may still hold a transaction/,
      );
    } finally {
      await other.close();
    }
  });

  test("asking for a service that is not started fails with the fix", async () => {
    const redisOnly = {
      ...env.context,
      services: ["redis" as const],
      postgres: undefined,
      mongo: undefined,
      aws: undefined,
    };
    await expect(setupTestEnvironment({ context: redisOnly, services: ["redis", "aws"] })).rejects.toThrow(
      "campaign-testenv: this test needs aws, but the environment was started with redis only. " +
        "Add aws to CAMPAIGN_TESTENV_SERVICES",
    );
    const partial = await setupTestEnvironment({ context: redisOnly });
    try {
      expect(() => partial.pg).toThrow(
        "this test needs postgres, but the environment was started with redis only",
      );
      // The store set's names are typed for every service; one not set up says so when read.
      expect(() => partial.storeSet.postgresDatabase).toThrow("this test needs postgres");
      expect(partial.storeSet.redisDb).toBe(partial.storeSet.id);
      expect(Object.keys(partial.storeSet)).toEqual(["id", "redisDb"]);
      expect(await partial.redis.ping()).toBe("PONG");
      // 0.2's names fail with the new one.
      expect(() => (partial as unknown as { worker: unknown }).worker).toThrow(
        "campaign-testenv: env.worker was renamed env.storeSet",
      );
      expect(() => (partial.storeSet as unknown as { awsPrefix: unknown }).awsPrefix).toThrow(
        "campaign-testenv: env.worker.awsPrefix was renamed env.aws.resources (each store set is an AWS account)",
      );
    } finally {
      await partial.close();
    }
  });
});
