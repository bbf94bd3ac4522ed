// Testing guide, "Transactions", as written.
// #region transaction
import {
  seedTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
  withTransaction,
} from "campaign-testenv";
import { makeBlacklistEntry } from "campaign-testenv/fixtures";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres"] });
});
afterAll(() => teardownTestEnvironment(env));

test("a duplicate phone is refused, and nothing stays behind", async () => {
  const entry = makeBlacklistEntry();
  const refused = await withTransaction(env.postgres, async (client) => {
    await client.query("INSERT INTO blacklist (id, phone) VALUES ($1, $2)", [entry.id, entry.phone]);
    await client.query("SAVEPOINT duplicate");
    const error = await client.query("INSERT INTO blacklist (phone) VALUES ($1)", [entry.phone]).then(
      () => null,
      (e: Error) => e,
    );
    await client.query("ROLLBACK TO SAVEPOINT duplicate");
    const { rows } = await client.query<{ n: number }>("SELECT count(*)::int AS n FROM blacklist");
    return { message: error?.message, inside: rows[0].n };
  });
  expect(refused).toEqual({ message: expect.stringMatching(/duplicate key/), inside: 1 });

  const { rows } = await env.postgres.query<{ n: number }>("SELECT count(*)::int AS n FROM blacklist");
  expect(rows[0].n).toBe(0); // rolled back
  await seedTestData(env, { tables: { blacklist: [entry] } }); // the id is free again
});
// #endregion transaction
