import { resetStores, type TestEnvironment } from "../worker";

/**
 * Brings this store set back to its state right after setup, touching only what the test wrote
 * (each service's reset says how): the tables written emptied and their migration rows and sequences
 * restored, the collections written emptied, the Redis database emptied, the queues, objects and items
 * written reset. Each store takes one round trip or two, all in parallel.
 */
export async function cleanTestData(env: TestEnvironment): Promise<void> {
  await resetStores(env);
}
