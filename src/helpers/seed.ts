import { quoteIdent } from "../services/postgres";
import type { TestEnvironment } from "../worker";

/** Rows by table (in foreign-key order) and documents by collection. */
export interface SeedData {
  tables?: Partial<Record<string, object[]>>;
  collections?: Partial<Record<string, object[]>>;
}

/**
 * Inserts `data` into this store set's PostgreSQL and Mongo databases: one statement per table, in
 * the order the tables are listed, and one insertMany per collection. Columns a row leaves out take
 * their defaults. Returns the data it inserted.
 */
export async function seedData<T extends SeedData>(env: TestEnvironment, data: T): Promise<T> {
  for (const [table, rows] of Object.entries(data.tables ?? {})) {
    if (!rows?.length) continue;
    const columns = [...new Set(rows.flatMap((row) => Object.keys(row)))].map(quoteIdent).join(", ");
    await env.postgres.query(
      `INSERT INTO ${quoteIdent(table)} (${columns}) SELECT ${columns} FROM json_populate_recordset(null::${quoteIdent(table)}, $1)`,
      [JSON.stringify(rows)],
    );
  }
  await Promise.all(
    Object.entries(data.collections ?? {}).map(
      // insertMany adds an _id to each document; copies keep the caller's fixtures untouched.
      ([name, docs]) => docs?.length && env.mongo.collection(name).insertMany(docs.map((d) => ({ ...d }))),
    ),
  );
  return data;
}
