import { removeContext } from "../context";
import { JEST_STATE, type JestState } from "./state";

/** Jest globalTeardown: removes exactly the containers globalSetup started, and the context file. */
export default async function globalTeardown(): Promise<void> {
  const state = (globalThis as JestState)[JEST_STATE];
  if (!state) return; // setup failed and already removed what it had started
  delete (globalThis as JestState)[JEST_STATE];
  removeContext(state.contextFile);
  await state.environment.stop();
  state.removeHandlers();
}
