import os from "node:os";
import type { Config } from "@jest/types";
import { CONTEXT_ENV, removeContext, removeDeadRuns, writeContext } from "../context";
import { startEnvironment } from "../environment";
import type { EnvironmentOptions } from "../options";
import { onStopSignal } from "../signals";
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
  removeDeadRuns(); // folders (with credentials) of earlier runs that were killed
  const environment = await startEnvironment(options);
  const contextFile = writeContext(environment.context);
  process.env[CONTEXT_ENV] = contextFile;
  // Jest installs no handler of its own: on Ctrl-C Node would exit at once, without globalTeardown,
  // leaving the containers to the reaper and the context folder to nobody.
  const removeHandlers = onStopSignal(async (signal) => {
    removeContext(contextFile);
    await environment.stop().catch(() => undefined); // engine gone: the reaper's job
    process.exit(128 + os.constants.signals[signal]);
  });
  (globalThis as JestState)[JEST_STATE] = { environment, contextFile, removeHandlers };
}
