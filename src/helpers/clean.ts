import { explainFailure } from "../explain";
import { service } from "../services";
import type { TestEnvironment } from "../worker";

/**
 * Brings this store set's stores back to their state right after setup: every table but
 * schema_migrations empty, every collection empty, the Redis database empty, queues empty and buckets
 * holding only their sample objects. Each store takes one or two round trips, all in parallel.
 */
export async function cleanTestData(env: TestEnvironment): Promise<void> {
  await Promise.all(
    env.services.map((name) =>
      service(name)
        .reset(env.client(name), env.context[name]!)
        .catch(async (error: unknown) => {
          throw await explainFailure(env.context, name, `cleaning the ${name} data`, error);
        }),
    ),
  );
}
