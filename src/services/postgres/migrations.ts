import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Client, DatabaseError } from "pg";

export interface Migration {
  /** The file name, e.g. 001_users.sql; also its key in schema_migrations. */
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

const MIGRATION_FILE = /^(\d+)_[\w.-]+\.sql$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/** NNN_name.sql files of a folder, in numeric order. Other files are ignored. */
export function loadMigrations(dir: string): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => MIGRATION_FILE.test(n));
  } catch (error) {
    throw new Error(`cannot read the migrations folder ${dir} (${(error as Error).message})`, {
      cause: error,
    });
  }
  if (names.length === 0) throw new Error(`no NNN_name.sql files in the migrations folder ${dir}`);
  const number = (n: string) => Number(MIGRATION_FILE.exec(n)![1]);
  names.sort((a, b) => number(a) - number(b));
  const clash = names.find((n, i) => i > 0 && number(n) === number(names[i - 1]));
  if (clash) throw new Error(`two migrations share the number of ${clash} in ${dir}; renumber one`);
  return names.map((name) => {
    const file = path.join(dir, name);
    const sql = readFileSync(file, "utf8");
    return { name, file, sql, checksum: sha256(sql) };
  });
}

/** Names the template database: any change to any migration gives a new one. */
export function migrationsHash(migrations: Migration[]): string {
  return sha256(migrations.map((m) => `${m.name}:${m.checksum}`).join("\n"));
}

/**
 * Applies what is not applied yet, each file in its own transaction, recording its checksum.
 * An applied file whose content changed is an error: the database no longer matches the folder.
 */
export async function migrate(client: Client, migrations: Migration[]): Promise<string[]> {
  await client.query(`CREATE TABLE IF NOT EXISTS schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ name: string; checksum: string }>(
    "SELECT name, checksum FROM schema_migrations",
  );
  const applied = new Map(rows.map((r) => [r.name, r.checksum]));
  const newlyApplied: string[] = [];
  for (const migration of migrations) {
    const checksum = applied.get(migration.name);
    if (checksum === migration.checksum) continue;
    if (checksum !== undefined) {
      throw new Error(
        `migration ${migration.file} changed after it was applied (checksum ${checksum.slice(0, 12)} was recorded, ` +
          `the file now has ${migration.checksum.slice(0, 12)}). Restore the file and put the change in a new migration.`,
      );
    }
    await client.query("BEGIN");
    try {
      await client.query(migration.sql);
      await client.query("INSERT INTO schema_migrations (name, checksum) VALUES ($1, $2)", [
        migration.name,
        migration.checksum,
      ]);
      await client.query("COMMIT");
    } catch (error) {
      await client.query("ROLLBACK");
      throw new Error(`migration ${migration.file} failed: ${describeFailure(migration.sql, error)}`, {
        cause: error,
      });
    }
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}

/** The server's message, plus the line and statement it points at (pg reports a character position). */
function describeFailure(sql: string, error: unknown): string {
  const { message, position } = error as DatabaseError;
  if (!position) return message;
  const offset = Number(position) - 1;
  const line = sql.slice(0, offset).split("\n").length;
  const ends = statementEnds(sql);
  const start = ends.filter((end) => end < offset).at(-1) ?? -1;
  const end = ends.find((e) => e >= offset);
  const statement = sql
    .slice(start + 1, end === undefined ? undefined : end + 1)
    .replace(/^\s*(--[^\n]*\n\s*)*/, "")
    .trim();
  return `${message} at line ${line}, in the statement:\n    ${statement.replace(/\n/g, "\n    ")}`;
}

/** Offsets of the semicolons that end statements: not those in comments, quotes or $$ bodies. */
export function statementEnds(sql: string): number[] {
  const ends: number[] = [];
  // A comment, a quoted string or identifier, a dollar-quoted body, or a semicolon; the rest is skipped.
  const token = /--[^\n]*|\/\*[\s\S]*?\*\/|'(?:[^']|'')*'|"(?:[^"]|"")*"|(\$\w*\$)[\s\S]*?\1|;/g;
  for (const match of sql.matchAll(token)) if (match[0] === ";") ends.push(match.index);
  return ends;
}
