import type { TestProject } from "vitest/node";
import { startRunnerSession } from "../runner";

/**
 * Vitest globalSetup (`test: { globalSetup: "campaign-testenv/vitest" }`): starts the environment once
 * per Vitest process, in the background, and removes it when Vitest exits; in watch mode it stays up
 * across reruns. Test files reach it through the same context file and env var as under Jest, and
 * their store sets are numbered by VITEST_POOL_ID when they build their own. Options come from the
 * CAMPAIGN_TESTENV_* env vars.
 */
export default async function setup(project: TestProject): Promise<() => Promise<void>> {
  const session = await startRunnerSession(undefined, { workers: project.config.maxWorkers ?? 1 });
  return () => session.teardown();
}
