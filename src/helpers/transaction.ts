import type { Pool, PoolClient } from "pg";

/**
 * Runs `fn` inside a transaction that is always rolled back, whatever `fn` does: a test can write
 * freely and leave nothing behind. Returns what `fn` returns.
 */
export async function withTransaction<T>(pool: Pool, fn: (client: PoolClient) => Promise<T>): Promise<T> {
  const client = await pool.connect();
  try {
    await client.query("BEGIN");
    return await fn(client);
  } finally {
    await client.query("ROLLBACK").catch(() => undefined); // a broken connection has nothing to roll back
    client.release();
  }
}
