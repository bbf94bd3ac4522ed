import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { MongoFlavour, ServiceName } from "./options";
import type { CollectionsSpec } from "./services/mongo";
import type { AwsResourcesSpec } from "./services/aws";

/** Connection info only, no clients: it is written to a file and read by every Jest worker. */
export interface EnvironmentContext {
  runId: string;
  startedAt: string;
  services: ServiceName[];
  postgres?: PostgresContext;
  mongo?: MongoContext;
  redis?: RedisContext;
  aws?: AwsContext;
}

export interface PostgresContext {
  image: string;
  host: string;
  port: number;
  user: string;
  password: string;
  /** The migrated database that `campaign-testenv up` users and unisolated code connect to. */
  database: string;
  /** Migrated template that every worker database is cloned from; named by the migrations' hash. */
  templateDatabase: string;
  url: string;
}

export interface MongoContext {
  image: string;
  flavour: MongoFlavour;
  host: string;
  port: number;
  /** Connection string without a database name. */
  uri: string;
  database: string;
  /** False where the server does not enforce $jsonSchema validators (FerretDB). */
  validators: boolean;
  /** False where the server has no multi-document transactions (FerretDB). */
  transactions: boolean;
  /** The collections every worker database gets. */
  spec: CollectionsSpec;
}

export interface RedisContext {
  image: string;
  host: string;
  port: number;
  password: string;
  url: string;
}

export interface AwsContext {
  image: string;
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
  /** The resources created at startup; workers create their own copies under a prefix. */
  spec: AwsResourcesSpec;
}

/** The env var that points Jest workers (and the CLI) at the context file. */
export const CONTEXT_ENV = "CAMPAIGN_TESTENV_CONTEXT";

/** Writes the context into a fresh per-run folder and returns the file's path. */
export function writeContext(context: EnvironmentContext): string {
  const dir = path.join(os.tmpdir(), `campaign-testenv-${context.runId}`);
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
    throw new Error(
      `campaign-testenv: ${CONTEXT_ENV} is not set, so no environment is running for this test. ` +
        `Use preset "campaign-testenv" (or its globalSetup/globalTeardown) in your Jest config, ` +
        `or start one with "npx campaign-testenv up" and export what it prints.`,
    );
  }
  try {
    return JSON.parse(readFileSync(file, "utf8")) as EnvironmentContext;
  } catch (error) {
    throw new Error(
      `campaign-testenv: cannot read the environment context ${file} (${(error as Error).message}); ` +
        `the environment that wrote it has probably stopped. Start it again.`,
      { cause: error },
    );
  }
}
