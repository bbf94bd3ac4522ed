// Quick start, step 5: __tests__/first.test.ts, as written.
// #region first-test
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "redis"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("PostgreSQL: a blacklist entry goes in and comes back", async () => {
  await env.postgres.query("INSERT INTO blacklist (phone, reason) VALUES ($1, $2)", [
    "+12025550199",
    "complaint",
  ]);
  const { rows } = await env.postgres.query<{ reason: string; source: string }>(
    "SELECT reason, source FROM blacklist WHERE phone = $1",
    ["+12025550199"],
  );
  expect(rows).toEqual([{ reason: "complaint", source: "manual" }]);
});

test("Redis: SET then GET", async () => {
  await env.redis.set("greeting", "hello");
  expect(await env.redis.get("greeting")).toBe("hello");
});
// #endregion first-test
