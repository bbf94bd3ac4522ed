import type { RunnerSession } from "../runner";

/** globalSetup and globalTeardown share the parent process's global object; this is their slot in it. */
export const JEST_STATE = "__campaignTestenv__";
export type JestState = { [JEST_STATE]?: RunnerSession };
