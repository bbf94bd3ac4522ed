// Failure paths of startEnvironment: each gives the promised error and leaves no container behind.
import { spawnSync } from "node:child_process";
import { writeFileSync } from "node:fs";
import path from "node:path";
import { Client } from "pg";
import {
  ImagePullError,
  readContext,
  resolveOptions,
  ServiceError,
  setupTestEnvironment,
  startEnvironment,
} from "../src";
import { migrationFolders } from "./support/migrations-folder";
import { loadMigrations, migrate } from "../src/services/postgres/migrations";
import { quoteIdent } from "../src/services/postgres";
import { docker, LABELS } from "../src/docker";
import { packageRoot } from "../src/paths";

const { images } = resolveOptions();

/** The containers of a failed start's run (ServiceError.runId), running or not: there must be none. */
async function containersOf(failure: Promise<unknown>): Promise<string[]> {
  const { runId } = (await failure.catch((error: ServiceError) => error)) as ServiceError;
  expect(runId).toMatch(/^[a-z0-9]{10}$/);
  const engine = await docker();
  const left = await engine.listContainers({ all: true, filters: { label: [`${LABELS.run}=${runId}`] } });
  return left.map((c) => `${c.Image} ${c.State}`);
}

const migrationsFolder = migrationFolders("failures");

test("a broken migration names the service, the file, the line and the statement", async () => {
  const migrationsDir = migrationsFolder({
    "001_ok.sql": "CREATE TABLE ok (id int);\n",
    "002_broken.sql": "CREATE TABLE fine (id int);\n\nINSERT INTO missing_table VALUES (1);\n",
  });
  const failure = startEnvironment({ services: ["postgres", "redis"], migrationsDir, quiet: true });
  await expect(failure).rejects.toThrow(ServiceError);
  await expect(failure).rejects.toMatchObject({
    service: "postgres",
    image: images.postgres,
    step: "applying 2 migrations",
  });
  await expect(failure).rejects.toThrow(
    `migration ${migrationsDir}/002_broken.sql failed: relation "missing_table" does not exist at line 3, ` +
      "in the statement:\n    INSERT INTO missing_table VALUES (1);",
  );
  expect(await containersOf(failure)).toEqual([]);
});

test("images that cannot be pulled fail the start before any container, each with its service, registry and fix", async () => {
  const failure = startEnvironment({
    services: ["postgres", "redis", "aws"],
    images: { redis: "campaign-testenv/no-such-image:1", aws: "campaign-testenv/no-such-image:2" },
    quiet: true,
  });
  await expect(failure).rejects.toBeInstanceOf(ImagePullError);
  const { pulls, message } = (await failure.catch((error: ImagePullError) => error)) as ImagePullError;
  expect(pulls.map((p) => [p.image, p.neededBy, p.registry])).toEqual([
    ["campaign-testenv/no-such-image:1", "redis", "Docker Hub"],
    ["campaign-testenv/no-such-image:2", "aws", "Docker Hub"],
  ]);
  // No registry answers on these machines: the engine cannot reach Docker Hub.
  expect(message).toMatch(
    /^campaign-testenv: could not pull campaign-testenv\/no-such-image:1 \(for redis\) from Docker Hub: the engine could not reach the registry: .*\nFix: check the engine's network/,
  );
  expect(message).not.toMatch(/\n\s+at /);
});

test("a service that never gets ready times out with its log lines", async () => {
  const failure = startEnvironment({ services: ["aws"], startupTimeoutMs: 500, quiet: true });
  await expect(failure).rejects.toMatchObject({ service: "aws", step: "starting the container" });
  await expect(failure).rejects.toThrow(/not ready within 500 ms/);
  expect(await containersOf(failure)).toEqual([]);
});

test("bad options fail before anything starts", async () => {
  await expect(startEnvironment({ services: ["postgres", "kafka" as "redis"] })).rejects.toThrow(
    'campaign-testenv: unknown service(s) ["kafka"] in the services option or CAMPAIGN_TESTENV_SERVICES; choose from postgres, mongo, redis, aws.',
  );
  await expect(startEnvironment({ migrationsDir: "/nonexistent/migrations", quiet: true })).rejects.toThrow(
    /postgres .* failed while reading migrations: cannot read the migrations folder \/nonexistent\/migrations/,
  );
});

// Hiding the engine needs a private mount namespace (Linux, unshare); where there is none the test says so.
const canHideDocker = process.platform === "linux" && spawnSync("unshare", ["-rm", "true"]).status === 0;
(canHideDocker ? test : test.skip)("no Docker: one sentence saying how to fix it, from the CLI", () => {
  const cli = `${process.execPath} -r ts-node/register/transpile-only ${packageRoot}/src/cli.ts up`;
  // Inside the namespace the socket is /dev/null and DOCKER_HOST points nowhere: no engine answers.
  const hide = "mount --bind /dev/null /var/run/docker.sock 2>/dev/null; ";
  const result = spawnSync("unshare", ["-rm", "sh", "-c", hide + cli], {
    cwd: packageRoot,
    env: { ...process.env, DOCKER_HOST: "unix:///nonexistent/docker.sock", CAMPAIGN_TESTENV_QUIET: "true" },
    encoding: "utf8",
  });
  expect(result.stderr).toContain(
    "campaign-testenv: no Docker engine answers at DOCKER_HOST=unix:///nonexistent/docker.sock; start Docker",
  );
  expect(result.status).toBe(1);
});
if (!canHideDocker) console.warn("no-Docker test not run: it needs Linux with unshare to hide the engine");

describe("migration runner", () => {
  let admin: Client;
  const database = `migrations_test_${process.env.JEST_WORKER_ID}`;
  beforeAll(async () => {
    const { host, port, user, password } = readContext().postgres!;
    admin = new Client({ host, port, user, password, database: "postgres" });
    await admin.connect();
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)}`);
    await admin.query(`CREATE DATABASE ${quoteIdent(database)}`);
  });
  afterAll(async () => {
    await admin.query(`DROP DATABASE IF EXISTS ${quoteIdent(database)} WITH (FORCE)`);
    await admin.end();
  });

  test("applies in order once, and refuses an applied migration whose file changed", async () => {
    const { host, port, user, password } = readContext().postgres!;
    const client = new Client({ host, port, user, password, database });
    await client.connect();
    try {
      const dir = migrationsFolder({
        "2_b.sql": "ALTER TABLE a ADD b int;",
        "10_c.sql": "ALTER TABLE a ADD c int;",
        "1_a.sql": "CREATE TABLE a (id int);",
      });
      expect(await migrate(client, loadMigrations(dir))).toEqual(["1_a.sql", "2_b.sql", "10_c.sql"]);
      expect(await migrate(client, loadMigrations(dir))).toEqual([]);
      writeFileSync(path.join(dir, "2_b.sql"), "ALTER TABLE a ADD b bigint;");
      await expect(migrate(client, loadMigrations(dir))).rejects.toThrow(
        new RegExp(
          `migration ${dir}/2_b.sql changed after it was applied .* put the change in a new migration`,
        ),
      );
    } finally {
      await client.end();
    }
  });

  test("a failed migration leaves nothing of itself behind", async () => {
    const { host, port, user, password } = readContext().postgres!;
    const client = new Client({ host, port, user, password, database });
    await client.connect();
    try {
      const dir = migrationsFolder({ "20_half.sql": "CREATE TABLE half (id int);\nSELECT 1/0;" });
      await expect(migrate(client, loadMigrations(dir))).rejects.toThrow(
        /20_half.sql failed: division by zero/,
      );
      const { rows } = await client.query(
        "SELECT to_regclass('half') AS t, (SELECT count(*) FROM schema_migrations WHERE name = '20_half.sql')::int AS n",
      );
      expect(rows[0]).toEqual({ t: null, n: 0 });
    } finally {
      await client.end();
    }
  });
});

test("setupTestEnvironment without a running environment says how to get one", async () => {
  const saved = process.env.CAMPAIGN_TESTENV_CONTEXT;
  delete process.env.CAMPAIGN_TESTENV_CONTEXT;
  try {
    await expect(setupTestEnvironment()).rejects.toThrow(
      /CAMPAIGN_TESTENV_CONTEXT is not set.*preset "campaign-testenv"/,
    );
  } finally {
    process.env.CAMPAIGN_TESTENV_CONTEXT = saved;
  }
});
