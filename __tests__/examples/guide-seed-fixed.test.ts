// Testing guide, "The fixed data set", as written.
// #region seed-fixed
import {
  cleanTestData,
  seedTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";
import { ids, phones, testData } from "campaign-testenv/fixtures";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(async () => {
  await cleanTestData(env);
  await seedTestData(env);
});

test("Evan is blacklisted", async () => {
  const { rows } = await env.postgres.query("SELECT source FROM blacklist WHERE phone = $1", [phones.evan]);
  expect(rows).toEqual([{ source: "complaint" }]);
});

test("every call has its call detail record", async () => {
  const records = await env.mongo.collection("call_records").countDocuments();
  expect(records).toBe(testData.tables.calls.length);
  const alice = await env.mongo.collection("call_records").findOne({ callId: ids.calls.aliceDonation });
  expect(alice?.outcome).toBe("donation");
});
// #endregion seed-fixed
