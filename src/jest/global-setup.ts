import type { Config } from "@jest/types";
import { CONTEXT_ENV, writeContext } from "../context";
import { startEnvironment } from "../environment";
import type { EnvironmentOptions } from "../options";
import { JEST_STATE, type JestState } from "./state";

/**
 * Jest globalSetup: runs once in the parent process, before any worker is forked. Workers inherit
 * process.env, so the context reaches them as a file plus the env var that points at it.
 * Options come from the Jest config's `globals.campaignTestenv`, then CAMPAIGN_TESTENV_* env vars.
 */
export default async function globalSetup(
  _globalConfig: Config.GlobalConfig,
  projectConfig: Config.ProjectConfig,
): Promise<void> {
  const options = projectConfig.globals?.campaignTestenv as EnvironmentOptions | undefined;
  const environment = await startEnvironment(options);
  const contextFile = writeContext(environment.context);
  process.env[CONTEXT_ENV] = contextFile;
  (globalThis as JestState)[JEST_STATE] = { environment, contextFile };
}
