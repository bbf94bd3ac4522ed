import type { Config } from "@jest/types";
import type { EnvironmentOptions } from "../options";
import { startRunnerSession } from "../runner";
import { JEST_STATE, type JestState } from "./state";

/**
 * Jest globalSetup: runs once in the parent process, before any worker is forked, and returns as soon
 * as the run has begun; the services start while Jest compiles and starts the test files. Workers
 * inherit process.env, so the context reaches them as a file plus the env var that points at it.
 * Options come from the Jest config's `globals.campaignTestenv`, then CAMPAIGN_TESTENV_* env vars.
 */
export default async function globalSetup(
  globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): Promise<void> {
  const options = projectConfig.globals?.campaignTestenv as EnvironmentOptions | undefined;
  (globalThis as JestState)[JEST_STATE] = await startRunnerSession(options, {
    workers: globalConfig.maxWorkers,
    runner: "jest",
  });
}
