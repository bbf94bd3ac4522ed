import { PostgreSqlContainer } from "@testcontainers/postgresql";
import { Client } from "pg";
import { randomToken } from "../random";
import { loadMigrations, migrate, migrationsHash } from "./migrations";
import type { Service } from "./service";

const PGDATA = "/var/lib/postgresql/data";
export const MAIN_DATABASE = "campaign";

/** Identifiers we build (template and worker databases) are only ever [a-z0-9_], so quoting is plain. */
export const quoteIdent = (name: string): string => `"${name}"`;

export const postgres: Service<"postgres"> = {
  name: "postgres",
  fingerprint: (options) =>
    `${options.images.postgres}\n${migrationsHash(loadMigrations(options.migrationsDir))}`,
  async start(run) {
    const user = "campaign";
    const password = randomToken();
    const migrations = await run.step("reading migrations", async () =>
      loadMigrations(run.options.migrationsDir),
    );
    const container = await run.startContainer(
      new PostgreSqlContainer(run.image)
        .withUsername(user)
        .withPassword(password)
        .withDatabase(MAIN_DATABASE)
        // A throwaway database: data in memory and no durability, which makes writes and clones fast.
        .withTmpFs({ [PGDATA]: "rw" })
        .withCommand([
          "postgres",
          ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
          // Room for every Jest worker's pools plus the 1000-call suite.
          ...["-c", "max_connections=300"],
        ]),
    );
    const host = container.getHost();
    const port = container.getPort();
    const connect = async (database: string) => {
      const client = new Client({ host, port, user, password, database });
      await client.connect();
      return client;
    };

    // Migrate once into a template named by the migrations' hash; every database is then a cheap clone.
    const templateDatabase = `${MAIN_DATABASE}_tpl_${migrationsHash(migrations).slice(0, 12)}`;
    const admin = await connect("postgres");
    try {
      await run.step("creating the template database", () =>
        admin.query(`CREATE DATABASE ${quoteIdent(templateDatabase)}`),
      );
      const template = await connect(templateDatabase);
      try {
        await run.step(
          `applying ${migrations.length} migrations`,
          () => migrate(template, migrations),
          "correct the statement in the migration file named above; each migration runs in its own transaction, so none of that file was applied.",
        );
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

    return {
      image: run.image,
      host,
      port,
      user,
      password,
      database: MAIN_DATABASE,
      templateDatabase,
      url: `postgres://${user}:${password}@${host}:${port}/${MAIN_DATABASE}`,
    };
  },
};
