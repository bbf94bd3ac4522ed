// Testing guide, "A campaign in one call", as written.
// #region seed-campaign
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";
import { callStores, seedCampaign, startCall } from "campaign-testenv/campaign";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("a campaign with one free slot refuses the second call", async () => {
  const { campaign, contacts } = await seedCampaign(env, {
    campaign: { max_concurrent_calls: 1 },
    contacts: [{ first_name: "Ann" }, { time_zone: "Asia/Tokyo" }],
  });
  const stores = callStores(env); // this store set's clients, queue URL, topic ARNs and bucket
  const first = await startCall(stores, campaign.id, contacts[0].id);
  const second = await startCall(stores, campaign.id, contacts[1].id);
  expect(first.ok).toBe(true);
  expect(second).toMatchObject({ ok: false, reason: "no_slot" });
});
// #endregion seed-campaign
