// The Vitest path another repo takes: the packed package in a throwaway project whose vitest.config
// has one line for it; two test files in two Vitest workers write the same ids at once, under both of
// Vitest's pools (forks and threads), and each sees only its own; a file that needs a service the run
// did not start gets the clear error.
import { spawn } from "node:child_process";
import { once } from "node:events";
import { appendFileSync, rmSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { waitFor } from "../src";
import { docker, LABELS } from "../src/docker";
import { commandEnv, createConsumerProject, npx, ok, run as runIn, TSCONFIG } from "./support/consumer";
import { OLD_ENVIRONMENT_TESTS } from "./support/old-environment";

let project: string;
const run = (args: string[]) =>
  runIn(
    npx,
    ["vitest", "run", ...args],
    { CAMPAIGN_TESTENV_SERVICES: "postgres,redis", NO_COLOR: "1" },
    project,
  );

const files: Record<string, string> = {
  // The guides' Vitest config (docs/JEST_AND_VITEST.md), as a consumer writes it (a comment line either side marks the example).
  "vitest.config.mjs": `
// #region vitest-config
export default { test: { globalSetup: "campaign-testenv/vitest", hookTimeout: 60_000 } };
// #endregion vitest-config
`,
  ...Object.fromEntries(
    ["left", "right"].map((owner) => [
      `tests/${owner}.test.ts`,
      `import { afterAll, beforeAll, beforeEach, expect, test } from "vitest";
import { cleanTestData, setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "redis"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("${owner}: its own row 1 and its own Redis key, while the other worker writes the same", async () => {
  await env.postgres.query("CREATE TABLE IF NOT EXISTS widgets (id integer PRIMARY KEY, owner text NOT NULL)");
  await env.postgres.query("INSERT INTO widgets (id, owner) VALUES (1, $1)", ["${owner}"]);
  await env.redis.set("widget:1", "${owner}");
  for (let i = 0; i < 20; i++) {
    const { rows } = await env.postgres.query("SELECT owner FROM widgets");
    expect(rows).toEqual([{ owner: "${owner}" }]);
    expect(await env.redis.get("widget:1")).toBe("${owner}");
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  console.log("pool " + process.env.VITEST_POOL_ID + " stores " + env.storeSet.id + ": " + env.storeSet.postgresDatabase);
});
`,
    ]),
  ),
  "missing/needs-mongo.test.ts": `import { test } from "vitest";
import { setupTestEnvironment } from "campaign-testenv";

test("asks for Mongo, which this run did not start", async () => {
  await setupTestEnvironment({ services: ["mongo"] });
});
`,
  // The old environment's tests (docs/MIGRATING.md): they use describe, it and expect as globals.
  ...OLD_ENVIRONMENT_TESTS,
  "vitest.migrated.config.mjs": `
// #region vitest-config-migrated
export default {
  test: {
    globals: true, // the old tests use describe, it and expect without importing them
    globalSetup: "campaign-testenv/vitest",
    hookTimeout: 60_000,
    provide: { campaignTestenv: { services: ["postgres", "mongo", "redis"] } },
  },
};
// #endregion vitest-config-migrated
`,
  // A store set's names and a narrowed context read as the types they are (tsc --noEmit, strict, below).
  "types/store-set.ts": `import { expect } from "vitest";
import { setupTestEnvironment, type TestEnvironment } from "campaign-testenv";

export async function checkStoreSet(): Promise<void> {
  const env: TestEnvironment<"redis"> = await setupTestEnvironment({ services: ["redis"] });
  const redisDb: number = env.storeSet.redisDb;
  const host: string = env.context.redis.host; // named in services: no "!" needed
  expect(redisDb + host.length).toBeGreaterThan(0);
  await env.close();
}
`,
  "tsconfig.json": JSON.stringify({
    compilerOptions: { ...JSON.parse(TSCONFIG).compilerOptions, types: ["vitest/globals", "node"] },
  }),
};

beforeAll(() => {
  project = createConsumerProject(files, ["vitest", "typescript", "@types/node"]);
}, 300_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

test.each(["forks", "threads"])(
  "pool %s: two Vitest workers, the same ids at once, each its own stores",
  (pool) => {
    const result = run(["tests", `--pool=${pool}`, "--maxWorkers=2"]);
    const output = `${result.stdout}\n${result.stderr}`;
    expect({ status: result.status, output }).toMatchObject({ status: 0 });
    expect(output).toMatch(/Tests\s+2 passed/);
    const seen = [...output.matchAll(/pool (\d+) stores (\d+): (\S+)/g)];
    expect(seen).toHaveLength(2);
    expect(new Set(seen.map((m) => m[3])).size).toBe(2); // two different databases
  },
  240_000,
);

test("a test file that needs a service the run did not start fails with the fix in its message", () => {
  const result = run(["missing"]);
  expect(result.status).toBe(1);
  expect(`${result.stdout}${result.stderr}`).toContain(
    "campaign-testenv: this test needs mongo, but the environment was started with postgres, redis only. " +
      "Add mongo to CAMPAIGN_TESTENV_SERVICES (or the services option in the Vitest config's test.provide.campaignTestenv).",
  );
}, 240_000);

// The old environment's tests: only their import paths changed; the services come from test.provide,
// which wins over the env var, as Jest's globals do.
test("the Campaign System's old tests run under Vitest with only their import paths changed", () => {
  const result = runIn(
    npx,
    ["vitest", "run", "integration", "--config", "vitest.migrated.config.mjs"],
    { CAMPAIGN_TESTENV_SERVICES: "postgres,redis", NO_COLOR: "1" },
    project,
  );
  const output = `${result.stdout}\n${result.stderr}`;
  expect({ status: result.status, output }).toMatchObject({ status: 0 });
  expect(output).toMatch(/Tests\s+4 passed/);
  // The services came from the config's test.provide, over the env var: Mongo started, AWS did not.
  expect(output).toMatch(/campaign-testenv: starting postgres, mongo, redis \(run \w+\)/);
}, 240_000);

test("they type-check with Vitest's globals", () => {
  ok(runIn(npx, ["tsc", "--noEmit", "-p", "."], {}, project));
}, 120_000);

// test:integration:watch becomes `npx vitest`: its global setup runs once per Vitest process, so a
// rerun finds the environment up, and quitting removes it. Vitest reads its keys (q quits) from a
// terminal only: util-linux's `script` gives it one.
test("watch mode: the environment starts once, serves a rerun, and goes when Vitest quits", async () => {
  const vitest = path.join(project, "node_modules", ".bin", "vitest");
  const command = `${vitest} watch integration --config vitest.migrated.config.mjs`;
  const child = spawn("script", ["--quiet", "--flush", "--return", "--command", command, "/dev/null"], {
    cwd: project,
    env: commandEnv({ CAMPAIGN_TESTENV_SERVICES: undefined, NO_COLOR: "1" }),
  });
  let output = "";
  for (const stream of [child.stdout, child.stderr]) stream.on("data", (chunk) => (output += chunk));
  const exited = once(child, "exit");
  // A run is over when Vitest waits again (it ignores q while a run is going).
  const runs = (n: number) => () =>
    (output.match(/Waiting for file changes/g)?.length ?? 0) >= n || undefined;
  try {
    await waitFor(runs(1), { timeoutMs: 180_000, message: "the first run" });
    appendFileSync(path.join(project, "integration", "example.test.ts"), "\n"); // a change: Vitest reruns it
    await waitFor(runs(2), { timeoutMs: 60_000, message: "the rerun" });
    child.stdin.write("q");
    const late = sleep(60_000, undefined, { ref: false }).then(() => {
      throw new Error("Vitest did not quit within 60 s of q");
    });
    await Promise.race([exited, late]);
  } catch (error) {
    child.kill("SIGKILL");
    throw new Error(`${(error as Error).message}; Vitest's output:\n${output}`, { cause: error });
  }
  expect(output).not.toMatch(/\d+ failed/);
  const starts = [...output.matchAll(/campaign-testenv: starting .* \(run (\w+)\)/g)];
  expect(starts).toHaveLength(1);
  const engine = await docker();
  const left = await engine.listContainers({
    all: true,
    filters: { label: [`${LABELS.run}=${starts[0][1]}`] },
  });
  expect(left).toEqual([]);
}, 300_000);
