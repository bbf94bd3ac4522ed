// Testing guide, "Per-worker isolation", as written.
// #region isolation
import { Pool } from "pg";
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));

test("every client points at this test file's store set", async () => {
  const { rows } = await env.postgres.query<{ db: string }>("SELECT current_database() AS db");
  expect(rows[0].db).toBe(env.storeSet.postgresDatabase); // campaign_s1, campaign_s2, ...
  expect(env.mongo.databaseName).toBe(env.storeSet.mongoDatabase);
  expect(env.redis.options.db).toBe(env.storeSet.redisDb);
  // AWS: the store set is an account of its own; queues, topics and tables keep their production names.
  expect(env.aws.resources.queues["dial-tasks"].arn).toContain(`:${env.storeSet.awsAccount}:dial-tasks`);
  expect(env.aws.resources.buckets["reports"]).toBe(`${env.storeSet.awsBucketPrefix}reports`); // S3: one namespace
});

test("code that makes its own pool is given this test file's database", async () => {
  const { host, port, user, password } = env.context.postgres!;
  const appPool = new Pool({ host, port, user, password, database: env.storeSet.postgresDatabase });
  try {
    const { rows } = await appPool.query<{ db: string }>("SELECT current_database() AS db");
    expect(rows[0].db).toBe(env.storeSet.postgresDatabase);
  } finally {
    await appPool.end();
  }
});
// #endregion isolation
