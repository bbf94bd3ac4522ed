// The teardown of env-global-setup.ts's recipe.
// #region env-global-teardown
// jest.global-teardown.ts
import type { StartedEnvironment } from "campaign-testenv";

export default async function globalTeardown(): Promise<void> {
  await (globalThis as { campaignTestenv?: StartedEnvironment }).campaignTestenv?.stop();
}
// #endregion env-global-teardown
