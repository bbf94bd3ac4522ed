import { createHash } from "node:crypto";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import type { Client, DatabaseError } from "pg";

export interface Migration {
  /** The file name, e.g. 001_users.sql; also its key in schema_migrations. */
  name: string;
  file: string;
  /** What runs: the file's text, its \restrict and \unrestrict lines blanked (offsets and lines kept). */
  sql: string;
  /** SHA-256 of the file as it is. */
  checksum: string;
}

const MIGRATION_FILE = /^(\d+)_[\w.-]+\.sql$/;

const sha256 = (text: string) => createHash("sha256").update(text).digest("hex");

/**
 * NNN_name.sql files of a folder, in numeric order (none: a plain database). Other files are ignored.
 * A file psql alone could run (another meta-command, COPY ... FROM stdin) is refused here, before
 * anything runs.
 */
export function loadMigrations(dir: string): Migration[] {
  let names: string[];
  try {
    names = readdirSync(dir).filter((n) => MIGRATION_FILE.test(n));
  } catch (error) {
    throw new Error(`cannot read the migrations folder ${dir} (${(error as Error).message})`, {
      cause: error,
    });
  }
  const number = (n: string) => Number(MIGRATION_FILE.exec(n)![1]);
  names.sort((a, b) => number(a) - number(b));
  const clash = names.find((n, i) => i > 0 && number(n) === number(names[i - 1]));
  if (clash) throw new Error(`two migrations share the number of ${clash} in ${dir}; renumber one`);
  return names.map((name) => {
    const file = path.join(dir, name);
    const text = readFileSync(file, "utf8");
    return { name, file, sql: runnable(file, text), checksum: sha256(text) };
  });
}

// pg_dump since PostgreSQL 15.14 (and 13.22, 14.19, 16.10, 17.6) brackets a plain dump with
// `\restrict KEY` and `\unrestrict KEY`: they stop psql from running meta-commands smuggled into the
// dump's data, and mean nothing outside psql, which these files never go through.
const RESTRICT = /^\\(un)?restrict\b/;

/** The file's SQL with \restrict and \unrestrict blanked; any other psql-only part is an error. */
function runnable(file: string, text: string): string {
  let sql = text;
  for (const part of split(text)) {
    const source = text.slice(part.start, part.end);
    const line = `migration ${file}, line ${lineAt(text, part.start)}`;
    if (part.kind === "meta-command" && RESTRICT.test(source)) {
      sql = sql.slice(0, part.start) + " ".repeat(source.length) + sql.slice(part.end);
    } else if (part.kind === "meta-command") {
      throw new Error(
        `${line}: psql meta-commands are not accepted (${excerpt(source)}): only psql runs them, and ` +
          "migrations run through a PostgreSQL connection. Remove the line.",
      );
    } else if (/^COPY\b/i.test(source) && /\bFROM\s+STDIN\b/i.test(source)) {
      // Its rows follow the statement, for psql to send: no connection reads them from the file.
      throw new Error(
        `${line}: COPY ... FROM stdin is not accepted (${excerpt(source)}): its rows are psql's to send. ` +
          "Dump with `pg_dump --inserts` (or `--schema-only`), or put the rows in a separate data migration of INSERTs.",
      );
    }
  }
  return sql;
}

const excerpt = (source: string) => {
  const first = source.split("\n")[0];
  return first.length > 60 ? `${first.slice(0, 60)}...` : first;
};

const lineAt = (text: string, offset: number) => text.slice(0, offset).split("\n").length;

/** Names the template database: any change to any migration gives a new one. */
export function migrationsHash(migrations: Migration[]): string {
  return sha256(migrations.map((m) => `${m.name}:${m.checksum}`).join("\n"));
}

/**
 * Applies what is not applied yet, recording each file's checksum in public.schema_migrations (made
 * only when there are migrations: a plain database gets nothing of this package's). Each file runs in a
 * transaction and a session of its own: after it, DISCARD ALL puts the session back as a new
 * connection's (settings, role, temporary tables, prepared statements, locks), so no file sees what
 * another set, and the client is left as new for what runs after (the reset's tracking).
 * An applied file whose content changed is an error: the database no longer matches the folder.
 */
export async function migrate(client: Client, migrations: Migration[]): Promise<string[]> {
  if (migrations.length === 0) return [];
  await client.query(`CREATE TABLE IF NOT EXISTS public.schema_migrations (
    name text PRIMARY KEY,
    checksum text NOT NULL,
    applied_at timestamptz NOT NULL DEFAULT now()
  )`);
  const { rows } = await client.query<{ name: string; checksum: string }>(
    "SELECT name, checksum FROM public.schema_migrations",
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
    let after = ""; // once the file's statements ran: what failed, which names no line of it
    try {
      await client.query("BEGIN");
      await client.query(migration.sql); // the whole file in one round trip
      after = "recording it in public.schema_migrations";
      // Still the file's transaction, but the session's own settings and role, whatever the file set.
      await client.query("SET SESSION AUTHORIZATION DEFAULT; RESET ALL");
      await client.query("INSERT INTO public.schema_migrations (name, checksum) VALUES ($1, $2)", [
        migration.name,
        migration.checksum,
      ]);
      after = "its COMMIT (a deferred constraint or trigger)";
      await client.query("COMMIT");
    } catch (error) {
      const { message } = error as Error;
      const failure = after ? `${message}, at ${after}` : await locate(client, migration.sql, message);
      await abandon(client).catch(() => undefined); // a connection lost: the message alone tells
      throw new Error(`migration ${migration.file} failed: ${failure}`, { cause: error });
    }
    await client.query("DISCARD ALL");
    newlyApplied.push(migration.name);
  }
  return newlyApplied;
}

/** Rolls back, and puts the session back as new: a PREPARE or an advisory lock outlives a rollback. */
async function abandon(client: Client): Promise<void> {
  await client.query("ROLLBACK");
  await client.query("DISCARD ALL");
}

/**
 * Which statement fails, and at which line: the file again in a fresh session and transaction, one
 * statement at a time (the caller rolls it back). Only after a failure, so that the fast path stays one
 * round trip per file; it names the statement even when the server's error has no position ("role ...
 * does not exist"). A connection lost on the way leaves the first failure's message alone to tell.
 */
async function locate(client: Client, sql: string, message: string): Promise<string> {
  try {
    await abandon(client);
    await client.query("BEGIN");
    for (const part of split(sql)) {
      const statement = sql.slice(part.start, part.end);
      const again = await client.query(statement).then(
        () => undefined,
        (e: unknown) => e,
      );
      if (again) return describeFailure(sql, part.start, statement, again);
    }
    return `${message} (no statement fails when they run one at a time, so no line is named)`;
  } catch {
    return message;
  }
}

/** The server's message, the line it points at (its position, or the statement's first line), the statement. */
function describeFailure(sql: string, start: number, statement: string, error: unknown): string {
  const { message, position } = error as DatabaseError;
  const line = lineAt(sql, position ? start + Number(position) - 1 : start);
  return `${message} at line ${line}, in the statement:\n    ${statement.replace(/\n/g, "\n    ")}`;
}

const OWNER = /^(ALTER\b[^;]*\bOWNER TO\b|SET SESSION AUTHORIZATION\b)/i;
const PRIVILEGES = /^(GRANT|REVOKE|ALTER DEFAULT PRIVILEGES)\b/i;

/**
 * The fix for a failed migration, read from its message (a service's fix hook is given the error's
 * text): a dump's roles that this database lacks, or the statement to correct.
 */
export function migrationFix(text: string, role: string): string | undefined {
  const failed = /^migration .+ failed: (.*?)(?: at line \d+, in the statement:\n {4}(.*))?$/m.exec(text);
  if (!failed) return undefined;
  const [, message, statement = ""] = failed;
  const untouched = "none of that file was applied (each migration runs in its own transaction).";
  if (/^role ".*" does not exist$/.test(message)) {
    const option = OWNER.test(statement)
      ? "dump with `pg_dump --no-owner`, or "
      : PRIVILEGES.test(statement)
        ? "dump with `pg_dump --no-privileges`, or "
        : "";
    return (
      `the file names a role this database does not have (its only role is ${role}): ` +
      `${option}create the role in an earlier migration; ${untouched}`
    );
  }
  if (/^relation "schema_migrations" already exists$/.test(message)) {
    // A dump of a database another tool migrated (Rails, golang-migrate) has a table of that name.
    return (
      "this package keeps its own public.schema_migrations: leave that table out of the file " +
      `(\`pg_dump --exclude-table=schema_migrations\`); ${untouched}`
    );
  }
  return `correct ${statement ? "that statement" : "the file named above"}; ${untouched}`;
}

/** A statement, or a psql meta-command: from its first character that is no space or comment, to its end. */
export interface Part {
  kind: "statement" | "meta-command";
  start: number;
  /** Just past a statement's semicolon (or the text's end); a meta-command's line end. */
  end: number;
}

// Where a dollar-quoted body starts: $$ or $tag$ (a tag is an identifier without $; $1 is a parameter).
const DOLLAR = /\$([A-Za-z_\u0080-\uffff][\w\u0080-\uffff]*)?\$/y;
const IDENTIFIER = /[A-Za-z_\u0080-\uffff][\w$\u0080-\uffff]*/y;

/**
 * The text cut as psql cuts it: statements end at semicolons outside comments (-- and nested /* *\/),
 * quoted strings ('', E'' with backslash escapes), quoted identifiers and dollar-quoted bodies; a
 * backslash outside those starts a psql meta-command, which runs to the end of its line.
 */
export function split(sql: string): Part[] {
  const parts: Part[] = [];
  let start: number | undefined; // of the statement under way
  let i = 0;
  const skipTo = (end: number) => (i = end === -1 ? sql.length : end);
  while (i < sql.length) {
    const c = sql[i];
    const next = sql[i + 1];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    if (c === "-" && next === "-") {
      skipTo(sql.indexOf("\n", i));
      continue;
    }
    if (c === "/" && next === "*") {
      i = commentEnd(sql, i);
      continue;
    }
    if (c === "\\") {
      const end = sql.indexOf("\n", i);
      parts.push({ kind: "meta-command", start: i, end: end === -1 ? sql.length : end });
      skipTo(end);
      continue;
    }
    if (c === ";") {
      if (start !== undefined) parts.push({ kind: "statement", start, end: i + 1 });
      start = undefined;
      i++;
      continue;
    }
    start ??= i;
    let end: number;
    if (c === "'" || c === '"') {
      i = quoteEnd(sql, i + 1, c, false);
    } else if ((c === "E" || c === "e") && next === "'") {
      i = quoteEnd(sql, i + 2, "'", true);
    } else if (c === "$" && (end = matchEnd(DOLLAR, sql, i)) !== -1) {
      const close = sql.indexOf(sql.slice(i, end), end);
      skipTo(close === -1 ? -1 : close + end - i);
    } else if ((end = matchEnd(IDENTIFIER, sql, i)) !== -1) {
      i = end; // whole, so that a $ inside a name (a$b$) opens no body
    } else {
      i++;
    }
  }
  if (start !== undefined) parts.push({ kind: "statement", start, end: sql.trimEnd().length });
  return parts;
}

const matchEnd = (pattern: RegExp, sql: string, at: number) => {
  pattern.lastIndex = at;
  return pattern.test(sql) ? pattern.lastIndex : -1;
};

/** Past the end of the comment opening at `at` (comments nest in PostgreSQL). */
function commentEnd(sql: string, at: number): number {
  let depth = 0;
  let i = at;
  while (i < sql.length) {
    const pair = sql.slice(i, i + 2);
    if (pair === "/*") depth++;
    else if (pair === "*/") depth--;
    if (pair === "/*" || pair === "*/") i += 2;
    else i++;
    if (depth === 0) return i;
  }
  return sql.length;
}

/** Past the quote that closes one opened just before `from`; doubled quotes, and in E'' backslashes, escape. */
function quoteEnd(sql: string, from: number, quote: string, backslashes: boolean): number {
  let i = from;
  while (i < sql.length) {
    if (backslashes && sql[i] === "\\") i += 2;
    else if (sql[i] === quote && sql[i + 1] === quote) i += 2;
    else if (sql[i] === quote) return i + 1;
    else i++;
  }
  return sql.length;
}
