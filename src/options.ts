import path from "node:path";
import { packageRoot } from "./paths";

export const SERVICE_NAMES = ["postgres", "mongo", "redis", "aws"] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

export const MONGO_FLAVOURS = ["mongo", "ferretdb"] as const;
export type MongoFlavour = (typeof MONGO_FLAVOURS)[number];

/** What a caller may set; every field has a default and a CAMPAIGN_TESTENV_* env var. */
export interface EnvironmentOptions {
  /** Services to start. Env: CAMPAIGN_TESTENV_SERVICES=postgres,redis */
  services?: ServiceName[];
  /** Image per service. Env: CAMPAIGN_TESTENV_POSTGRES_IMAGE, _MONGO_IMAGE, _REDIS_IMAGE, _AWS_IMAGE */
  images?: Partial<Record<ServiceName, string>>;
  /** Which Mongo-protocol server the image is. Env: CAMPAIGN_TESTENV_MONGO_FLAVOUR */
  mongoFlavour?: MongoFlavour;
  /** Per-service startup timeout. Env: CAMPAIGN_TESTENV_STARTUP_TIMEOUT_MS */
  startupTimeoutMs?: number;
  /** No progress output. Env: CAMPAIGN_TESTENV_QUIET=true */
  quiet?: boolean;
  /** Also print each initialisation step. Env: CAMPAIGN_TESTENV_VERBOSE=true */
  verbose?: boolean;
  /** Keep the containers running after the run and reuse them next time. Env: CAMPAIGN_TESTENV_REUSE=true */
  reuse?: boolean;
  /** Folder of NNN_name.sql files. Env: CAMPAIGN_TESTENV_MIGRATIONS_DIR */
  migrationsDir?: string;
  /** Folder holding mongo-collections.json and aws-resources.json. Env: CAMPAIGN_TESTENV_FIXTURES_DIR */
  fixturesDir?: string;
}

export type ResolvedOptions = Required<Omit<EnvironmentOptions, "images">> & {
  images: Record<ServiceName, string>;
};

/** The official images; a machine without Docker Hub points the env vars at its own builds. */
export const DEFAULT_IMAGES: Record<ServiceName, string> = {
  postgres: "postgres:15-alpine",
  mongo: "mongo:7.0",
  redis: "redis:7-alpine",
  aws: "localstack/localstack:4.14.0",
};

export const ENV_PREFIX = "CAMPAIGN_TESTENV_";

export class OptionsError extends Error {
  override name = "OptionsError";
}

/** Explicit options win over env vars, env vars over defaults. */
export function resolveOptions(options: EnvironmentOptions = {}, env = process.env): ResolvedOptions {
  const fromEnv = (key: string): string | undefined => {
    const value = env[ENV_PREFIX + key]?.trim();
    return value === "" ? undefined : value;
  };
  const services =
    options.services ??
    fromEnv("SERVICES")
      ?.split(",")
      .map((s) => s.trim());
  const images = Object.fromEntries(
    SERVICE_NAMES.map((name) => [
      name,
      options.images?.[name] ?? fromEnv(`${name.toUpperCase()}_IMAGE`) ?? DEFAULT_IMAGES[name],
    ]),
  ) as Record<ServiceName, string>;

  return {
    services: parseServices(services ?? [...SERVICE_NAMES]),
    images,
    mongoFlavour: parseChoice(
      "mongoFlavour",
      "MONGO_FLAVOUR",
      options.mongoFlavour ?? fromEnv("MONGO_FLAVOUR") ?? "mongo",
      MONGO_FLAVOURS,
    ),
    startupTimeoutMs: parseTimeout(options.startupTimeoutMs ?? fromEnv("STARTUP_TIMEOUT_MS") ?? 120_000),
    quiet: options.quiet ?? parseBoolean("QUIET", fromEnv("QUIET")),
    verbose: options.verbose ?? parseBoolean("VERBOSE", fromEnv("VERBOSE")),
    reuse: options.reuse ?? parseBoolean("REUSE", fromEnv("REUSE")),
    migrationsDir: path.resolve(
      options.migrationsDir ?? fromEnv("MIGRATIONS_DIR") ?? path.join(packageRoot, "migrations"),
    ),
    fixturesDir: path.resolve(
      options.fixturesDir ?? fromEnv("FIXTURES_DIR") ?? path.join(packageRoot, "fixtures"),
    ),
  };
}

function parseServices(names: string[]): ServiceName[] {
  const unknown = names.filter((n) => !(SERVICE_NAMES as readonly string[]).includes(n));
  if (unknown.length > 0 || names.length === 0) {
    throw new OptionsError(
      `campaign-testenv: unknown service(s) ${JSON.stringify(unknown)} in the services option or ` +
        `${ENV_PREFIX}SERVICES; choose from ${SERVICE_NAMES.join(", ")}.`,
    );
  }
  // Canonical order, no duplicates: the order of progress lines and of the context.
  return SERVICE_NAMES.filter((n) => names.includes(n));
}

function parseChoice<T extends string>(option: string, key: string, value: string, choices: readonly T[]): T {
  if (!(choices as readonly string[]).includes(value)) {
    throw new OptionsError(
      `campaign-testenv: ${option} / ${ENV_PREFIX}${key} is "${value}"; choose one of ${choices.join(", ")}.`,
    );
  }
  return value as T;
}

function parseTimeout(value: number | string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new OptionsError(
      `campaign-testenv: startupTimeoutMs / ${ENV_PREFIX}STARTUP_TIMEOUT_MS is "${value}"; give a positive whole number of milliseconds.`,
    );
  }
  return ms;
}

function parseBoolean(key: string, value: string | undefined): boolean {
  if (value === undefined) return false;
  if (["1", "true", "yes"].includes(value.toLowerCase())) return true;
  if (["0", "false", "no"].includes(value.toLowerCase())) return false;
  throw new OptionsError(`campaign-testenv: ${ENV_PREFIX}${key} is "${value}"; use true or false.`);
}
