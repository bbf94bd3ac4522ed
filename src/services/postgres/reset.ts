import { createHash } from "node:crypto";
import type { Client, Pool, PoolConfig } from "pg";
import { RESET_SQL } from "./reset-sql";

/** Names what is installed into the template: a container started with other SQL is not reused. */
export const TRACKING_HASH = createHash("sha256").update(RESET_SQL).digest("hex");

/** Installs the tracking into the migrated template, before any clone is made of it. */
export async function installResetTracking(template: Client): Promise<void> {
  await template.query(RESET_SQL);
}

/**
 * Without the tracking (option resetTracking off): every table but schema_migrations emptied, in one
 * statement; sequences and identities restart. Rows the migrations inserted go too.
 */
const TRUNCATE_ALL = `DO $$
DECLARE
  tables text;
BEGIN
  SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables FROM pg_tables
    WHERE schemaname NOT IN ('pg_catalog', 'information_schema')
      AND NOT (schemaname = 'public' AND tablename = 'schema_migrations');
  IF tables IS NOT NULL THEN
    EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE';
  END IF;
END $$`;

/**
 * A store set's PostgreSQL store: the pool a test uses, and the reset's own connection. The reset runs
 * on that connection, whose session_replication_role is `replica` for good: its deletes and re-inserts
 * then fire no user trigger and no foreign-key action, and switching the role per call would throw away
 * the cached plans of the connection it ran on (measured: the next statements there were 2-3x slower).
 */
export class PostgresStore {
  private resetter?: Pool;

  constructor(
    readonly pool: Pool,
    private readonly settings: Pick<PoolConfig, "host" | "port" | "user" | "password" | "database">,
    /** Whether the template has the write tracking; without it, a reset empties every table. */
    private readonly tracked: boolean,
  ) {}

  /** Back to the state after prepare, in one round trip. */
  async reset(): Promise<void> {
    this.resetter ??= this.resetPool();
    await this.resetter.query(this.tracked ? "SELECT campaign_testenv.reset()" : TRUNCATE_ALL);
  }

  async close(): Promise<void> {
    await Promise.all([this.pool.end(), this.resetter?.end()]);
  }

  private resetPool(): Pool {
    const { Pool } = require("pg") as typeof import("pg");
    const resetter = new Pool({
      ...this.settings,
      max: 1,
      idleTimeoutMillis: 0, // kept open between tests: a connection costs more than the reset
      allowExitOnIdle: true, // but never keeps the process alive
      options: "-c session_replication_role=replica",
    });
    resetter.on("error", () => undefined); // as the store's pool: a dropped database is expected
    return resetter;
  }
}
