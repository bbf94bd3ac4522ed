// The old fixtures' names, each the data seedTestData puts in the stores (docs/MIGRATING.md).
import { cleanTestData, seedTestData, setupTestEnvironment, teardownTestEnvironment } from "campaign-testenv";
import {
  testBlacklist,
  testCallRecords,
  testCampaigns,
  testContacts,
  testSmsRecords,
  testUsers,
} from "campaign-testenv/fixtures";

let env: Awaited<ReturnType<typeof setupTestEnvironment>>;
beforeAll(async () => {
  env = await setupTestEnvironment();
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

const sorted = (values: string[]) => [...values].sort();

test("each old fixture name is data that seedTestData puts in the stores", async () => {
  await seedTestData(env);
  const rows = async (table: string) =>
    sorted((await env.postgres.query<{ id: string }>(`SELECT id FROM ${table}`)).rows.map((r) => r.id));
  expect(await rows("users")).toEqual(sorted(testUsers.map((r) => r.id)));
  expect(await rows("campaigns")).toEqual(sorted(testCampaigns.map((r) => r.id)));
  expect(await rows("contacts")).toEqual(sorted(testContacts.map((r) => r.id)));
  expect(await rows("blacklist")).toEqual(sorted(testBlacklist.map((r) => r.id)));
  const docs = async (collection: string, key: string) =>
    sorted((await env.mongodb.collection(collection).find().toArray()).map((d) => d[key]));
  expect(await docs("call_records", "callId")).toEqual(sorted(testCallRecords.map((r) => r.callId)));
  expect(await docs("sms_records", "messageId")).toEqual(sorted(testSmsRecords.map((r) => r.messageId)));
  // The old environment's mongodb may have been a client: this one's is env.mongoClient.
  const viaClient = env.mongoClient.db(env.storeSet.mongoDatabase).collection("call_records");
  expect(await viaClient.countDocuments()).toBe(testCallRecords.length);
  expect(testCampaigns.map((c) => c.type)).toEqual(expect.arrayContaining(["voice", "sms", "hybrid"]));
});

test("the old accessors: env.mongodb is env.mongo, the store set's Db; env.postgres is env.pg", () => {
  expect(env.services).toEqual(["postgres", "mongo", "redis"]);
  expect(env.mongodb).toBe(env.mongo);
  expect(env.mongodb.databaseName).toBe(env.storeSet.mongoDatabase);
  expect(env.postgres).toBe(env.pg);
});
