// docs/JEST_AND_VITEST.md, "A global setup of your own": a repository whose Jest config already has a
// globalSetup (and a globalTeardown) calls the package's from its own. The two files' bodies are the
// regions below, run here as Jest would run them: a second run next to this suite's, with Redis only,
// started by the package's setup called from the example's, used by a test file's
// setupTestEnvironment, and removed by the package's teardown called from the example's.
import type { Config } from "@jest/types";
import Docker from "dockerode";
import { existsSync } from "node:fs";
import { CONTEXT_ENV, setupTestEnvironment, teardownTestEnvironment } from "campaign-testenv";

type Hook = (globalConfig: Config.GlobalConfig, projectConfig: Config.ProjectConfig) => Promise<void>;

/**
 * `require` as a consumer's CommonJS file calls it, typed: the calls in the regions are checked against
 * the real signatures of the package's entry points (a plain `require` returns any).
 */
interface EntryPoints {
  (id: "campaign-testenv/global-setup"): typeof import("campaign-testenv/global-setup");
  (id: "campaign-testenv/global-teardown"): typeof import("campaign-testenv/global-teardown");
}
const entryPoints: EntryPoints = (id: string) => require(id);

/** Runs a file's body against a module object of its own, as Node would, and returns its export. */
function load(file: (module: { exports?: Hook }, require: EntryPoints) => void): Hook {
  const module: { exports?: Hook } = {};
  file(module, entryPoints);
  return module.exports!;
}

const ownSetup = load((module, require) => {
  // #region global-setup
  // jest.global-setup.js: a globalSetup in your config replaces the preset's, so yours calls it first
  module.exports = async (globalConfig, projectConfig) => {
    await require("campaign-testenv/global-setup").default(globalConfig, projectConfig);
    process.env.PAYMENTS_API_URL = "http://127.0.0.1:4010"; // then your own setup
  };
  // #endregion global-setup
});

const ownTeardown = load((module, require) => {
  // #region global-teardown
  // jest.global-teardown.js: your own teardown, then the package's (it removes the containers)
  module.exports = async () => {
    delete process.env.PAYMENTS_API_URL;
    await require("campaign-testenv/global-teardown").default();
  };
  // #endregion global-teardown
});

// This suite's own run: the example's setup points CAMPAIGN_TESTENV_CONTEXT at the run it starts.
const suiteContext = process.env[CONTEXT_ENV];
afterAll(() => {
  process.env[CONTEXT_ENV] = suiteContext;
});

test("a global setup of your own that calls the package's starts a run; your teardown's call removes it", async () => {
  const globalConfig = { maxWorkers: 1 } as Config.GlobalConfig;
  const projectConfig = {
    globals: { campaignTestenv: { services: ["redis"], quiet: true } },
  } as unknown as Config.ProjectConfig;

  await ownSetup(globalConfig, projectConfig);
  const runFile = process.env[CONTEXT_ENV]!;
  expect(runFile).not.toBe(suiteContext);
  expect(process.env.PAYMENTS_API_URL).toBe("http://127.0.0.1:4010");

  // A test file of that run gets its stores as under the preset.
  const env = await setupTestEnvironment({ services: ["redis"] });
  const { runId } = env.context;
  try {
    await env.redis.set("greeting", "hello");
    expect(await env.redis.get("greeting")).toBe("hello");
    expect(env.context.services).toEqual(["redis"]);
  } finally {
    await teardownTestEnvironment(env);
  }

  await ownTeardown(globalConfig, projectConfig);
  expect(process.env.PAYMENTS_API_URL).toBeUndefined();
  expect(existsSync(runFile)).toBe(false);
  const left = await new Docker().listContainers({
    all: true,
    filters: { label: [`campaign-testenv.run=${runId}`] },
  });
  expect(left).toEqual([]);
});
