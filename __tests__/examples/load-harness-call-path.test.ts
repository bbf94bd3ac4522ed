// Load harness guide: the call path of campaign-testenv/campaign inside a handler (the guide's
// fragment is the handler's body), on the real stores.
import {
  type CallHandler,
  cleanTestData,
  runLoad,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";
import { answerCall, callStores, endCall, seedCampaign, startCall } from "campaign-testenv/campaign";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("10 calls through the call path, each step timed, a refusal counted by label", async () => {
  const stores = callStores(env);
  const { campaign, contacts } = await seedCampaign(env, { contacts: 10 });
  await env.postgres.query("INSERT INTO blacklist (phone) VALUES ($1)", [contacts[9].phone]);

  const handler: CallHandler = async ({ index, step, hold }) => {
    const [campaignId, contactId] = [campaign.id, contacts[index].id];
    // #region call-path
    const started = await startCall(stores, campaignId, contactId, { step });
    if (!started.ok) return started.reason; // "blacklisted", "no_slot", ...: counted by label
    await answerCall(stores, started.call, { step });
    await hold();
    await endCall(stores, started.call, "answered", { step });
    // #endregion call-path
  };
  const report = await runLoad(handler, { calls: 10 });

  expect(report.errors).toEqual({ count: 0, messages: {} });
  expect(report.labels).toEqual({ ok: 9, blacklisted: 1 });
  expect(report.heldTogether).toBe(9);
  expect(Object.keys(report.steps)).toEqual(
    expect.arrayContaining(["checks", "call_row", "answer_row", "cdr"]),
  );
});
