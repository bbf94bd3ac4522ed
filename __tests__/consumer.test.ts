// The path another repo takes: `npm pack`, install the tarball into a throwaway project outside this
// repo, a Jest config that only names the preset, TypeScript tests that `tsc --noEmit` type-checks
// against the published declarations (the preset only transpiles), run with two real Jest workers. Then the same project asks for a
// service it did not start and must get the clear error. Also: ESM and CommonJS imports, the CLI.
import { readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import {
  createConsumerProject,
  ENTRY_POINT_FILES,
  ENTRY_POINTS,
  JEST_TOOLS,
  npx,
  ok,
  run as runIn,
  TSCONFIG,
} from "./support/consumer";
import { OLD_ENVIRONMENT_TESTS } from "./support/old-environment";

let project: string;

/** Runs a command in the consumer project. */
const run = (cmd: string, args: string[], env: NodeJS.ProcessEnv = {}) => runIn(cmd, args, env, project);

const files: Record<string, string> = {
  "jest.config.js": `module.exports = { preset: "campaign-testenv" };\n`,
  "tsconfig.json": TSCONFIG,
  // The consumer's own schema, through the migrations option (here its env var).
  "db/migrations/001_widgets.sql": `CREATE TABLE widgets (id integer PRIMARY KEY, owner text NOT NULL);\n`,
  // Two files, two workers, the same ids at the same time: each must only ever see its own.
  ...Object.fromEntries(
    ["left", "right"].map((owner) => [
      `__tests__/${owner}.test.ts`,
      `import { cleanTestData, setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "redis"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("${owner}: its own widget 1 and its own Redis key, while the other worker writes the same", async () => {
  const url: string = env.context.postgres!.url;
  const redisPort: number = env.context.redis!.port;
  expect(url).toMatch(/^postgres(ql)?:\\/\\//);
  expect(redisPort).toBeGreaterThan(0);

  await env.postgres.query("INSERT INTO widgets (id, owner) VALUES (1, $1)", ["${owner}"]);
  await env.redis.set("widget:1", "${owner}");
  for (let i = 0; i < 20; i++) {
    const { rows } = await env.postgres.query("SELECT owner FROM widgets");
    expect(rows).toEqual([{ owner: "${owner}" }]);
    expect(await env.redis.get("widget:1")).toBe("${owner}");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log("store set " + env.storeSet.id + ": " + env.storeSet.postgresDatabase);
});
`,
    ]),
  ),
  "missing/needs-mongo.test.ts": `import { setupTestEnvironment } from "campaign-testenv";

test("asks for Mongo, which this run did not start", async () => {
  await setupTestEnvironment({ services: ["mongo"] });
});
`,
  ...ENTRY_POINT_FILES,
  // The old environment's tests (docs/MIGRATING.md), type-checked with the rest by tsc --noEmit.
  ...OLD_ENVIRONMENT_TESTS,
  // The README's and the guides' examples as written, type-checked strictly by tsc --noEmit like the rest.
  ...Object.fromEntries(
    readdirSync(path.join(__dirname, "examples"), { recursive: true, encoding: "utf8" })
      .filter((file) => file.endsWith(".ts"))
      .map((file) => [`examples/${file}`, readFileSync(path.join(__dirname, "examples", file), "utf8")]),
  ),
  // A store set's names and a narrowed context read as the types they are, under strict TypeScript.
  "types/store-set.ts": `import { setupTestEnvironment, type TestEnvironment } from "campaign-testenv";

export async function describeStoreSet(): Promise<string> {
  const env: TestEnvironment<"postgres" | "redis"> = await setupTestEnvironment({ services: ["postgres", "redis"] });
  const id: number = env.storeSet.id;
  const redisDb: number = env.storeSet.redisDb;
  const database: string = env.storeSet.postgresDatabase;
  const url: string = env.context.postgres.url; // named in services: no "!" needed
  const port: number = env.context.redis.port;
  await env.close();
  return [id + redisDb + port, database.toUpperCase(), url].join(" ");
}
`,
};

beforeAll(() => {
  // @types/dockerode: one example lists containers with dockerode, as a consumer's test might.
  project = createConsumerProject(files, [...JEST_TOOLS, "@types/dockerode"]);
}, 300_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

const consumerEnv = {
  CAMPAIGN_TESTENV_SERVICES: "postgres,redis",
  CAMPAIGN_TESTENV_MIGRATIONS_DIR: "db/migrations",
};

test("the packed package runs the consumer's tests with the preset, two workers isolated", () => {
  const result = run(npx, ["jest", "--maxWorkers=2", "--roots", "__tests__"], consumerEnv);
  const output = `${result.stdout}\n${result.stderr}`;
  expect({ status: result.status, output }).toMatchObject({ status: 0 });
  expect(output).toMatch(/Tests:\s+2 passed, 2 total/);
  // Two different workers, two different databases.
  const databases = [...output.matchAll(/store set (\d+): (\S+)/g)].map((m) => m[2]);
  expect(new Set(databases).size).toBe(2);
}, 240_000);

test("the consumer's tests, the docs' examples and the store set's types type-check strictly against the published declarations", () => {
  ok(run(npx, ["tsc", "--noEmit", "-p", "."]));
  // The check has teeth: a wrong type in a test file fails it (while the transpile-only preset would run it).
  writeFileSync(
    path.join(project, "__tests__", "wrong.ts"),
    `import { setupTestEnvironment } from "campaign-testenv";\nsetupTestEnvironment({ services: ["kafka"] });\n`,
  );
  try {
    const result = run(npx, ["tsc", "--noEmit", "-p", "."]);
    expect(result.status).not.toBe(0);
    expect(result.stdout).toContain("Type '\"kafka\"' is not assignable");
  } finally {
    rmSync(path.join(project, "__tests__", "wrong.ts"));
  }
}, 120_000);

test("a consumer test that needs a service the run did not start fails with the fix in its message", () => {
  const result = run(npx, ["jest", "--roots", "missing"], consumerEnv);
  expect(result.status).toBe(1);
  expect(result.stderr).toContain(
    "campaign-testenv: this test needs mongo, but the environment was started with postgres, redis only. " +
      "Add mongo to CAMPAIGN_TESTENV_SERVICES (or the services option in the Jest config's globals.campaignTestenv).",
  );
}, 240_000);

test("ESM and CommonJS consumers import every entry point; the CLI runs", () => {
  for (const [file, { prints }] of Object.entries(ENTRY_POINTS)) {
    expect(ok(run(process.execPath, [file])).trim()).toBe(prints);
  }
  const cli = run(npx, ["campaign-testenv"]);
  expect(`${cli.stdout}${cli.stderr}`).toContain("Usage: campaign-testenv <command>");
});

// The old environment's tests: only their import paths changed.
test("the Campaign System's old tests run under the preset with only their import paths changed", () => {
  const result = run(npx, ["jest", "--roots", "integration"], {
    CAMPAIGN_TESTENV_SERVICES: "postgres,mongo,redis",
  });
  const output = `${result.stdout}\n${result.stderr}`;
  expect({ status: result.status, output }).toMatchObject({ status: 0 });
  expect(output).toMatch(/Tests:\s+4 passed, 4 total/);
}, 240_000);
