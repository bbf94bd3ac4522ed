// Someone else's test suite on the package, as it is: a suite that reads DATABASE_URL / PG* and makes
// databases of its own, in a consumer project (the packed tarball), wired two ways with no change to the
// suite: `campaign-testenv up --write-env` with a plain database, and a global setup of the project's own
// (examples/recipes/). Then the preset run in band, with a test that leaves its own pg pool open: the
// runner's JSON report must be written, and the containers must still go.
import { readFileSync, rmSync } from "node:fs";
import path from "node:path";
import { docker, LABELS, removeContainers } from "../src/docker";
import { createConsumerProject, inBackground, npx, run, runIdIn, until } from "./support/consumer";

/** A suite written for a plain PostgreSQL: each file makes its own database from the PG* settings. */
const EXISTING_SUITE = (name: string) => `const { Client } = require("pg");

const database = "suite_${name}_" + process.pid;
let admin;
let client;
beforeAll(async () => {
  admin = new Client({ connectionString: process.env.DATABASE_URL });
  await admin.connect();
  await admin.query("CREATE DATABASE " + database);
  client = new Client({ database }); // PGHOST, PGPORT, PGUSER, PGPASSWORD from the environment
  await client.connect();
  await client.query("CREATE TABLE jobs (id serial PRIMARY KEY, name text NOT NULL)");
});
afterAll(async () => {
  await client.end();
  await admin.query("DROP DATABASE " + database + " WITH (FORCE)");
  await admin.end();
});

test("${name}: a job goes in and comes back", async () => {
  await client.query("INSERT INTO jobs (name) VALUES ($1)", ["${name}"]);
  expect((await client.query("SELECT name FROM jobs")).rows).toEqual([{ name: "${name}" }]);
});

test("${name}: the main database is plain: no table, and nothing of campaign-testenv's", async () => {
  const { rows } = await admin.query(
    "SELECT n.nspname FROM pg_namespace n WHERE n.nspname NOT LIKE 'pg_%' AND n.nspname NOT IN ('information_schema', 'public')" +
      " UNION ALL SELECT tablename FROM pg_tables WHERE schemaname = 'public'",
  );
  expect(rows).toEqual([]);
});
`;

/** A preset test that opens a pg pool of its own and never ends it (no "error" listener either). */
const LEAKY_TEST = `const { Pool } = require("pg");
const { setupTestEnvironment, teardownTestEnvironment } = require("campaign-testenv");

test("a pool of the test's own, left open", async () => {
  const env = await setupTestEnvironment({ services: ["postgres"] });
  const { host, port, user, password } = env.context.postgres;
  const pool = new Pool({ host, port, user, password, database: env.storeSet.postgresDatabase });
  expect((await pool.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  await teardownTestEnvironment(env);
});
`;

/** A preset test that connects a pg Client of its own and never ends it: it never goes idle. */
const NEVER_ENDED_TEST = `const { Client } = require("pg");
const { setupTestEnvironment, teardownTestEnvironment } = require("campaign-testenv");

test("a client of the test's own, never ended", async () => {
  const env = await setupTestEnvironment({ services: ["postgres"] });
  const { host, port, user, password } = env.context.postgres;
  const client = new Client({ host, port, user, password, database: env.storeSet.postgresDatabase });
  await client.connect();
  expect((await client.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  await teardownTestEnvironment(env);
});
`;

let project: string;
const runIds: string[] = [];

beforeAll(() => {
  project = createConsumerProject(
    {
      "jest.config.js": `module.exports = { testEnvironment: "node", roots: ["<rootDir>/suite"] };\n`,
      "jest.recipe.config.js": `module.exports = {
  testEnvironment: "node",
  roots: ["<rootDir>/suite"],
  transform: { "^.+\\\\.ts$": "ts-jest" },
  globalSetup: "./jest.global-setup.ts",
  globalTeardown: "./jest.global-teardown.ts",
};
`,
      "jest.leaky.config.js": `module.exports = { preset: "campaign-testenv", roots: ["<rootDir>/leaky"] };\n`,
      "jest.never-ended.config.js": `module.exports = { preset: "campaign-testenv", roots: ["<rootDir>/never-ended"] };\n`,
      "tsconfig.json": JSON.stringify({
        compilerOptions: {
          module: "commonjs",
          target: "es2022",
          strict: true,
          esModuleInterop: true,
          types: ["node"],
        },
      }),
      "jest.global-setup.ts": readFileSync(
        path.join(__dirname, "examples/recipes/env-global-setup.ts"),
        "utf8",
      ),
      "jest.global-teardown.ts": readFileSync(
        path.join(__dirname, "examples/recipes/env-global-teardown.ts"),
        "utf8",
      ),
      "db/migrations/.keep": "", // an empty migrations folder: a plain database
      "suite/queue.test.js": EXISTING_SUITE("queue"),
      "suite/worker.test.js": EXISTING_SUITE("worker"),
      "leaky/leaky.test.js": LEAKY_TEST,
      "never-ended/never-ended.test.js": NEVER_ENDED_TEST,
    },
    ["jest", "ts-jest", "typescript", "@types/node"],
  );
}, 300_000);

afterAll(async () => {
  for (const runId of runIds) await removeContainers(runId);
  if (project) rmSync(project, { recursive: true, force: true });
});

const runIdOf = (output: string) => {
  const runId = runIdIn(output);
  runIds.push(runId);
  return runId;
};

/** This package's containers of a run, running or not. */
const containersOf = async (runId: string) =>
  (await docker()).listContainers({ all: true, filters: { label: [`${LABELS.run}=${runId}`] } });

test("up --write-env with a plain database: the suite runs unchanged on the settings it writes", async () => {
  const envFile = path.join(project, ".env.test");
  const up = inBackground(
    path.join(project, "node_modules", ".bin", "campaign-testenv"),
    [
      "up",
      "--services",
      "postgres",
      "--migrations",
      "db/migrations",
      "--no-reset-tracking",
      "--write-env",
      envFile,
    ],
    {},
    project,
  );
  try {
    await until("up is running", () => up.out.stderr.includes("running; press Ctrl-C"), 180_000);
    runIdOf(up.out.stderr);
    // It says which names it wrote.
    expect(up.out.stderr).toContain(
      `campaign-testenv: wrote CAMPAIGN_TESTENV_CONTEXT, DATABASE_URL, PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE to ${envFile}`,
    );
    const settings = Object.fromEntries(
      readFileSync(envFile, "utf8")
        .trim()
        .split("\n")
        .map((line) => [line.slice(0, line.indexOf("=")), line.slice(line.indexOf("=") + 1)]),
    );
    const jest = run(npx, ["jest"], settings, project);
    expect([jest.status, jest.stderr]).toEqual([0, expect.stringMatching(/Tests: +4 passed, 4 total/)]);
  } finally {
    up.signal("SIGINT");
    await up.exited;
  }
}, 300_000);

test("the global-setup recipe: the project's own setup waits for the environment and exports its settings", () => {
  const jest = run(npx, ["jest", "-c", "jest.recipe.config.js"], {}, project);
  runIdOf(jest.stderr);
  expect([jest.status, jest.stderr]).toEqual([0, expect.stringMatching(/Tests: +4 passed, 4 total/)]);
  expect(jest.stderr).toContain("environment ready");
}, 300_000);

test("in band, a test leaves its own pg pool open: the JSON report is written, and the containers go when Jest exits", async () => {
  const report = path.join(project, "report.json");
  const jest = run(
    npx,
    ["jest", "-c", "jest.leaky.config.js", "--runInBand", "--json", "--outputFile", report],
    {
      CAMPAIGN_TESTENV_SERVICES: "postgres",
    },
    project,
  );
  const runId = runIdOf(jest.stderr);
  expect([jest.status, jest.signal]).toEqual([0, null]);
  expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({ success: true, numPassedTests: 1 });
  expect(jest.stderr).toMatch(
    /postgres +note: 1 connection\(s\) still open .*its container goes when this process exits, or in 15 s/,
  );
  // The run's own reaper removes them once Jest has exited.
  await until(
    "the run's containers to be removed",
    async () => (await containersOf(runId)).length === 0,
    30_000,
  );
}, 300_000);

test("in band, a client that is never ended: the report is written, and the run still ends (the containers go after 15 s)", async () => {
  const report = path.join(project, "report-never-ended.json");
  const started = Date.now();
  const jest = run(
    npx,
    ["jest", "-c", "jest.never-ended.config.js", "--runInBand", "--json", "--outputFile", report],
    { CAMPAIGN_TESTENV_SERVICES: "postgres" },
    project,
  );
  const runId = runIdOf(jest.stderr);
  // The client's own unhandled "error" ends the process once its container is gone: after the report.
  expect(JSON.parse(readFileSync(report, "utf8"))).toMatchObject({ success: true, numPassedTests: 1 });
  expect(jest.signal).toBeNull();
  expect(Date.now() - started).toBeLessThan(120_000);
  await until(
    "the run's containers to be removed",
    async () => (await containersOf(runId)).length === 0,
    30_000,
  );
}, 300_000);
