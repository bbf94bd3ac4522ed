// The recipe for a suite that already reads DATABASE_URL / PG* (and creates its own databases): the
// project's own Jest global setup starts the environment, waits for it, and copies its settings into
// process.env, which Jest's workers inherit. existing-suite.test.ts runs it in a consumer project.
// #region env-global-setup
// jest.global-setup.ts
import { environmentVariables, type StartedEnvironment, startEnvironment } from "campaign-testenv";

export default async function globalSetup(): Promise<void> {
  const environment = await startEnvironment({
    services: ["postgres", "redis"],
    migrationsDir: "db/migrations", // your own NNN_name.sql files; an empty folder is a plain database
    resetTracking: false, // nothing of campaign-testenv's own in your database
  });
  // DATABASE_URL, PGHOST, PGPORT, PGUSER, PGPASSWORD, PGDATABASE, REDIS_URL
  Object.assign(process.env, environmentVariables(environment.context));
  (globalThis as { campaignTestenv?: StartedEnvironment }).campaignTestenv = environment;
}
// #endregion env-global-setup
