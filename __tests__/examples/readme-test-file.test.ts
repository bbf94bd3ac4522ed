// README, "Using it from another repository": the test file, as written.
// #region test-file
import {
  cleanTestData,
  seedTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => (env = await setupTestEnvironment({ services: ["postgres", "mongo"] })));
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("an active campaign can be found", async () => {
  await seedTestData(env);
  const { rows } = await env.postgres.query("SELECT name FROM campaigns WHERE status = 'active'");
  expect(rows.length).toBeGreaterThan(0);
});
// #endregion test-file
