import { explainFailure } from "../explain";
import { service } from "../services";
import type { TestEnvironment } from "../worker";

/**
 * Brings this store set back to its state right after setup, touching only what the test wrote
 * (each service's reset says how): the tables written emptied and their migration rows and sequences
 * restored, the collections written emptied, the Redis database emptied, the queues, objects and items
 * written reset. Each store takes one round trip or two, all in parallel.
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
