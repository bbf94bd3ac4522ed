import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Client } from "pg";
import {
  loadMigrations,
  type Migration,
  migrate,
  migrationsHash,
  statementEnds,
} from "../../src/services/postgres/migrations";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-migrations-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const write = (files: Record<string, string>) => {
  for (const [name, sql] of Object.entries(files)) writeFileSync(path.join(dir, name), sql);
};

describe("loadMigrations", () => {
  test("NNN_name.sql files in numeric order, with their path, content and SHA-256", () => {
    write({ "10_later.sql": "SELECT 10;", "002_second.sql": "SELECT 2;", "1_first.sql": "SELECT 1;" });
    const migrations = loadMigrations(dir);
    expect(migrations.map((m) => m.name)).toEqual(["1_first.sql", "002_second.sql", "10_later.sql"]);
    expect(migrations[0]).toEqual({
      name: "1_first.sql",
      file: path.join(dir, "1_first.sql"),
      sql: "SELECT 1;",
      checksum: "17db4fd369edb9244b9f91d9aeed145c3d04ad8ba6e95d06247f07a63527d11a", // sha256sum of "SELECT 1;"
    });
    expect(migrations[0].checksum).not.toBe(migrations[1].checksum);
  });

  test("other files and names are ignored", () => {
    write({
      "001_users.sql": "SELECT 1;",
      "README.md": "notes",
      "002_users.sql.bak": "old",
      "users.sql": "no number",
      "_003.sql": "no number first",
      "004 spaces.sql": "a space",
    });
    mkdirSync(path.join(dir, "archive"));
    expect(loadMigrations(dir).map((m) => m.name)).toEqual(["001_users.sql"]);
  });

  test("two files with the same number are refused, naming one", () => {
    write({ "001_users.sql": "a", "002_a.sql": "b", "2_b.sql": "c" });
    expect(() => loadMigrations(dir)).toThrow(/two migrations share the number of (002_a|2_b)\.sql in /);
  });

  test("a folder without migrations is an error naming it", () => {
    write({ "README.md": "nothing here" });
    expect(() => loadMigrations(dir)).toThrow(`no NNN_name.sql files in the migrations folder ${dir}`);
  });

  test("a folder that cannot be read is an error naming it", () => {
    const missing = path.join(dir, "missing");
    expect(() => loadMigrations(missing)).toThrow(`cannot read the migrations folder ${missing} (ENOENT`);
  });

  test("the package's own migrations load", () => {
    const own = loadMigrations(path.join(__dirname, "../../migrations"));
    expect(own.length).toBeGreaterThan(0);
    expect(own.map((m) => m.name)).toEqual([...own.map((m) => m.name)].sort());
  });
});

describe("migrationsHash", () => {
  const hashOf = () => migrationsHash(loadMigrations(dir));

  test("is stable for the same files", () => {
    write({ "001_a.sql": "SELECT 1;", "002_b.sql": "SELECT 2;" });
    expect(hashOf()).toMatch(/^[0-9a-f]{64}$/);
    expect(hashOf()).toBe(hashOf());
  });

  test("changes when a file's content changes, by one character", () => {
    write({ "001_a.sql": "SELECT 1;", "002_b.sql": "SELECT 2;" });
    const before = hashOf();
    write({ "002_b.sql": "SELECT 3;" });
    expect(hashOf()).not.toBe(before);
  });

  test("changes when a file is renamed, added or removed", () => {
    write({ "001_a.sql": "SELECT 1;" });
    const one = hashOf();
    write({ "002_b.sql": "SELECT 2;" });
    const two = hashOf();
    rmSync(path.join(dir, "002_b.sql"));
    write({ "002_c.sql": "SELECT 2;" });
    const renamed = hashOf();
    expect(new Set([one, two, renamed]).size).toBe(3);
  });
});

// migrate() only talks to its client through query(): a stub client that records the statements and
// fails where told shows the bookkeeping and the failure message without a database.
function stubClient(applied: { name: string; checksum: string }[], fail?: { sql: string; error: object }) {
  const queries: string[] = [];
  const client = {
    async query(text: string) {
      queries.push(text);
      if (text.startsWith("SELECT name, checksum FROM schema_migrations")) return { rows: applied };
      if (fail && text === fail.sql) throw Object.assign(new Error("failed"), fail.error);
      return { rows: [] };
    },
  } as unknown as Client;
  return { client, queries };
}

const migration = (name: string, sql: string, checksum = `sum-of-${name}`): Migration => ({
  name,
  file: `/m/${name}`,
  sql,
  checksum,
});

describe("migrate", () => {
  test("applies only what is not applied yet, each in its own transaction, recording its checksum", async () => {
    const a = migration("001_a.sql", "CREATE TABLE a ();");
    const b = migration("002_b.sql", "CREATE TABLE b ();");
    const { client, queries } = stubClient([{ name: a.name, checksum: a.checksum }]);
    await expect(migrate(client, [a, b])).resolves.toEqual(["002_b.sql"]);
    expect(queries.slice(2)).toEqual([
      "BEGIN",
      "CREATE TABLE b ();",
      "INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)",
      "COMMIT",
    ]);
  });

  test("an applied file whose content changed is an error, before anything runs", async () => {
    const a = migration("001_a.sql", "CREATE TABLE a (x int);", "bbbbbbbbbbbbbbbbbbbb");
    const { client, queries } = stubClient([{ name: a.name, checksum: "aaaaaaaaaaaaaaaaaaaa" }]);
    await expect(migrate(client, [a])).rejects.toThrow(
      "migration /m/001_a.sql changed after it was applied (checksum aaaaaaaaaaaa was recorded, " +
        "the file now has bbbbbbbbbbbb)",
    );
    expect(queries).not.toContain("BEGIN");
  });

  test("a failing statement is rolled back and quoted with its line, comments before it left out", async () => {
    const sql =
      "CREATE TABLE a (id int);\n\n-- the second table\nCREATE TABLE b (\n  id intt\n);\nSELECT 1;\n";
    const position = String(sql.indexOf("intt") + 1); // PostgreSQL counts from 1
    const cause = { message: 'type "intt" does not exist', position };
    const { client, queries } = stubClient([], { sql, error: cause });
    const failure = migrate(client, [migration("003_b.sql", sql)]);
    await expect(failure).rejects.toThrow(
      'migration /m/003_b.sql failed: type "intt" does not exist at line 5, in the statement:\n' +
        "    CREATE TABLE b (\n" +
        "      id intt\n" +
        "    );",
    );
    expect(queries.slice(-2)).toEqual([sql, "ROLLBACK"]);
    expect(queries).not.toContain("COMMIT");
  });

  test("an error in the first statement, or one without a position, is described as well", async () => {
    const sql = "CREATE TABLE a (id intt)";
    const { client } = stubClient([], { sql, error: { message: "bad type", position: "21" } });
    await expect(migrate(client, [migration("001_a.sql", sql)])).rejects.toThrow(
      "migration /m/001_a.sql failed: bad type at line 1, in the statement:\n    CREATE TABLE a (id intt)",
    );
    const { client: other } = stubClient([], { sql, error: { message: "connection lost" } });
    await expect(migrate(other, [migration("001_a.sql", sql)])).rejects.toThrow(
      /^migration \/m\/001_a\.sql failed: connection lost$/,
    );
  });
});

describe("statementEnds", () => {
  test("semicolons in comments, quotes and dollar-quoted bodies do not end a statement", () => {
    const sql = [
      "-- create a; then b",
      "CREATE TABLE a (t text DEFAULT 'x;y', \"odd;name\" int);",
      "/* one; two */ CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;",
      "CREATE FUNCTION g() RETURNS int AS $body$ SELECT 2; $body$ LANGUAGE sql;",
      "INSERT INTO a VALUES ($1);",
    ].join("\n");
    const ends = statementEnds(sql).map((i) => sql.slice(0, i + 1).split("\n").length);
    expect(ends).toEqual([2, 3, 4, 5]); // one per line, each at the line's end
    for (const i of statementEnds(sql)) expect(sql[i + 1] ?? "\n").toBe("\n");
  });

  test("a failure after a commented semicolon quotes the whole failing statement", async () => {
    for (const sql of [
      "-- create a; then b\nCREATE TABLE b (id intt);",
      "CREATE TABLE a (t text DEFAULT 'x;y', id intt);",
    ]) {
      const position = String(sql.indexOf("intt") + 1);
      const { client } = stubClient([], { sql, error: { message: "bad", position } });
      const statement = sql.replace("-- create a; then b\n", "");
      await expect(migrate(client, [migration("001_a.sql", sql)])).rejects.toThrow(
        `in the statement:\n    ${statement}`,
      );
    }
  });
});
