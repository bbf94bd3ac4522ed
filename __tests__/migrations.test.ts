// Migrations as a consumer brings them: a real `pg_dump --schema-only` of a small schema, made in a
// container of the same PostgreSQL image and used unchanged; a dump from a system whose role is
// `postgres`; what one file does to its session, which the next file and the package must not see; a
// failure's line; and an empty folder, which is a plain database.
import { PostgreSqlContainer, type StartedPostgreSqlContainer } from "@testcontainers/postgresql";
import { Client } from "pg";
import { Wait } from "testcontainers";
import {
  cleanTestData,
  resolveOptions,
  ServiceError,
  setupTestEnvironment,
  startEnvironment,
  type StartedEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "../src";
import { migrationFolders } from "./support/migrations-folder";
import { quoteIdent } from "../src/services/postgres";
import { loadMigrations, migrate, migrationFix } from "../src/services/postgres/migrations";

const { images } = resolveOptions();

// A function, a trigger, an enum, a sequence, a view, an identity column, a default calling a function.
const SCHEMA = `
  CREATE TYPE mood AS ENUM ('happy', 'sad');
  CREATE SEQUENCE ticket_numbers START 100;
  CREATE FUNCTION next_ticket() RETURNS text LANGUAGE sql AS $$ SELECT 'T-' || nextval('ticket_numbers') $$;
  CREATE TABLE people (
    id int GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    name text NOT NULL,
    mood mood NOT NULL DEFAULT 'happy',
    ticket text NOT NULL DEFAULT next_ticket(),
    updated_at timestamptz
  );
  CREATE FUNCTION touch() RETURNS trigger LANGUAGE plpgsql AS $body$
  BEGIN
    NEW.updated_at := now(); -- a comment; with a semicolon
    RETURN NEW;
  END $body$;
  CREATE TRIGGER people_touch BEFORE INSERT OR UPDATE ON people FOR EACH ROW EXECUTE FUNCTION touch();
  CREATE VIEW happy_people AS SELECT id, name FROM people WHERE mood = 'happy';
  CREATE TABLE visits (id bigserial PRIMARY KEY, person_id int NOT NULL REFERENCES people, note text DEFAULT E'it\\'s; fine');
  COMMENT ON TABLE people IS 'who; and how they feel';`;

const migrationsFolder = migrationFolders("migrations");

/** Runs a command in the container; its standard output, or a failure with its standard error. */
async function run(container: StartedPostgreSqlContainer, command: string[]): Promise<string> {
  const { exitCode, stdout, stderr } = await container.exec(command);
  if (exitCode !== 0) throw new Error(`${command.join(" ")} exited with ${exitCode}: ${stderr}`);
  return stdout;
}

/**
 * The same schema dumped from two databases of one server whose superuser is `postgres`, as on most
 * systems: `app`, made by a role `campaign` (the environment's), and `legacy`, made by `postgres`,
 * which also grants a role `reader` that the environment lacks.
 */
async function dumps(): Promise<{ app: string; legacy: string; legacyNoOwner: string }> {
  const source = await new PostgreSqlContainer(images.postgres)
    .withUsername("postgres")
    .withTmpFs({ "/var/lib/postgresql/data": "rw" })
    .withWaitStrategy(Wait.forHealthCheck())
    .start();
  try {
    const psql = (user: string, database: string, sql: string) =>
      run(source, ["psql", "-v", "ON_ERROR_STOP=1", "-U", user, "-d", database, "-c", sql]);
    await psql("postgres", "postgres", "CREATE ROLE campaign SUPERUSER LOGIN");
    await psql("postgres", "postgres", "CREATE ROLE reader");
    await psql("postgres", "postgres", "CREATE DATABASE app OWNER campaign");
    await psql("postgres", "postgres", "CREATE DATABASE legacy");
    await psql("campaign", "app", SCHEMA);
    await psql("postgres", "legacy", `${SCHEMA}\nGRANT SELECT ON people TO reader;`);
    const dump = (...args: string[]) => run(source, ["pg_dump", "--schema-only", ...args]);
    return {
      app: await dump("-U", "campaign", "app"),
      legacy: await dump("-U", "postgres", "legacy"),
      legacyNoOwner: await dump("--no-owner", "-U", "postgres", "legacy"),
    };
  } finally {
    await source.stop();
  }
}

/** 1-based line of the first line of `text` holding `part`. */
const lineOf = (text: string, part: string) => text.split("\n").findIndex((l) => l.includes(part)) + 1;

describe("a plain pg_dump --schema-only, unchanged, as the migrations", () => {
  let dumped: Awaited<ReturnType<typeof dumps>>;
  let environment: StartedEnvironment;
  let env: TestEnvironment;
  let admin: Client;
  beforeAll(async () => {
    dumped = await dumps();
    const migrationsDir = migrationsFolder({
      "001_schema.sql": dumped.app,
      // Unqualified: this fails if the dump's empty search_path were still set in this file's session.
      "002_more.sql": "CREATE TABLE notes (id int PRIMARY KEY, body text);",
    });
    environment = await startEnvironment({ services: ["postgres"], migrationsDir, quiet: true });
    env = await setupTestEnvironment({ services: ["postgres"], context: environment.context });
    const { host, port, user, password } = environment.context.postgres!;
    admin = new Client({ host, port, user, password, database: "postgres" });
    await admin.connect();
  }, 240_000);
  afterAll(async () => {
    await admin?.end();
    if (env) await teardownTestEnvironment(env);
    await environment?.stop();
  });

  test("the dump is what current pg_dump writes: \\restrict lines, an empty search_path, unchecked bodies", () => {
    expect(dumped.app).toMatch(/^\\restrict \S+$/m);
    expect(dumped.app).toMatch(/^\\unrestrict \S+$/m);
    expect(dumped.app).toContain("SELECT pg_catalog.set_config('search_path', '', false);");
    expect(dumped.app).toContain("SET check_function_bodies = false;"); // as the guide says
    expect(dumped.app).toContain("OWNER TO campaign;");
  });

  test("the environment starts with its tables, and schema_migrations records both files", async () => {
    const { rows } = await env.pg.query<{ name: string; kind: string }>(
      `SELECT c.relname AS name, c.relkind AS kind FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
       WHERE n.nspname = 'public' AND c.relkind IN ('r', 'v', 'S') ORDER BY 1`,
    );
    expect(rows).toEqual([
      { name: "happy_people", kind: "v" },
      { name: "notes", kind: "r" },
      { name: "people", kind: "r" },
      { name: "people_id_seq", kind: "S" },
      { name: "schema_migrations", kind: "r" },
      { name: "ticket_numbers", kind: "S" },
      { name: "visits", kind: "r" },
      { name: "visits_id_seq", kind: "S" },
    ]);
    const applied = await env.pg.query("SELECT name FROM public.schema_migrations ORDER BY name");
    expect(applied.rows).toEqual([{ name: "001_schema.sql" }, { name: "002_more.sql" }]);
  });

  test("cleanTestData empties its tables and rewinds the identity and the sequence behind a default", async () => {
    const insert = () =>
      env.pg.query<{ id: number; ticket: string; mood: string; touched: boolean }>(
        "INSERT INTO people (name) VALUES ('Ann') RETURNING id, ticket, mood, updated_at IS NOT NULL AS touched",
      );
    const first = (await insert()).rows[0];
    expect(first).toEqual({ id: 1, ticket: "T-100", mood: "happy", touched: true });
    await env.pg.query("INSERT INTO visits (person_id) VALUES ($1)", [first.id]);
    await env.pg.query("INSERT INTO notes VALUES (1, 'x')");
    expect((await env.pg.query("SELECT name FROM happy_people")).rows).toEqual([{ name: "Ann" }]);
    expect((await env.pg.query("SELECT note FROM visits")).rows).toEqual([{ note: "it's; fine" }]);

    await cleanTestData(env);
    const counts = await env.pg.query(
      "SELECT (SELECT count(*) FROM people)::int AS people, (SELECT count(*) FROM visits)::int AS visits, " +
        "(SELECT count(*) FROM notes)::int AS notes",
    );
    expect(counts.rows[0]).toEqual({ people: 0, visits: 0, notes: 0 });
    expect((await insert()).rows[0]).toMatchObject({ id: 1, ticket: "T-100" });
    await cleanTestData(env);
  });

  // migrate() on databases of this environment's server, each made for its test.
  let databases = 0;
  async function database(): Promise<Client> {
    const name = `migrations_scratch_${++databases}`;
    await admin.query(`CREATE DATABASE ${quoteIdent(name)}`);
    const { host, port, user, password } = environment.context.postgres!;
    const client = new Client({ host, port, user, password, database: name });
    await client.connect();
    return client;
  }

  test("nothing a file does to its session reaches the next file, the package's statements or what follows", async () => {
    const client = await database();
    try {
      const dir = migrationsFolder({
        "001_session.sql": `
          CREATE ROLE lowly;
          CREATE TABLE public.first (id int);
          CREATE TEMP TABLE leftover (id int);
          PREPARE leftover AS SELECT 1;
          SELECT pg_advisory_lock(42);
          SELECT pg_catalog.set_config('search_path', '', false);
          SET statement_timeout = '1h';
          SET ROLE lowly; -- may not write public.schema_migrations`,
        "002_next.sql": `
          CREATE TEMP TABLE leftover (id int);
          PREPARE leftover AS SELECT 2;
          CREATE TABLE second (id int);
          DO $$ BEGIN
            IF current_user <> session_user OR current_setting('statement_timeout') <> '0'
              OR EXISTS (SELECT FROM pg_locks WHERE locktype = 'advisory' AND pid = pg_backend_pid()) THEN
              RAISE EXCEPTION 'the first file''s session carried over';
            END IF;
          END $$;`,
      });
      expect(await migrate(client, loadMigrations(dir))).toEqual(["001_session.sql", "002_next.sql"]);
      const { rows } = await client.query(
        "SELECT current_user AS role, current_setting('search_path') AS path, to_regclass('second') AS second",
      );
      expect(rows[0]).toEqual({
        role: environment.context.postgres!.user,
        path: '"$user", public',
        second: "second",
      });
    } finally {
      await client.end();
    }
  });

  test("a failure at line 40 is reported at line 40, with or without a position from the server", async () => {
    const client = await database();
    try {
      const lines = Array.from({ length: 36 }, (_, i) => `CREATE TABLE t${i} (id int); -- line ${i + 1}`);
      const positioned = [...lines, "", "CREATE TABLE typo (", "  id int,", "  at timestampz", ");"];
      const positionless = [
        ...lines,
        "",
        "/* the owner",
        "   is missing */",
        "ALTER TABLE t0 OWNER TO nobody;",
      ];
      for (const [sql, message, statement] of [
        [
          positioned,
          'type "timestampz" does not exist',
          "CREATE TABLE typo (\n      id int,\n      at timestampz\n    );",
        ],
        [positionless, 'role "nobody" does not exist', "ALTER TABLE t0 OWNER TO nobody;"],
      ] as const) {
        const dir = migrationsFolder({ "001_forty.sql": sql.join("\n") });
        await expect(migrate(client, loadMigrations(dir))).rejects.toThrow(
          `migration ${dir}/001_forty.sql failed: ${message} at line 40, in the statement:\n    ${statement}`,
        );
      }
      // Rolled back: none of it is there.
      expect((await client.query("SELECT to_regclass('t0') AS t")).rows).toEqual([{ t: null }]);
    } finally {
      await client.end();
    }
  });

  test("a dump made with --no-owner that grants a role this database lacks: the fix says --no-privileges", async () => {
    const client = await database();
    try {
      const dir = migrationsFolder({ "001_schema.sql": dumped.legacyNoOwner });
      const failure = (await migrate(client, loadMigrations(dir)).catch((e: Error) => e)) as Error;
      expect(failure.message).toBe(
        `migration ${dir}/001_schema.sql failed: role "reader" does not exist at line ` +
          `${lineOf(dumped.legacyNoOwner, "TO reader;")}, in the statement:\n` +
          "    GRANT SELECT ON TABLE public.people TO reader;",
      );
      expect(migrationFix(failure.message, "campaign")).toContain(
        "the file names a role this database does not have (its only role is campaign): dump with `pg_dump --no-privileges`",
      );
    } finally {
      await client.end();
    }
  });

  test("a dump whose objects are owned by postgres fails at its first OWNER TO, with the fix", async () => {
    const migrationsDir = migrationsFolder({ "001_schema.sql": dumped.legacy });
    const failure = startEnvironment({ services: ["postgres"], migrationsDir, quiet: true });
    await expect(failure).rejects.toThrow(ServiceError);
    const error = (await failure.catch((e: ServiceError) => e)) as ServiceError;
    const line = lineOf(dumped.legacy, "OWNER TO postgres;");
    expect(error).toMatchObject({ service: "postgres", step: "applying 1 migration" });
    expect(error.reason).toBe(
      `migration ${migrationsDir}/001_schema.sql failed: role "postgres" does not exist at line ${line}, ` +
        `in the statement:\n    ${dumped.legacy.split("\n")[line - 1]}`,
    );
    expect(error.fix).toBe(
      "the file names a role this database does not have (its only role is campaign): dump with `pg_dump --no-owner`, " +
        "or create the role in an earlier migration; none of that file was applied (each migration runs in its own transaction).",
    );
  }, 120_000);
});

test("an empty migrations folder is a plain database: no schema_migrations, and cleanTestData works", async () => {
  const environment = await startEnvironment({
    services: ["postgres"],
    migrationsDir: migrationsFolder({ "README.md": "no migrations yet" }),
    quiet: true,
  });
  const env = await setupTestEnvironment({ services: ["postgres"], context: environment.context });
  try {
    const tables = () =>
      env.pg.query("SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1");
    expect((await tables()).rows).toEqual([]);
    await env.pg.query("CREATE TABLE made_by_a_test (id int)");
    await env.pg.query("INSERT INTO made_by_a_test VALUES (1)");
    await cleanTestData(env);
    expect((await env.pg.query("SELECT count(*)::int AS n FROM made_by_a_test")).rows).toEqual([{ n: 0 }]);
    expect((await tables()).rows).toEqual([{ tablename: "made_by_a_test" }]);
  } finally {
    await teardownTestEnvironment(env);
    await environment.stop();
  }
}, 120_000);
