import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { ContextError } from "./errors";
import type { ServiceContexts, ServiceName } from "./services";

/** Connection info only, no clients: it is written to a file and read by every worker. */
export type EnvironmentContext = {
  runId: string;
  startedAt: string;
  services: ServiceName[];
} & Partial<ServiceContexts>;

/** The env var that points workers (and the CLI) at the context file. */
export const CONTEXT_ENV = "CAMPAIGN_TESTENV_CONTEXT";

/** The folder of one run's files: its context (with credentials), private to this user. */
export const runDir = (runId: string): string => path.join(os.tmpdir(), `campaign-testenv-${runId}`);

/** Writes the context into a fresh per-run folder and returns the file's path. */
export function writeContext(context: EnvironmentContext): string {
  const dir = runDir(context.runId);
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  const file = path.join(dir, "context.json");
  writeFileSync(file, JSON.stringify(context, null, 2), { mode: 0o600 });
  return file;
}

export function removeContext(file: string): void {
  rmSync(path.dirname(file), { recursive: true, force: true });
}

export function readContext(file = process.env[CONTEXT_ENV]): EnvironmentContext {
  if (!file) {
    throw new ContextError(
      `campaign-testenv: ${CONTEXT_ENV} is not set, so no environment is running for this test. ` +
        `Use preset "campaign-testenv" (or its globalSetup/globalTeardown) in your Jest config, ` +
        `or start one with "npx campaign-testenv up" and export what it prints.`,
    );
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as EnvironmentContext;
  } catch (error) {
    throw new ContextError(
      `campaign-testenv: cannot read the environment context ${file} (${(error as Error).message}); ` +
        `the environment that wrote it has probably stopped. Start it again.`,
      { cause: error },
    );
  }
}
