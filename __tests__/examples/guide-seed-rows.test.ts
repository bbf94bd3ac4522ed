// Testing guide, "Rows of your own", as written.
// #region seed-rows
import {
  cleanTestData,
  seedTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";
import { makeCampaign, makeContact, makeEventLog, makeUser } from "campaign-testenv/fixtures";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("a paused campaign with two contacts", async () => {
  const owner = makeUser({ role: "administrator" });
  const campaign = makeCampaign(owner.id, { status: "paused", time_zone: "Europe/London" });
  const contacts = [makeContact(campaign.id), makeContact(campaign.id, { opted_out: true })];
  await seedTestData(env, {
    tables: { users: [owner], campaigns: [campaign], contacts },
    collections: { event_logs: [makeEventLog("campaign.status_changed", { campaignId: campaign.id })] },
  });

  const { rows } = await env.postgres.query<{ n: number }>(
    "SELECT count(*)::int AS n FROM contacts WHERE campaign_id = $1 AND NOT opted_out",
    [campaign.id],
  );
  expect(rows[0].n).toBe(1);
});
// #endregion seed-rows
