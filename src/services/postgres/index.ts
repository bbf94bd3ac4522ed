import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import type { PostgreSqlContainer, StartedPostgreSqlContainer } from "@testcontainers/postgresql";
import type { GenericContainer } from "testcontainers";
import type { ClientConfig, Pool } from "pg";
import { testcontainers } from "../../docker";
import { explaining } from "../../explaining";
import { packageRoot } from "../../paths";
import { randomToken } from "../../random";
import { flagOption, folderOption, MAIN_DATABASE, type Service, type ServiceContext } from "../../service";
import { loadMigrations, migrate, migrationFix, migrationsHash } from "./migrations";
import { installResetTracking, PostgresStore, TRACKING_HASH } from "./reset";

// Loaded on first use (docs/ARCHITECTURE.md, "Loaded on first use").
const pg = (): typeof import("pg") => require("pg");

export interface PostgresContext extends ServiceContext {
  flavour: "postgres";
  host: string;
  port: number;
  user: string;
  password: string;
  /** The migrated database that `campaign-testenv up` users and unisolated code connect to. */
  database: string;
  /** Migrated template that every store set's database is cloned from; named by the migrations' hash. */
  templateDatabase: string;
  url: string;
  /**
   * Whether the reset's write tracking is installed (option resetTracking): then cleanTestData touches
   * only the tables a test wrote; without it, it empties every table (TRUNCATE).
   */
  resetTracking: boolean;
}

const PGDATA = "/var/lib/postgresql/data";

/** A quoted SQL identifier; any name is safe in it, caller-supplied table names included. */
export const quoteIdent = (name: string): string => `"${name.replaceAll('"', '""')}"`;

/** Store set N's database. */
export const storeSetDatabase = (id: number): string => `${MAIN_DATABASE}_s${id}`;

/**
 * A client of the package's own (migrations, prepares, checks). A connection that drops between two
 * queries is told by the next query's rejection; pg also emits "error" on the client, which with no
 * listener crashed the process holding it (a runner's parent, preparing the warm pool at 64 workers).
 */
const client = (settings: ClientConfig) => {
  const made = new (pg().Client)(settings);
  made.on("error", () => undefined);
  return made;
};

const connect = async ({ host, port, user, password }: PostgresContext, database: string) => {
  const admin = client({ host, port, user, password, database });
  await admin.connect();
  return admin;
};

/**
 * The container as configured before the run labels and starts it: built without the engine, so a
 * unit test pins it for the official image.
 */
export function postgresContainer(image: string, password: string): PostgreSqlContainer {
  const { PostgreSqlContainer } =
    require("@testcontainers/postgresql") as typeof import("@testcontainers/postgresql");
  const { Wait } = testcontainers();
  return (
    new PostgreSqlContainer(image)
      .withUsername(ROLE)
      .withPassword(password)
      .withDatabase(MAIN_DATABASE)
      // A throwaway database: data in memory and no durability, which makes writes and clones fast.
      .withTmpFs({ [PGDATA]: "rw" })
      .withCommand([
        "postgres",
        ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
        // Room for many runner workers' pools plus the 1000-call suite.
        ...["-c", "max_connections=1000"],
      ])
      // Its own log, and no command run in the container: the module's port check execs three commands
      // every 100 ms until ready (on a loaded engine one hung a start for minutes), and its health check
      // execs pg_isready every 250 ms for the container's whole life (four runc processes a second beside
      // every test, and forever in reuse mode). Docker's own "no health check" is outside the module's
      // type. The init's temporary server listens on its socket only: TCP is the real server's (the
      // first connection then waits out its "starting up" moment).
      .withHealthCheck({ test: ["NONE"] } as unknown as Parameters<GenericContainer["withHealthCheck"]>[0])
      .withWaitStrategy(Wait.forLogMessage(/listening on IPv4 address/))
  );
}

/** The first connection: the server may still be starting up (SQLSTATE 57P03) for a moment after it listens. */
async function connectWhenStarted(context: PostgresContext, timeoutMs: number) {
  const deadline = performance.now() + timeoutMs;
  for (;;) {
    try {
      return await connect(context, "postgres");
    } catch (error) {
      if ((error as { code?: string }).code !== "57P03" || performance.now() > deadline) throw error;
      await sleep(50);
    }
  }
}

/** The container's one role (a superuser): a dump naming another fails, with the fix. */
const ROLE = "campaign";

/** Connections of one store set's pool (opened as needed): room for a test that runs calls side by side. */
const POOL_SIZE = 20;

export const postgres: Service<{
  name: "postgres";
  context: PostgresContext;
  prepared: null;
  store: PostgresStore;
  client: Pool;
  names: { postgresDatabase: string };
  accessors: { postgres: Pool; pg: Pool };
  flavour: "postgres";
  options: { migrationsDir: string; resetTracking: boolean };
  started: StartedPostgreSqlContainer;
}> = {
  name: "postgres",
  startedByDefault: true,
  flavours: {
    postgres: {
      image: "postgres:15-alpine",
      start: (run) => run.startContainer(postgresContainer(run.image, randomToken())),
    },
  },
  options: {
    migrationsDir: folderOption("MIGRATIONS_DIR", path.join(packageRoot, "migrations")),
    // Off: the database holds only what the migrations made (no campaign_testenv schema, no triggers).
    resetTracking: flagOption("RESET_TRACKING", true),
  },
  fingerprint: (settings) =>
    [
      settings.image,
      migrationsHash(loadMigrations(settings.migrationsDir)),
      settings.resetTracking ? TRACKING_HASH : "no reset tracking",
    ].join("\n"),

  async start(run) {
    const migrations = await run.step(
      "reading migrations",
      async () => loadMigrations(run.settings.migrationsDir),
      "correct the migrations folder (migrationsDir, CAMPAIGN_TESTENV_MIGRATIONS_DIR) or the file named above.",
    );
    const container = await postgres.flavours.postgres.start(run);
    const user = container.getUsername();
    const password = container.getPassword();
    const host = container.getHost();
    const port = container.getPort();
    // Migrate once into a template named by the migrations' hash; every database is then a cheap clone.
    const templateDatabase = `${MAIN_DATABASE}_tpl_${migrationsHash(migrations).slice(0, 12)}`;
    const context: PostgresContext = {
      image: run.image,
      flavour: "postgres",
      capabilities: {},
      host,
      port,
      user,
      password,
      database: MAIN_DATABASE,
      templateDatabase,
      url: `postgres://${user}:${password}@${host}:${port}/${MAIN_DATABASE}`,
      resetTracking: run.settings.resetTracking,
    };

    const admin = await run.step("connecting", () =>
      connectWhenStarted(context, run.settings.startupTimeoutMs),
    );
    try {
      await run.step("creating the template database", () =>
        admin.query(`CREATE DATABASE ${quoteIdent(templateDatabase)}`),
      );
      const template = await connect(context, templateDatabase);
      try {
        // A failure's fix comes from the message (`fix` below): a dump's missing role, or the statement.
        const count = `${migrations.length} migration${migrations.length === 1 ? "" : "s"}`;
        await run.step(`applying ${count}`, () => migrate(template, migrations));
        // migrate leaves the session as a new connection's: the tracking sees nothing a file set.
        if (context.resetTracking)
          await run.step("installing the reset's write tracking", () => installResetTracking(template));
      } finally {
        await template.end();
      }
      await run.step("cloning the main database from the template", async () => {
        await admin.query(`ALTER DATABASE ${quoteIdent(templateDatabase)} WITH IS_TEMPLATE true`);
        await admin.query(`DROP DATABASE ${quoteIdent(MAIN_DATABASE)} WITH (FORCE)`);
        await admin.query(
          `CREATE DATABASE ${quoteIdent(MAIN_DATABASE)} TEMPLATE ${quoteIdent(templateDatabase)}`,
        );
      });
    } finally {
      await admin.end();
    }
    return context;
  },

  names: { postgresDatabase: storeSetDatabase },

  async prepare(context, id) {
    const database = storeSetDatabase(id);
    const admin = await connect(context, "postgres");
    try {
      // FORCE: the set's previous test file may have left its pool open.
      await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
      await admin.query(
        `CREATE DATABASE ${quoteIdent(database)} TEMPLATE ${quoteIdent(context.templateDatabase)}`,
      );
    } finally {
      await admin.end();
    }
    return null;
  },

  async connect({ host, port, user, password, resetTracking }, id) {
    const settings = { host, port, user, password, database: storeSetDatabase(id) };
    const pool = new (pg().Pool)({ ...settings, max: POOL_SIZE });
    // A later prepare of this set drops the database under an unclosed pool; that is expected, not a crash.
    pool.on("error", () => undefined);
    return new PostgresStore(pool, settings, resetTracking);
  },

  client: (store) => store.pool,

  explaining: (pool, explain) => explaining(pool, explain),

  reset: (store) => store.reset(),

  close: (store) => store.close(),

  accessors: { postgres: (pool) => pool, pg: (pool) => pool },

  async check({ host, port, user, password, database }, timeoutMs) {
    const checking = client({ host, port, user, password, database, connectionTimeoutMillis: timeoutMs });
    try {
      await checking.connect();
      await checking.query("SELECT 1");
    } finally {
      await checking.end().catch(() => undefined);
    }
  },

  // pg's pool, idle, emits "error" when its server goes away: with no listener (a pool of the test's
  // own), the process holding it crashes.
  async openConnections(context, waitMs) {
    const admin = await connect(context, "postgres");
    try {
      const open = async () => {
        const { rows } = await admin.query<{ open: number }>(
          "SELECT count(*)::int AS open FROM pg_stat_activity WHERE backend_type = 'client backend' AND pid <> pg_backend_pid()",
        );
        return rows[0].open;
      };
      const deadline = performance.now() + waitMs;
      let count = await open();
      while (count > 0 && performance.now() < deadline) {
        await sleep(100);
        count = await open();
      }
      return count;
    } finally {
      await admin.end();
    }
  },

  address: ({ host, port }) => `${host}:${port}`,

  variables: (c) => ({
    DATABASE_URL: c.url,
    PGHOST: c.host,
    PGPORT: String(c.port),
    PGUSER: c.user,
    PGPASSWORD: c.password,
    PGDATABASE: c.database,
  }),

  fix: (text) => migrationFix(text, ROLE),

  // The server shuts down ("terminating connection due to administrator command"), or the socket
  // closed under a query (pg's "Connection terminated unexpectedly") or before it ("... not queryable").
  lostConnection: ({ code, message }) =>
    code === "57P01" ||
    (typeof message === "string" &&
      (message.startsWith("Connection terminated") || message.includes("is not queryable"))),
};
