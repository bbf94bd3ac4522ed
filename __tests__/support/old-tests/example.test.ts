// The old docs' example test file, with its two import paths moved to this package (docs/MIGRATING.md).
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
    await env.redis.set(`campaign:${campaign.id}:active_calls`, "0");

    const { rows } = await env.postgres.query(
      "SELECT c.name FROM campaigns c JOIN users u ON u.id = c.owner_id WHERE u.email = $1",
      [user.email],
    );
    expect(rows).toEqual([{ name: campaign.name }]);
    expect(await env.mongodb.collection("event_logs").countDocuments({ campaignId: campaign.id })).toBe(1);
    expect(await env.redis.get(`campaign:${campaign.id}:active_calls`)).toBe("0");
  });

  it("starts every test from empty stores", async () => {
    const { rows } = await env.postgres.query("SELECT count(*)::int AS users FROM users");
    expect(rows).toEqual([{ users: 0 }]);
    expect(await env.mongodb.collection("event_logs").countDocuments()).toBe(0);
    expect(await env.redis.dbsize()).toBe(0);
  });
});
// #endregion old-example
