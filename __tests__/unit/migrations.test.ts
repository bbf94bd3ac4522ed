import { createHash } from "node:crypto";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { Client } from "pg";
import {
  loadMigrations,
  type Migration,
  migrate,
  migrationsHash,
  migrationFix,
  split,
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

  test("a folder without migrations is a plain database: no migrations", () => {
    write({ "README.md": "nothing here" });
    expect(loadMigrations(dir)).toEqual([]);
  });

  test("a folder that cannot be read is an error naming it", () => {
    const missing = path.join(dir, "missing");
    expect(() => loadMigrations(missing)).toThrow(`cannot read the migrations folder ${missing} (ENOENT`);
  });

  test("pg_dump's \\restrict and \\unrestrict lines are blanked, keeping every offset and line; the checksum is the file's", () => {
    const text = [
      "--",
      "-- PostgreSQL database dump",
      "--",
      "\\restrict 0BmHd1eGx3n3dSkbZxq7eW2ggXwP5Kbx",
      "SET statement_timeout = 0;",
      "CREATE TABLE public.a (t text DEFAULT E'back\\\\slash');",
      "\\unrestrict 0BmHd1eGx3n3dSkbZxq7eW2ggXwP5Kbx",
      "",
    ].join("\n");
    write({ "001_dump.sql": text });
    const [dump] = loadMigrations(dir);
    expect(dump.sql).toHaveLength(text.length);
    expect(dump.sql.split("\n")).toEqual([
      ...text.split("\n").slice(0, 3),
      " ".repeat(42),
      ...text.split("\n").slice(4, 6),
      " ".repeat(44),
      "",
    ]);
    expect(dump.checksum).toBe(createHash("sha256").update(text).digest("hex"));
  });

  test("any other psql meta-command is refused, naming the file, the line, the command and the fix", () => {
    write({
      "001_a.sql":
        "CREATE TABLE a (t text DEFAULT '\\connect in a string is text');\n/* \\x in a comment */\n",
      "002_b.sql": "CREATE TABLE b (id int);\n\n\\connect other_database\nCREATE TABLE c (id int);\n",
    });
    expect(() => loadMigrations(dir)).toThrow(
      `migration ${dir}/002_b.sql, line 3: psql meta-commands are not accepted (\\connect other_database): ` +
        "only psql runs them, and migrations run through a PostgreSQL connection. Remove the line.",
    );
    write({ "002_b.sql": "SELECT 1 \\gset\n" }); // psql reads one after a statement on its line too
    expect(() => loadMigrations(dir)).toThrow(
      `002_b.sql, line 1: psql meta-commands are not accepted (\\gset)`,
    );
  });

  test("COPY ... FROM stdin is refused before its rows, with the fix; COPY from a server file is SQL", () => {
    const copy = [
      "CREATE TABLE public.t (id int, note text);",
      "COPY public.t (id, note) FROM stdin;",
      "1\t\\N",
      "2\tit's",
      "\\.",
      "",
    ].join("\n");
    write({ "001_data.sql": copy });
    expect(() => loadMigrations(dir)).toThrow(
      `migration ${dir}/001_data.sql, line 2: COPY ... FROM stdin is not accepted (COPY public.t (id, note) FROM stdin;): ` +
        "its rows are psql's to send. Dump with `pg_dump --inserts` (or `--schema-only`), or put the rows in a " +
        "separate data migration of INSERTs.",
    );
    write({ "001_data.sql": "COPY t FROM '/srv/t.csv';\n-- COPY t FROM stdin;\n" });
    expect(loadMigrations(dir)).toHaveLength(1);
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
// fails, as the server would, every query holding `marker` (the error's position counted in that query,
// from 1, or none) shows the bookkeeping and the failure message without a database.
function stubClient(
  applied: { name: string; checksum: string }[],
  fail?: { marker: string; message: string; positioned?: boolean },
) {
  const queries: string[] = [];
  const client = {
    async query(text: string) {
      queries.push(text);
      if (text.startsWith("SELECT name, checksum FROM public.schema_migrations")) return { rows: applied };
      if (fail && text.includes(fail.marker)) {
        const position = fail.positioned ? String(text.indexOf(fail.marker) + 1) : undefined;
        throw Object.assign(new Error(fail.message), { position });
      }
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

const RECORD = "INSERT INTO public.schema_migrations (name, checksum) VALUES ($1, $2)";

describe("migrate", () => {
  test("applies only what is not applied yet, each in its own transaction and session, recording its checksum", async () => {
    const a = migration("001_a.sql", "CREATE TABLE a ();");
    const b = migration(
      "002_b.sql",
      "SELECT pg_catalog.set_config('search_path', '', false); CREATE TABLE public.b ();",
    );
    const c = migration("003_c.sql", "CREATE TABLE c ();");
    const { client, queries } = stubClient([{ name: a.name, checksum: a.checksum }]);
    await expect(migrate(client, [a, b, c])).resolves.toEqual(["002_b.sql", "003_c.sql"]);
    const file = (sql: string) => [
      "BEGIN",
      sql,
      "SET SESSION AUTHORIZATION DEFAULT; RESET ALL", // the package's insert: the session's own settings
      RECORD,
      "COMMIT",
      "DISCARD ALL", // the next file, and whatever runs after, get a session as new
    ];
    expect(queries[0]).toMatch(/^CREATE TABLE IF NOT EXISTS public\.schema_migrations \(/);
    expect(queries.slice(2)).toEqual([...file(b.sql), ...file(c.sql)]);
  });

  test("no migrations: nothing runs, not even schema_migrations' creation", async () => {
    const { client, queries } = stubClient([]);
    await expect(migrate(client, [])).resolves.toEqual([]);
    expect(queries).toEqual([]);
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

  test("a failure is rolled back, then the file runs again one statement at a time in a fresh session to name its line", async () => {
    const sql =
      "CREATE TABLE a (id int);\n\n-- the second table\nCREATE TABLE b (\n  id intt\n);\nSELECT 1;\n";
    const { client, queries } = stubClient([], {
      marker: "intt",
      message: 'type "intt" does not exist',
      positioned: true,
    });
    await expect(migrate(client, [migration("003_b.sql", sql)])).rejects.toThrow(
      'migration /m/003_b.sql failed: type "intt" does not exist at line 5, in the statement:\n' +
        "    CREATE TABLE b (\n" +
        "      id intt\n" +
        "    );",
    );
    expect(queries.slice(2)).toEqual([
      "BEGIN",
      sql, // the fast path: the whole file
      "ROLLBACK",
      "DISCARD ALL",
      "BEGIN",
      "CREATE TABLE a (id int);",
      "CREATE TABLE b (\n  id intt\n);", // fails: the one reported, the rest not run
      "ROLLBACK",
      "DISCARD ALL",
    ]);
    expect(queries).not.toContain("COMMIT");
    expect(queries).not.toContain(RECORD);
  });

  test("an error without a position is reported at its statement's line (a dump's missing owner)", async () => {
    const sql = [
      ...Array.from({ length: 38 }, (_, i) => `CREATE TABLE t${i} (id int);`),
      "",
      "ALTER TABLE public.t0\n    OWNER TO postgres;",
    ].join("\n");
    const { client } = stubClient([], {
      marker: "OWNER TO postgres",
      message: 'role "postgres" does not exist',
    });
    await expect(migrate(client, [migration("001_schema.sql", sql)])).rejects.toThrow(
      'migration /m/001_schema.sql failed: role "postgres" does not exist at line 40, in the statement:\n' +
        "    ALTER TABLE public.t0\n        OWNER TO postgres;",
    );
  });

  test("a failure after the file's statements (at COMMIT, or recording it) says where, naming no line", async () => {
    const sql = "INSERT INTO child VALUES (1);";
    const { client, queries } = stubClient([], {
      marker: "COMMIT",
      message: "violates foreign key constraint",
    });
    await expect(migrate(client, [migration("004_d.sql", sql)])).rejects.toThrow(
      /^migration \/m\/004_d\.sql failed: violates foreign key constraint, at its COMMIT \(a deferred constraint or trigger\)$/,
    );
    expect(queries.slice(-3)).toEqual(["COMMIT", "ROLLBACK", "DISCARD ALL"]); // not run again: no line to find
    const { client: other } = stubClient([], { marker: "INSERT INTO public", message: "permission denied" });
    await expect(migrate(other, [migration("004_d.sql", sql)])).rejects.toThrow(
      /failed: permission denied, at recording it in public\.schema_migrations$/,
    );
  });

  test("a failure no single statement repeats says so, naming no line", async () => {
    const sql = "SELECT 1;\nSELECT 2;";
    const { client } = stubClient([], { marker: sql, message: "deadlock detected" });
    await expect(migrate(client, [migration("005_e.sql", sql)])).rejects.toThrow(
      /^migration \/m\/005_e\.sql failed: deadlock detected \(no statement fails when they run one at a time, so no line is named\)$/,
    );
  });

  test("a connection lost on the way leaves the server's message, with the file", async () => {
    let lost = false;
    const client = {
      async query(text: string) {
        lost ||= text === "SELECT 1;";
        if (lost) throw new Error("Connection terminated unexpectedly");
        return { rows: [] };
      },
    } as unknown as Client;
    await expect(migrate(client, [migration("001_a.sql", "SELECT 1;")])).rejects.toThrow(
      /^migration \/m\/001_a\.sql failed: Connection terminated unexpectedly$/,
    );
  });
});

describe("migrationFix", () => {
  const failure = async (sql: string, message: string) => {
    const marker = sql.trim().split("\n").at(-1)!;
    const { client } = stubClient([], { marker, message });
    return (await migrate(client, [migration("001_schema.sql", `CREATE TABLE t (id int);\n${sql}`)]).catch(
      (error: Error) => error.message,
    )) as string;
  };

  test("a dump's owner or grantee that this database lacks: pg_dump --no-owner, --no-privileges", async () => {
    const missing = 'role "postgres" does not exist';
    const noOwner =
      "the file names a role this database does not have (its only role is campaign): dump with `pg_dump --no-owner`, or " +
      "create the role in an earlier migration; none of that file was applied (each migration runs in its own transaction).";
    expect(migrationFix(await failure("ALTER TABLE public.t OWNER TO postgres;", missing), "campaign")).toBe(
      noOwner,
    );
    expect(
      migrationFix(await failure("ALTER FUNCTION public.f() OWNER TO postgres;", missing), "campaign"),
    ).toBe(noOwner);
    expect(migrationFix(await failure("SET SESSION AUTHORIZATION 'postgres';", missing), "campaign")).toBe(
      noOwner,
    );
    for (const grant of [
      "GRANT SELECT ON TABLE public.t TO reader;",
      "REVOKE ALL ON TABLE public.t FROM reader;",
      "ALTER DEFAULT PRIVILEGES FOR ROLE postgres GRANT SELECT ON TABLES TO reader;",
    ]) {
      expect(migrationFix(await failure(grant, 'role "reader" does not exist'), "campaign")).toContain(
        "(its only role is campaign): dump with `pg_dump --no-privileges`, or create the role in an earlier migration;",
      );
    }
    expect(
      migrationFix(await failure("CREATE POLICY p ON t TO app;", 'role "app" does not exist'), "campaign"),
    ).toContain("(its only role is campaign): create the role in an earlier migration;");
  });

  test("another tool's schema_migrations, any other statement, and what is no failed migration", async () => {
    const taken = await failure(
      "CREATE TABLE public.schema_migrations (version bigint);",
      'relation "schema_migrations" already exists',
    );
    expect(migrationFix(taken, "campaign")).toMatch(
      /^this package keeps its own public\.schema_migrations: leave that table out of the file \(`pg_dump --exclude-table=schema_migrations`\); none/,
    );
    expect(migrationFix(await failure("SELECT 1/0;", "division by zero"), "campaign")).toBe(
      "correct that statement; none of that file was applied (each migration runs in its own transaction).",
    );
    expect(
      migrationFix(
        "migration /m/001_a.sql failed: boom, at its COMMIT (a deferred constraint or trigger)",
        "campaign",
      ),
    ).toBe(
      "correct the file named above; none of that file was applied (each migration runs in its own transaction).",
    );
    expect(migrationFix("connect ECONNREFUSED 127.0.0.1:5432\nsome log line", "campaign")).toBeUndefined();
  });
});

describe("split", () => {
  /** Each part as [kind, its text]. */
  const parts = (sql: string) => split(sql).map((p) => [p.kind, sql.slice(p.start, p.end)]);

  test("semicolons in comments, quotes, quoted identifiers and dollar-quoted bodies end no statement", () => {
    const sql = [
      "-- create a; then b",
      "CREATE TABLE a (t text DEFAULT 'x;y''z;', \"odd;name\"\"x;\" int);",
      "/* one; two */ CREATE FUNCTION f() RETURNS int AS $$ BEGIN RETURN 1; END $$ LANGUAGE plpgsql;",
      "CREATE FUNCTION g() RETURNS int AS $body$ SELECT 2; $$ still; $body$ LANGUAGE sql;",
      "INSERT INTO a VALUES ($1);",
    ].join("\n");
    expect(parts(sql)).toEqual([
      ["statement", sql.split("\n")[1]],
      ["statement", sql.split("\n")[2].slice("/* one; two */ ".length)],
      ["statement", sql.split("\n")[3]],
      ["statement", sql.split("\n")[4]],
    ]);
  });

  test("what dumps hold: tagged bodies inside bodies, E'' escapes, nested comments, $ in names", () => {
    const body = [
      "CREATE FUNCTION public.outer() RETURNS void LANGUAGE plpgsql AS $_$",
      "BEGIN",
      "  EXECUTE $q$SELECT ';'; $q$; -- a comment; with a semicolon, and it's quoted",
      "  RAISE NOTICE '%', $$;$$;",
      "END",
      "$_$;",
    ].join("\n");
    expect(parts(`${body}\nSELECT 2;`)).toEqual([
      ["statement", body],
      ["statement", "SELECT 2;"],
    ]);
    const sql = [
      "SELECT E'it\\'s; \\\\', e'\\\\';",
      "/* outer /* inner; */ still comment; */ SELECT 'after';",
      "SELECT a$b$c, $1, x FROM t$1;",
      "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $fn$ SELECT $in$ ; $in$ $fn$;",
      'SELECT "quoted ""; ident";',
      "SELECT 'no end",
    ].join("\n");
    expect(parts(sql)).toEqual([
      ["statement", "SELECT E'it\\'s; \\\\', e'\\\\';"],
      ["statement", "SELECT 'after';"],
      ["statement", "SELECT a$b$c, $1, x FROM t$1;"],
      ["statement", "CREATE FUNCTION public.f() RETURNS text LANGUAGE sql AS $fn$ SELECT $in$ ; $in$ $fn$;"],
      ["statement", 'SELECT "quoted ""; ident";'],
      ["statement", "SELECT 'no end"], // unterminated: runs to the end, as the server will say
    ]);
  });

  test("a backslash outside quotes starts a meta-command to the end of its line; empty statements are none", () => {
    const sql = "\\restrict KEY\n;;\nSELECT '\\n', E'\\t';\n-- \\x\n\\unrestrict KEY";
    expect(parts(sql)).toEqual([
      ["meta-command", "\\restrict KEY"],
      ["statement", "SELECT '\\n', E'\\t';"],
      ["meta-command", "\\unrestrict KEY"],
    ]);
  });

  test("a statement starts at its first character that is no space or comment; the last needs no semicolon", () => {
    const sql = "  -- lead\n/* c */\n  CREATE TABLE a (id int)  \n-- trailing\n";
    const [only] = split(sql);
    expect(only).toEqual({ kind: "statement", start: sql.indexOf("CREATE"), end: sql.trimEnd().length });
    expect(split("-- only comments\n/* here */\n")).toEqual([]);
  });
});
