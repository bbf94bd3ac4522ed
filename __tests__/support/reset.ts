// What the reset tests share: a full dump of a store set (every table's rows and every sequence's
// state, every collection, every Redis key, every queue's message counts, every bucket's objects and
// ETags, every table's items), and the random writes of the property, as a consumer's tests make them.
import { createHash, randomUUID } from "node:crypto";
import { PutItemCommand, ScanCommand } from "@aws-sdk/client-dynamodb";
import {
  CopyObjectCommand,
  DeleteObjectCommand,
  ListObjectsV2Command,
  PutObjectCommand,
} from "@aws-sdk/client-s3";
import { PublishCommand } from "@aws-sdk/client-sns";
import {
  GetQueueAttributesCommand,
  ReceiveMessageCommand,
  SendMessageCommand,
  SQSClient,
} from "@aws-sdk/client-sqs";
import fc from "fast-check";
import { BSON, MongoClient } from "mongodb";
import { Pool } from "pg";
import { makeCall, makeCampaign, makeContact, makeUser, uniquePhone } from "../../fixtures/test-data";
import { cleanTestData, seedTestData, trackAwsClient, type TestEnvironment, waitFor } from "../../src";

export interface Dump {
  postgres?: { tables: Record<string, string[]>; sequences: Record<string, string> };
  mongo?: Record<string, { documents: string[]; indexes: string[] }>;
  redis?: Record<string, string>;
  aws?: {
    queues: Record<string, string>;
    buckets: Record<string, string[]>;
    tables: Record<string, string[]>;
  };
}

const sorted = (values: string[]) => [...values].sort();

/** Everything the store set holds, as comparable strings; only the services the env has. */
export async function dump(env: TestEnvironment): Promise<Dump> {
  const parts = await Promise.all(
    env.services.map(async (name) => {
      if (name === "postgres") return { postgres: await dumpPostgres(env.pg) };
      if (name === "mongo") return { mongo: await dumpMongo(env) };
      if (name === "redis") return { redis: await dumpRedis(env) };
      return { aws: await dumpAws(env) };
    }),
  );
  return Object.assign({}, ...parts) as Dump;
}

/** Every table's rows (partitions as tables, schema_migrations too) and every sequence's exact state. */
export async function dumpPostgres(pg: Pool): Promise<NonNullable<Dump["postgres"]>> {
  const { rows } = await pg.query<{ name: string; kind: string }>(
    `SELECT c.oid::regclass::text AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
     WHERE c.relkind IN ('r', 'S') AND c.relpersistence <> 't'
       AND n.nspname NOT IN ('pg_catalog', 'information_schema', 'pg_toast', 'campaign_testenv')`,
  );
  const tables: Record<string, string[]> = {};
  const sequences: Record<string, string> = {};
  await Promise.all(
    rows.map(async ({ name, kind }) => {
      if (kind === "S") {
        const { rows: state } = await pg.query(`SELECT last_value, is_called FROM ${name}`);
        sequences[name] = `${state[0].last_value}:${state[0].is_called}`;
      } else {
        const { rows: content } = await pg.query<{ row: string }>(
          `SELECT t::text AS row FROM ONLY ${name} t`,
        );
        tables[name] = sorted(content.map((r) => r.row));
      }
    }),
  );
  return { tables, sequences };
}

async function dumpMongo(env: TestEnvironment): Promise<NonNullable<Dump["mongo"]>> {
  const collections = await env.mongo.listCollections({}, { nameOnly: true }).toArray();
  const entries = await Promise.all(
    collections.map(async ({ name }) => {
      const collection = env.mongo.collection(name);
      const [documents, indexes] = await Promise.all([collection.find().toArray(), collection.indexes()]);
      return [
        name,
        {
          documents: sorted(documents.map((d) => BSON.EJSON.stringify(d))),
          indexes: sorted(indexes.map((i) => `${i.name} ${JSON.stringify(i.key)}`)),
        },
      ] as const;
    }),
  );
  return Object.fromEntries(entries);
}

async function dumpRedis(env: TestEnvironment): Promise<NonNullable<Dump["redis"]>> {
  const keys = await env.redis.keys("*");
  const values = await Promise.all(keys.map((key) => env.redis.dumpBuffer(key)));
  return Object.fromEntries(keys.map((key, i) => [key, values[i]?.toString("base64") ?? ""]));
}

/** A queue's messages: visible, in flight and delayed. */
async function queueCounts(env: TestEnvironment, url: string): Promise<number[]> {
  const { Attributes = {} } = await env.aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: url, AttributeNames: ["All"] }),
  );
  const { ApproximateNumberOfMessages: visible, ApproximateNumberOfMessagesNotVisible: inFlight } =
    Attributes;
  return [visible, inFlight, Attributes.ApproximateNumberOfMessagesDelayed].map(Number);
}

const messages = async (env: TestEnvironment, queue: string) =>
  (await queueCounts(env, env.aws.resources.queues[queue].url)).reduce((a, b) => a + b);

async function dumpAws(env: TestEnvironment): Promise<NonNullable<Dump["aws"]>> {
  const { s3, dynamodb, resources } = env.aws;
  const [queues, buckets, tables] = await Promise.all([
    Promise.all(
      Object.entries(resources.queues).map(
        async ([name, { url }]) => [name, (await queueCounts(env, url)).join("/")] as const,
      ),
    ),
    Promise.all(
      Object.entries(resources.buckets).map(async ([name, bucket]) => {
        const { Contents = [] } = await s3.send(new ListObjectsV2Command({ Bucket: bucket }));
        return [name, sorted(Contents.map((o) => `${o.Key} ${o.ETag} ${o.Size}`))] as const;
      }),
    ),
    Promise.all(
      Object.values(resources.tables).map(async (table) => {
        const { Items = [] } = await dynamodb.send(new ScanCommand({ TableName: table }));
        return [table, sorted(Items.map((item) => JSON.stringify(item)))] as const;
      }),
    ),
  ]);
  return {
    queues: Object.fromEntries(queues),
    buckets: Object.fromEntries(buckets),
    tables: Object.fromEntries(tables),
  };
}

/** What prepare promises, from the specs: empty collections, stores and queues, buckets of samples. */
export function expectPristine(env: TestEnvironment, state: Dump): void {
  const { mongo, aws } = env.context;
  if (state.mongo) {
    expect(Object.keys(state.mongo).sort()).toEqual(mongo!.spec.collections.map((c) => c.name).sort());
    for (const collection of Object.values(state.mongo)) expect(collection.documents).toEqual([]);
  }
  if (state.redis) expect(state.redis).toEqual({});
  if (state.aws) {
    for (const counts of Object.values(state.aws.queues)) expect(counts).toBe("0/0/0");
    for (const table of Object.values(state.aws.tables)) expect(table).toEqual([]);
    const md5 = (body: string) => createHash("md5").update(body).digest("hex");
    const samples = Object.fromEntries(
      aws!.spec.buckets.map((b) => [
        b.name,
        sorted((b.objects ?? []).map((o) => `${o.key} "${md5(o.body)}" ${Buffer.byteLength(o.body)}`)),
      ]),
    );
    expect(state.aws.buckets).toEqual(samples);
  }
}

/**
 * After a reset the store set must be its baseline again; a table a test created is the one
 * exception that stays, emptied, with its sequences at their start (see the testing guide).
 */
export async function expectBaseline(env: TestEnvironment, baseline: Dump): Promise<void> {
  const now = await dump(env);
  if (now.postgres && baseline.postgres) {
    const created = (names: object, before: object) => Object.keys(names).filter((name) => !(name in before));
    for (const table of created(now.postgres.tables, baseline.postgres.tables)) {
      expect({ table, rows: now.postgres.tables[table] }).toEqual({ table, rows: [] });
      delete now.postgres.tables[table];
    }
    for (const sequence of created(now.postgres.sequences, baseline.postgres.sequences)) {
      expect({ sequence, state: now.postgres.sequences[sequence] }).toEqual({ sequence, state: "1:false" });
      delete now.postgres.sequences[sequence];
    }
  }
  expect(now).toEqual(baseline);
}

/** One write of a test; printed by its label when fast-check reports a counterexample. */
export interface Write {
  /** `own`: the code under test's clients, for the writes made through them. */
  run(env: TestEnvironment, own?: OwnClients): Promise<unknown>;
  [fc.toStringMethod](): string;
}
const write = (label: string, run: Write["run"]): Write => ({ run, [fc.toStringMethod]: () => label });

/** Clients the code under test builds for itself, outside env: its writes must be reset too. */
export interface OwnClients {
  pg: Pool;
  mongo: MongoClient;
  /** Passed through trackAwsClient, as the guide says to. */
  sqs: SQSClient;
}

export function ownClients(env: TestEnvironment): OwnClients {
  const { postgres, mongo, aws } = env.context;
  const { host, port, user, password } = postgres!;
  return {
    pg: new Pool({ host, port, user, password, database: env.storeSet.postgresDatabase, max: 2 }),
    mongo: new MongoClient(mongo!.uri),
    sqs: trackAwsClient(
      env.aws,
      new SQSClient({
        endpoint: aws!.endpoint,
        region: aws!.region,
        credentials: { accessKeyId: env.storeSet.awsAccount, secretAccessKey: aws!.secretAccessKey },
      }),
    ),
  };
}

/** Closes them; nothing when a failed setup made none (the environment's clients still close after). */
export async function closeOwnClients(own: OwnClients | undefined): Promise<void> {
  if (!own) return;
  own.sqs.destroy();
  await Promise.all([own.pg.end(), own.mongo.close()]);
}

const token = fc.stringMatching(/^[a-z0-9]{1,10}$/).map((s) => `${s}-${randomUUID().slice(0, 8)}`);
const pick = <T>(items: T[]) => fc.constantFrom(...items);

/** The scratch tables a test file creates, as consumers do: a serial and an identity column. */
export const SCRATCH_TABLES = `
  CREATE TABLE IF NOT EXISTS scratch_serial (id serial PRIMARY KEY, note text NOT NULL);
  CREATE TABLE IF NOT EXISTS scratch_identity (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, note text)`;

function postgresWrites(): fc.Arbitrary<Write>[] {
  const rolledBack = async (env: TestEnvironment, note: string) => {
    const client = await env.pg.connect();
    try {
      await client.query("BEGIN");
      await client.query("INSERT INTO scratch_serial (note) VALUES ($1)", [note]);
      await client.query("INSERT INTO scratch_identity (note) VALUES ($1)", [note]);
    } finally {
      await client.query("ROLLBACK");
      client.release();
    }
  };
  return [
    // A chain of parents and children: a user, a campaign, a contact, a call (each its own table).
    fc.integer({ min: 1, max: 4 }).map((depth) =>
      write(`seed a chain of ${depth} tables`, async (env) => {
        const user = makeUser();
        const campaign = makeCampaign(user.id);
        const contact = makeContact(campaign.id);
        const call = makeCall(campaign.id, contact.id);
        const chain = { users: [user], campaigns: [campaign], contacts: [contact], calls: [call] };
        await seedTestData(env, { tables: Object.fromEntries(Object.entries(chain).slice(0, depth)) });
      }),
    ),
    // Rows a trigger changes (updated_at), rows a foreign-key cascade deletes.
    fc.constant(
      write("pause every campaign", (env) => env.pg.query("UPDATE campaigns SET status = 'paused'")),
    ),
    fc.constant(write("delete every campaign", (env) => env.pg.query("DELETE FROM campaigns"))),
    fc.constant(
      write("blacklist through the code's own pool", (_env, own) =>
        own!.pg.query("INSERT INTO blacklist (phone, reason) VALUES ($1, 'own pool')", [uniquePhone()]),
      ),
    ),
    fc.array(token, { minLength: 1, maxLength: 5 }).map((notes) =>
      write(`${notes.length} scratch rows`, async (env) => {
        await env.pg.query("INSERT INTO scratch_serial (note) SELECT unnest($1::text[])", [notes]);
        await env.pg.query("INSERT INTO scratch_identity (note) SELECT unnest($1::text[])", [notes]);
      }),
    ),
    // The sequences move on; the trigger's record of the write rolls back with the rows.
    token.map((note) => write("a rolled-back insert", (env) => rolledBack(env, note))),
    fc.constant(write("truncate a scratch table", (env) => env.pg.query("TRUNCATE scratch_serial"))),
    // A table a test creates; CREATE TABLE AS fills one without an insert.
    fc.integer({ min: 0, max: 3 }).map((n) =>
      write(`create a table of ${n} rows`, async (env) => {
        const table = `made_in_test_${randomUUID().slice(0, 8)}`;
        await env.pg.query(`CREATE TABLE ${table} (id serial, n int)`);
        await env.pg.query(`INSERT INTO ${table} (n) SELECT generate_series(1, $1::int)`, [n]);
        await env.pg.query(`CREATE TABLE ${table}_copy AS SELECT * FROM ${table}`);
      }),
    ),
  ];
}

function mongoWrites(env: TestEnvironment): fc.Arbitrary<Write>[] {
  const names = env.context.mongo!.spec.collections.map((c) => c.name);
  const document = fc.record({ key: token, n: fc.integer(), tags: fc.array(fc.string(), { maxLength: 3 }) });
  return [
    fc
      .tuple(pick(names), fc.array(document, { minLength: 1, maxLength: 4 }))
      .map(([name, docs]) =>
        write(`${docs.length} documents into ${name}`, (env) => env.mongo.collection(name).insertMany(docs)),
      ),
    fc
      .tuple(pick(names), document)
      .map(([name, doc]) =>
        write(`an upsert into ${name}`, (env) =>
          env.mongo.collection(name).updateOne({ key: doc.key }, { $set: doc }, { upsert: true }),
        ),
      ),
    fc
      .tuple(token, document)
      .map(([name, doc]) =>
        write("a document into a new collection", (env) =>
          env.mongo.collection(`made_${name}`).insertOne(doc),
        ),
      ),
    fc
      .tuple(pick(names), document)
      .map(([name, doc]) =>
        write(`a document into ${name} through the code's own client`, (env, own) =>
          own!.mongo.db(env.mongo.databaseName).collection(name).insertOne(doc),
        ),
      ),
    pick(names).map((name) => write(`drop ${name}`, (env) => env.mongo.collection(name).drop())),
  ];
}

function redisWrites(): fc.Arbitrary<Write>[] {
  return [
    fc
      .tuple(token, fc.string())
      .map(([key, value]) => write("a string key", (env) => env.redis.set(key, value))),
    fc
      .tuple(token, fc.string())
      .map(([key, value]) => write("a hash key", (env) => env.redis.hset(key, { field: value }))),
    fc.tuple(token, fc.string()).map(([key, value]) =>
      write("a list key with a TTL", async (env) => {
        await env.redis.rpush(key, value);
        await env.redis.expire(key, 60);
      }),
    ),
  ];
}

function awsWrites(env: TestEnvironment): fc.Arbitrary<Write>[] {
  const { queues, buckets, tables, topics } = env.aws.resources;
  const { spec } = env.context.aws!;
  // Not the Lambda function's queue nor the topic that feeds it: the function answers seconds later,
  // on its own schedule (the Lambda test of reset.property.test.ts covers that path).
  const fed = new Set(spec.functions.flatMap((f) => f.eventSourceQueue ?? []));
  const queueNames = Object.keys(queues).filter((q) => !fed.has(q));
  const topicNames = spec.topics
    .filter((t) => !t.subscribeQueues?.some((q) => fed.has(q)))
    .map((t) => t.name);
  const sampleKeys = spec.buckets.flatMap((b) => (b.objects ?? []).map((o) => [b.name, o.key] as const));
  const send = (sqs: SQSClient, queue: string, body: string, DelaySeconds = 0) =>
    sqs.send(new SendMessageCommand({ QueueUrl: queues[queue].url, MessageBody: body, DelaySeconds }));
  const writes: fc.Arbitrary<Write>[] = [
    fc
      .tuple(pick(queueNames), token, fc.constantFrom(0, 0, 30))
      .map(([queue, body, delay]) =>
        write(`a message to ${queue}, delayed ${delay} s`, (env) => send(env.aws.sqs, queue, body, delay)),
      ),
    fc.tuple(pick(queueNames), token).map(([queue, body]) =>
      write(`a message to ${queue}, received`, async (env) => {
        await send(env.aws.sqs, queue, body);
        await env.aws.sqs.send(new ReceiveMessageCommand({ QueueUrl: queues[queue].url }));
      }),
    ),
    fc
      .tuple(pick(queueNames), token)
      .map(([queue, body]) =>
        write(`a message to ${queue} through the code's own client`, (_env, own) =>
          send(own!.sqs, queue, body),
        ),
      ),
    // The test waits for SNS to deliver, as one must (the guide's "Resetting between tests").
    fc.tuple(pick(topicNames), token).map(([topic, message]) =>
      write(`a message published to ${topic}`, async (env) => {
        const subscribed = spec.topics.find((t) => t.name === topic)!.subscribeQueues ?? [];
        const counts = () => Promise.all(subscribed.map((queue) => messages(env, queue)));
        const before = await counts();
        await env.aws.sns.send(new PublishCommand({ TopicArn: topics[topic], Message: message }));
        await waitFor(async () => (await counts()).every((n, i) => n > before[i]), {
          message: `the delivery to ${subscribed.join(", ")}`,
        });
      }),
    ),
    fc
      .tuple(pick(Object.keys(buckets)), token, fc.string())
      .map(([bucket, key, body]) =>
        write(`a new object in ${bucket}`, (env) =>
          env.aws.s3.send(new PutObjectCommand({ Bucket: buckets[bucket], Key: key, Body: `new ${body}` })),
        ),
      ),
    fc
      .tuple(pick(sampleKeys), fc.string())
      .map(([[bucket, key], body]) =>
        write(`${bucket}/${key} overwritten`, (env) =>
          env.aws.s3.send(
            new PutObjectCommand({ Bucket: buckets[bucket], Key: key, Body: `changed ${body}` }),
          ),
        ),
      ),
    pick(sampleKeys).map(([bucket, key]) =>
      write(`${bucket}/${key} deleted`, (env) =>
        env.aws.s3.send(new DeleteObjectCommand({ Bucket: buckets[bucket], Key: key })),
      ),
    ),
    fc.tuple(pick(sampleKeys), token).map(([[bucket, key], copy]) =>
      write(
        `${bucket}/${key} copied`,
        (env) =>
          env.aws.s3
            .send(
              new CopyObjectCommand({
                Bucket: buckets[bucket],
                Key: copy,
                CopySource: `${buckets[bucket]}/${key}`,
              }),
            )
            .catch(() => undefined), // refused when an earlier write deleted the sample
      ),
    ),
  ];
  for (const table of spec.tables.filter((t) => tables[t.name]))
    writes.push(
      token.map((key) =>
        write(`an item in ${table.name}`, (env) =>
          env.aws.dynamodb.send(
            new PutItemCommand({ TableName: tables[table.name], Item: { [table.partitionKey]: { S: key } } }),
          ),
        ),
      ),
    );
  return writes;
}

/** Random writes into every store the env has, as one test would make them, in order. */
export function writes(env: TestEnvironment): fc.Arbitrary<Write[]> {
  const all = env.services.flatMap((name) => {
    if (name === "postgres") return postgresWrites();
    if (name === "mongo") return mongoWrites(env);
    if (name === "redis") return redisWrites();
    return awsWrites(env);
  });
  return fc.array(fc.oneof(...all), { maxLength: 10 });
}

/**
 * The property: whatever a test writes, in whatever order, cleanTestData brings every store back to
 * `baseline`.
 */
export async function checkResets(
  env: TestEnvironment,
  baseline: Dump,
  arbitrary: fc.Arbitrary<Write[]>,
  numRuns: number,
  own?: OwnClients,
): Promise<void> {
  await fc.assert(
    fc.asyncProperty(arbitrary, async (written) => {
      try {
        for (const w of written) await w.run(env, own);
      } finally {
        await cleanTestData(env); // also after a failed write, so fast-check's shrinking starts clean
      }
      await expectBaseline(env, baseline);
    }),
    { numRuns },
  );
}
