import type { TestProject } from "vitest/node";
import type { EnvironmentOptions } from "../options";
import { startRunnerSession } from "../runner";

import type {} from "vitest";

declare module "vitest" {
  interface ProvidedContext {
    /** campaign-testenv's options, as under Jest's `globals.campaignTestenv`. */
    campaignTestenv?: EnvironmentOptions;
  }
}

/**
 * Vitest globalSetup (`test: { globalSetup: "campaign-testenv/vitest" }`): starts the environment once
 * per Vitest process, in the background, and removes it when Vitest exits; in watch mode it stays up
 * across reruns. Test files reach it through the same context file and env var as under Jest. Options
 * come from the Vitest config's `test.provide.campaignTestenv`, then CAMPAIGN_TESTENV_* env vars.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const session = await startRunnerSession(project.getProvidedContext().campaignTestenv, {
    workers: project.config.maxWorkers ?? 1,
    runner: "vitest",
  });
  return () => session.teardown();
}
