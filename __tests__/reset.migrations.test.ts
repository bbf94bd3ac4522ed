// The reset property again, from a second test file of the run's environment; then on a consumer's
// own migrations (an environment of this file's own): lookup rows the migrations insert, which
// cleanTestData must put back, sequences the migrations used, identity and generated columns, a
// partitioned table, an audit trigger, a foreign key that forbids deleting a lookup row, a schema of
// its own, and writes made with triggers off as bulk loads make them.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import fc from "fast-check";
import {
  cleanTestData,
  setupTestEnvironment,
  startEnvironment,
  type StartedEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "../src";
import {
  checkResets,
  closeOwnClients,
  type Dump,
  dump,
  expectPristine,
  type OwnClients,
  ownClients,
  SCRATCH_TABLES,
  type Write,
  writes,
} from "./support/reset";

describe("the run's environment, from a second test file", () => {
  let env: TestEnvironment;
  let own: OwnClients;
  let baseline: Dump;
  beforeAll(async () => {
    env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
    expectPristine(env, await dump(env));
    own = ownClients(env);
    await env.pg.query(SCRATCH_TABLES);
    await cleanTestData(env);
    baseline = await dump(env);
  });
  afterAll(async () => {
    await closeOwnClients(own);
    await teardownTestEnvironment(env);
  });

  test("random writes into every store: cleanTestData puts every store back as it was", async () => {
    await checkResets(env, baseline, writes(env), 25, own);
  }, 120_000);

  // Across files, for certain: a set given back with a test's writes still in it (no cleanTestData),
  // then claimed by the next file, which prepares it (an explicit id: neither file takes a pool's).
  test("a store set given back dirty comes pristine to the next file that claims it", async () => {
    const services = ["postgres", "mongo", "redis", "aws"] as const;
    const first = await setupTestEnvironment({ services: [...services], storeSetId: 3 });
    const firstOwn = ownClients(first);
    try {
      await first.pg.query(SCRATCH_TABLES);
      for (const written of fc.sample(writes(first), { numRuns: 5, seed: 20 }))
        for (const w of written) await w.run(first, firstOwn);
      await first.redis.set("left-behind", "1");
      const dirty = await dump(first);
      expect(() => expectPristine(first, dirty)).toThrow(); // it really is given back written
    } finally {
      await closeOwnClients(firstOwn);
      await teardownTestEnvironment(first);
    }
    const next = await setupTestEnvironment({ services: [...services], storeSetId: 3 });
    try {
      expectPristine(next, await dump(next));
    } finally {
      await teardownTestEnvironment(next);
    }
  }, 120_000);
});

const MIGRATIONS = {
  "001_lookup.sql": `
    CREATE TABLE countries (
      id serial PRIMARY KEY,
      code text NOT NULL UNIQUE,
      name text NOT NULL,
      code_upper text GENERATED ALWAYS AS (upper(code)) STORED
    );
    INSERT INTO countries (code, name) VALUES ('us', 'United States'), ('gb', 'United Kingdom'), ('fr', 'France');
    CREATE TABLE cities (
      id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
      country_id int NOT NULL REFERENCES countries ON DELETE CASCADE,
      name text NOT NULL,
      updated_at timestamptz NOT NULL DEFAULT now()
    );
    INSERT INTO cities (country_id, name) VALUES (1, 'New York'), (2, 'London');
    CREATE SEQUENCE invoice_numbers START 1000;
    SELECT nextval('invoice_numbers');`,
  "002_audit.sql": `
    CREATE TABLE audit_log (id bigserial PRIMARY KEY, tbl text NOT NULL, op text NOT NULL);
    CREATE FUNCTION audit() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      INSERT INTO audit_log (tbl, op) VALUES (TG_TABLE_NAME, TG_OP);
      RETURN NULL;
    END $$;
    CREATE TRIGGER cities_audit AFTER INSERT OR UPDATE OR DELETE ON cities FOR EACH ROW EXECUTE FUNCTION audit();
    CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $$
    BEGIN
      NEW.updated_at := clock_timestamp();
      RETURN NEW;
    END $$;
    CREATE TRIGGER cities_touch BEFORE UPDATE ON cities FOR EACH ROW EXECUTE FUNCTION touch();
    INSERT INTO audit_log (tbl, op) VALUES ('migrations', 'INSERT');`,
  "003_orders.sql": `
    CREATE TABLE orders (id bigserial PRIMARY KEY, city_id int NOT NULL REFERENCES cities ON DELETE RESTRICT, total int);
    CREATE TABLE events (id bigserial, at date NOT NULL, what text) PARTITION BY RANGE (at);
    CREATE TABLE events_2025 PARTITION OF events FOR VALUES FROM ('2025-01-01') TO ('2026-01-01');
    CREATE TABLE events_2026 PARTITION OF events FOR VALUES FROM ('2026-01-01') TO ('2027-01-01');
    INSERT INTO events (at, what) VALUES ('2025-05-05', 'opened');
    CREATE SCHEMA billing;
    CREATE TABLE billing.invoices (number int PRIMARY KEY DEFAULT nextval('invoice_numbers'), order_id bigint);`,
};

/** Writes a test of that consumer makes; a statement may fail (and roll back), as in real tests. */
function consumerWrites(): fc.Arbitrary<Write[]> {
  const sql = (label: string, statement: string): Write => ({
    run: (env) => env.pg.query(statement).catch(() => undefined), // refused: rolled back, as a test sees it
    [fc.toStringMethod]: () => label,
  });
  const name = fc.stringMatching(/^[a-z]{1,8}$/);
  const statements: fc.Arbitrary<Write>[] = [
    name.map((n) => sql(`a country ${n}`, `INSERT INTO countries (code, name) VALUES ('${n}', 'Land ${n}')`)),
    name.map((n) =>
      sql("a lookup row renamed", `UPDATE countries SET name = 'Renamed ${n}' WHERE code = 'fr'`),
    ),
    fc.constant(sql("a lookup row deleted, its cities cascaded", "DELETE FROM countries WHERE code = 'gb'")),
    fc.constant(sql("every lookup table truncated", "TRUNCATE countries CASCADE")),
    name.map((n) => sql(`a city ${n}`, `INSERT INTO cities (country_id, name) VALUES (1, '${n}')`)),
    fc.constant(sql("every city renamed (touch and audit triggers)", "UPDATE cities SET name = name || '!'")),
    fc.constant(sql("an order for a lookup city", "INSERT INTO orders (city_id, total) VALUES (1, 5)")),
    fc.constant(sql("a lookup city deleted (refused once it has orders)", "DELETE FROM cities WHERE id = 2")),
    fc
      .constantFrom("2025-02-02", "2026-03-03")
      .map((at) => sql(`an event on ${at}`, `INSERT INTO events (at, what) VALUES ('${at}', 'x')`)),
    fc.constant(
      sql("an event straight into a partition", "INSERT INTO events_2026 (at) VALUES ('2026-09-09')"),
    ),
    fc.constant(sql("every event deleted through the parent", "DELETE FROM events")),
    fc.constant(
      sql("an invoice from the migrations' sequence", "INSERT INTO billing.invoices (order_id) VALUES (1)"),
    ),
    fc.constant(sql("a number drawn", "SELECT nextval('invoice_numbers')")),
    fc.constant(
      sql("a failing insert that drew from a sequence", "INSERT INTO orders (city_id) VALUES (-1)"),
    ),
    fc.constant<Write>({
      // As bulk loads do: triggers and foreign keys off for the session.
      run: async (env) => {
        const client = await env.pg.connect();
        try {
          await client.query("SET session_replication_role = replica");
          await client.query("INSERT INTO orders (city_id, total) VALUES (999, 1)");
          await client.query("INSERT INTO cities (country_id, name) VALUES (3, 'Lyon')");
        } finally {
          await client.query("RESET session_replication_role");
          client.release();
        }
      },
      [fc.toStringMethod]: () => "rows loaded with triggers off",
    }),
    fc.constant<Write>({
      run: async (env) => {
        const client = await env.pg.connect();
        try {
          await client.query("BEGIN");
          await client
            .query("INSERT INTO cities (country_id, name) VALUES (1, 'Gone')")
            .catch(() => undefined);
        } finally {
          await client.query("ROLLBACK");
          client.release();
        }
      },
      [fc.toStringMethod]: () => "a rolled-back city",
    }),
  ];
  return fc.array(fc.oneof(...statements), { maxLength: 12 });
}

describe("a consumer's migrations with lookup rows, sequences, partitions and triggers", () => {
  const folder = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-reset-"));
  let environment: StartedEnvironment;
  let env: TestEnvironment;
  let baseline: Dump;
  beforeAll(async () => {
    for (const [file, sql] of Object.entries(MIGRATIONS)) writeFileSync(path.join(folder, file), sql);
    environment = await startEnvironment({ services: ["postgres"], migrationsDir: folder, quiet: true });
    env = await setupTestEnvironment({ services: ["postgres"], context: environment.context });
    baseline = await dump(env);
  }, 180_000);
  afterAll(async () => {
    await teardownTestEnvironment(env);
    await environment?.stop();
    rmSync(folder, { recursive: true, force: true });
  });
  beforeEach(() => cleanTestData(env));

  test("the store set holds what the migrations inserted", () => {
    const { tables, sequences } = baseline.postgres!;
    expect(tables.countries).toHaveLength(3);
    expect(tables.cities).toEqual([
      expect.stringMatching(/^\(1,1,"New York",/),
      expect.stringMatching(/^\(2,2,London,/),
    ]);
    expect(tables.events_2025).toEqual(["(1,2025-05-05,opened)"]);
    expect(tables.audit_log).toEqual(["(1,migrations,INSERT)"]); // its trigger came after the cities
    expect(sequences).toMatchObject({
      countries_id_seq: "3:true",
      invoice_numbers: "1000:true",
      orders_id_seq: "1:false",
    });
  });

  test("random writes: the lookup rows, sequences and every other table come back as the migrations left them", async () => {
    await checkResets(env, baseline, consumerWrites(), 60);
  }, 120_000);
});
