// Testing guide, "The skeleton of a test file", as written.
// #region skeleton
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("the schema is there", async () => {
  const { rows } = await env.postgres.query<{ n: number }>("SELECT count(*)::int AS n FROM campaigns");
  expect(rows[0].n).toBe(0);
});
// #endregion skeleton
