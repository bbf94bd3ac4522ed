// Testing guide, "The load harness": 100 simultaneous calls on the real stores, as written.
// #region load
import {
  type CallHandler,
  cleanTestData,
  reportTable,
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

test("100 simultaneous calls: every step's p99 under 200 ms", async () => {
  const calls = 100;
  const stores = callStores(env);
  const { campaign, contacts } = await seedCampaign(env, {
    campaign: { max_concurrent_calls: calls, calls_per_minute: 60 * calls },
    contacts: calls + 20,
  });
  const handler: CallHandler = async ({ index, warmUp, step, hold }) => {
    const contact = contacts[warmUp ? calls + index : index]; // the warm-up's contacts come after
    const started = await startCall(stores, campaign.id, contact.id, { step });
    if (!started.ok) return started.reason; // counted by label
    await answerCall(stores, started.call, { step });
    await hold();
    await endCall(stores, started.call, "answered", { step });
  };

  // 20 calls first, unmeasured: an emulator's first use of each operation costs it more than a call.
  const report = await runLoad(handler, { calls, warmUp: 20, name: "100 calls", startsPerSecond: 50 });
  console.log(reportTable(report));

  expect(report.errors.count).toBe(0);
  expect(report.heldTogether).toBe(calls);
  const slow = Object.entries(report.steps).filter(([, p]) => p.p99 > 200);
  expect(slow.map(([name]) => name)).toEqual([]);
});
// #endregion load
