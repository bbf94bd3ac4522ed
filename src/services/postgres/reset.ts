import { createHash } from "node:crypto";
import { type Client, Pool } from "pg";
import { RESET_SQL } from "./reset-sql";

/** Names what is installed into the template: a container started with other SQL is not reused. */
export const TRACKING_HASH = createHash("sha256").update(RESET_SQL).digest("hex");

/** Installs the tracking into the migrated template, before any clone is made of it. */
export async function installResetTracking(template: Client): Promise<void> {
  await template.query(RESET_SQL);
}

const RESET_POOL = Symbol("campaign-testenv reset connection");
type WithResetPool = Pool & { [RESET_POOL]?: Pool };

/**
 * Back to the state after prepare, in one round trip. It runs on a connection of its own whose
 * session_replication_role is `replica` for good: the reset's deletes and re-inserts then fire no user
 * trigger and no foreign-key action, and switching the role per call would throw away the cached plans
 * of the connection it ran on (measured: the next statements there were 2-3x slower).
 */
export async function resetDatabase(pool: Pool): Promise<void> {
  const store = pool as WithResetPool;
  store[RESET_POOL] ??= resetPool(pool);
  await store[RESET_POOL].query("SELECT campaign_testenv.reset()");
}

export async function closeResetConnection(pool: Pool): Promise<void> {
  await (pool as WithResetPool)[RESET_POOL]?.end();
}

function resetPool(pool: Pool): Pool {
  const { host, port, user, password, database } = pool.options;
  const resetter = new Pool({
    host,
    port,
    user,
    password,
    database,
    max: 1,
    idleTimeoutMillis: 0, // kept open between tests: a connection costs more than the reset
    allowExitOnIdle: true, // but never keeps the process alive
    options: "-c session_replication_role=replica",
  });
  resetter.on("error", () => undefined); // as the store's pool: a dropped database is expected
  return resetter;
}
