// Test files of the Campaign System's old environment, written as its docs show them, with only their
// two import paths moved to this package: what a team brings over (docs/MIGRATING.md). The consumer
// suites run them under Jest (the preset) and Vitest (globals on), on postgres, mongo and redis.
export const OLD_ENVIRONMENT_TESTS: Record<string, string> = {
  "integration/example.test.ts": `
// #region old-example
import { setupTestEnvironment, teardownTestEnvironment, cleanTestData } from "campaign-testenv";
import { testUsers, testCampaigns } from "campaign-testenv/fixtures";

describe("My Integration Test", () => {
  let env: Awaited<ReturnType<typeof setupTestEnvironment>>;

  beforeAll(async () => {
    env = await setupTestEnvironment();
  });

  afterAll(async () => {
    await teardownTestEnvironment(env);
  });

  beforeEach(async () => {
    await cleanTestData(env);
  });

  it("should do something", async () => {
    // Use env.postgres, env.mongodb, env.redis
    const [user] = testUsers;
    const campaign = testCampaigns.find((c) => c.owner_id === user.id)!;
    await env.postgres.query(
      "INSERT INTO users (id, email, name, role, password_hash) VALUES ($1, $2, $3, $4, $5)",
      [user.id, user.email, user.name, user.role, user.password_hash],
    );
    await env.postgres.query(
      "INSERT INTO campaigns (id, owner_id, name, type, time_zone) VALUES ($1, $2, $3, $4, $5)",
      [campaign.id, user.id, campaign.name, campaign.type, campaign.time_zone],
    );
    await env.mongodb
      .collection("event_logs")
      .insertOne({ type: "campaign.viewed", campaignId: campaign.id, payload: {}, createdAt: new Date() });
    await env.redis.set(\`campaign:\${campaign.id}:active_calls\`, "0");

    const { rows } = await env.postgres.query(
      "SELECT c.name FROM campaigns c JOIN users u ON u.id = c.owner_id WHERE u.email = $1",
      [user.email],
    );
    expect(rows).toEqual([{ name: campaign.name }]);
    expect(await env.mongodb.collection("event_logs").countDocuments({ campaignId: campaign.id })).toBe(1);
    expect(await env.redis.get(\`campaign:\${campaign.id}:active_calls\`)).toBe("0");
  });

  it("starts every test from empty stores", async () => {
    const { rows } = await env.postgres.query("SELECT count(*)::int AS users FROM users");
    expect(rows).toEqual([{ users: 0 }]);
    expect(await env.mongodb.collection("event_logs").countDocuments()).toBe(0);
    expect(await env.redis.dbsize()).toBe(0);
  });
});
// #endregion old-example
`,
  "integration/fixture-names.test.ts": `
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
    sorted((await env.postgres.query<{ id: string }>(\`SELECT id FROM \${table}\`)).rows.map((r) => r.id));
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
`,
};
