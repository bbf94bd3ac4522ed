// Reuse mode: a second start finds the running services; a changed input rebuilds only its service.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import Redis from "ioredis";
import { Client } from "pg";
import { type StartedEnvironment, startEnvironment } from "../src";
import { docker, removeContainers } from "../src/docker";

const started: StartedEnvironment[] = [];
const start = async (migrationsDir: string) => {
  const environment = await startEnvironment({
    services: ["postgres", "redis"],
    reuse: true,
    migrationsDir,
    quiet: true,
  });
  started.push(environment);
  return environment.context;
};

// The reuse records (XDG_CACHE_HOME) and the migrations of this test only, removed at the end.
const scratch = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-reuse-"));
beforeAll(() => {
  process.env.XDG_CACHE_HOME = path.join(scratch, "cache");
});
afterAll(async () => {
  for (const { context } of started) await removeContainers(context.runId); // reuse mode's stop() keeps them
  delete process.env.XDG_CACHE_HOME;
  rmSync(scratch, { recursive: true, force: true });
});

test("a second start reuses the running services; a changed migration rebuilds PostgreSQL only", async () => {
  const migrationsDir = mkdtempSync(path.join(scratch, "migrations-"));
  writeFileSync(path.join(migrationsDir, "001_a.sql"), "CREATE TABLE a (id int);");
  const first = await start(migrationsDir);
  await started[0].stop(); // keeps the containers
  const second = await start(migrationsDir);
  expect(second.postgres).toEqual(first.postgres);
  expect(second.redis).toEqual(first.redis);

  writeFileSync(path.join(migrationsDir, "002_b.sql"), "CREATE TABLE b (id int);");
  const third = await start(migrationsDir);
  expect(third.redis).toEqual(first.redis);
  expect(third.postgres!.port).not.toBe(first.postgres!.port);
  expect(third.postgres!.templateDatabase).not.toBe(first.postgres!.templateDatabase);
  const client = new Client({ connectionString: third.postgres!.url });
  await client.connect();
  const { rows } = await client.query("SELECT name FROM schema_migrations ORDER BY name");
  await client.end();
  expect(rows.map((r) => r.name)).toEqual(["001_a.sql", "002_b.sql"]);
});

/** A migrations folder of its own, with one table. */
const migrations = () => {
  const dir = mkdtempSync(path.join(scratch, "migrations-"));
  writeFileSync(path.join(dir, "001_a.sql"), "CREATE TABLE a (id int);");
  return dir;
};

test("a run with another reuse folder neither takes nor removes this folder's containers", async () => {
  const migrationsDir = migrations();
  const mine = await start(migrationsDir);
  process.env.XDG_CACHE_HOME = path.join(scratch, "another-users-cache");
  try {
    const theirs = await start(migrationsDir);
    expect(theirs.redis!.port).not.toBe(mine.redis!.port);
    for (let i = 0; i < 3; i++) await start(migrations()); // past REUSE_KEEP
  } finally {
    process.env.XDG_CACHE_HOME = path.join(scratch, "cache");
  }
  const again = await start(migrationsDir);
  expect(again.postgres).toEqual(mine.postgres);
  expect(again.redis).toEqual(mine.redis);
});

test("a container restarted by hand (on new ports) is started afresh, not handed out with its old ports", async () => {
  const migrationsDir = migrations();
  const before = await start(migrationsDir);
  const engine = await docker();
  await engine.getContainer(before.containers!.redis!).restart({ t: 0 });
  const after = await start(migrationsDir);
  expect(after.containers!.redis).not.toBe(before.containers!.redis);
  expect(after.postgres).toEqual(before.postgres); // untouched: reused
  const redis = new Redis(after.redis!.url, { lazyConnect: true });
  await redis.connect();
  expect(await redis.ping()).toBe("PONG");
  redis.disconnect();
});
