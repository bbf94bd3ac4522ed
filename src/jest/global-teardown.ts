import { JEST_STATE, type JestState } from "./state";

/** Jest globalTeardown: waits for a start still in flight, then removes the run's containers and files. */
export default async function globalTeardown(): Promise<void> {
  const session = (globalThis as JestState)[JEST_STATE];
  if (!session) return; // setup failed before the run began: nothing was started
  delete (globalThis as JestState)[JEST_STATE];
  await session.teardown();
}
