// README, "Using it from another repository": the first test file, as written (the first-run suite runs it
// too, in a consumer project).
// #region test-file
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => (env = await setupTestEnvironment({ services: ["postgres"] })));
afterAll(() => teardownTestEnvironment(env));

test("the Campaign System's schema is migrated, and this file's database starts empty", async () => {
  const { rows } = await env.postgres.query("SELECT count(*)::int AS campaigns FROM campaigns");
  expect(rows).toEqual([{ campaigns: 0 }]);
});
// #endregion test-file
