import path from "node:path";
import { OptionsError } from "./errors";
import { packageRoot } from "./paths";
import { SERVICE_NAMES, SERVICES, type ServiceFlavours, type ServiceName } from "./services";
import type { ServiceSettings } from "./service";

/**
 * The flavour of each service, e.g. `mongoFlavour: "ferretdb"`, `awsFlavour: "ministack"`.
 * Env: CAMPAIGN_TESTENV_MONGO_FLAVOUR, CAMPAIGN_TESTENV_AWS_FLAVOUR (CAMPAIGN_TESTENV_<SERVICE>_FLAVOUR).
 */
type FlavourOptions = { [K in ServiceName as `${K}Flavour`]?: ServiceFlavours[K] };

/** What a caller may set; every field has a default and a CAMPAIGN_TESTENV_* env var. */
export interface EnvironmentOptions extends FlavourOptions {
  /** Services to start. Env: CAMPAIGN_TESTENV_SERVICES=postgres,redis */
  services?: ServiceName[];
  /**
   * Image per service. Env: CAMPAIGN_TESTENV_POSTGRES_IMAGE, _MONGO_IMAGE, _REDIS_IMAGE, _AWS_IMAGE; or per
   * flavour, used when that flavour is chosen: CAMPAIGN_TESTENV_FERRETDB_IMAGE,
   * CAMPAIGN_TESTENV_LOCALSTACK_IMAGE, CAMPAIGN_TESTENV_MINISTACK_IMAGE.
   */
  images?: Partial<Record<ServiceName, string>>;
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
  /** Folder holding mongo-collections.json and aws-resources.json. Env: CAMPAIGN_TESTENV_SPECS_DIR */
  specsDir?: string;
}

export interface ResolvedOptions {
  services: ServiceName[];
  images: Record<ServiceName, string>;
  flavours: ServiceFlavours;
  startupTimeoutMs: number;
  quiet: boolean;
  verbose: boolean;
  reuse: boolean;
  migrationsDir: string;
  specsDir: string;
}

/** The image of each service's default flavour: the official images. */
export const DEFAULT_IMAGES = Object.fromEntries(
  SERVICE_NAMES.map((name) => [name, Object.values<string>(SERVICES[name].images)[0]]),
) as Record<ServiceName, string>;

export const ENV_PREFIX = "CAMPAIGN_TESTENV_";

/** Explicit options win over env vars, env vars over defaults. */
export function resolveOptions(options: EnvironmentOptions = {}, env = process.env): ResolvedOptions {
  const fromEnv = (key: string): string | undefined => {
    const value = env[ENV_PREFIX + key]?.trim();
    return value === "" ? undefined : value;
  };
  // Renamed (the folder holds specs, not fixtures): a clear error rather than a setting silently ignored.
  if ("fixturesDir" in options || fromEnv("FIXTURES_DIR") !== undefined) {
    throw new OptionsError(
      `campaign-testenv: fixturesDir / ${ENV_PREFIX}FIXTURES_DIR was renamed specsDir / ${ENV_PREFIX}SPECS_DIR; use the new name.`,
    );
  }
  const services = parseServices(
    options.services ??
      fromEnv("SERVICES")
        ?.split(",")
        .map((s) => s.trim()) ?? [...SERVICE_NAMES],
  );
  const flavours = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const choices = Object.keys(SERVICES[name].images);
      const given = (options as Record<string, string | undefined>)[`${name}Flavour`];
      const key = `${name.toUpperCase()}_FLAVOUR`;
      return [name, parseChoice(`${name}Flavour`, key, given ?? fromEnv(key) ?? choices[0], choices)];
    }),
  ) as ServiceFlavours;
  const images = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const flavour: string = flavours[name];
      const image =
        options.images?.[name] ??
        fromEnv(`${name.toUpperCase()}_IMAGE`) ??
        fromEnv(`${flavour.toUpperCase()}_IMAGE`) ??
        (SERVICES[name].images as Record<string, string>)[flavour];
      return [name, image];
    }),
  ) as Record<ServiceName, string>;

  return {
    services,
    images,
    flavours,
    startupTimeoutMs: parseTimeout(options.startupTimeoutMs ?? fromEnv("STARTUP_TIMEOUT_MS") ?? 120_000),
    quiet: options.quiet ?? parseBoolean("QUIET", fromEnv("QUIET")),
    verbose: options.verbose ?? parseBoolean("VERBOSE", fromEnv("VERBOSE")),
    reuse: options.reuse ?? parseBoolean("REUSE", fromEnv("REUSE")),
    migrationsDir: path.resolve(
      options.migrationsDir ?? fromEnv("MIGRATIONS_DIR") ?? path.join(packageRoot, "migrations"),
    ),
    specsDir: path.resolve(options.specsDir ?? fromEnv("SPECS_DIR") ?? path.join(packageRoot, "fixtures")),
  };
}

/** What the service `name` reads of the resolved options. */
export function serviceSettings<K extends ServiceName>(
  options: ResolvedOptions,
  name: K,
): ServiceSettings<ServiceFlavours[K]> {
  const { startupTimeoutMs, reuse, migrationsDir, specsDir, services } = options;
  return {
    image: options.images[name],
    flavour: options.flavours[name],
    startupTimeoutMs,
    reuse,
    migrationsDir,
    specsDir,
    services,
  };
}

function parseServices(names: string[]): ServiceName[] {
  const unknown = names.filter((n) => !(SERVICE_NAMES as string[]).includes(n));
  if (names.length === 0) {
    throw new OptionsError(
      `campaign-testenv: no service chosen in the services option or ${ENV_PREFIX}SERVICES; choose from ${SERVICE_NAMES.join(", ")}.`,
    );
  }
  if (unknown.length > 0) {
    throw new OptionsError(
      `campaign-testenv: unknown service(s) ${JSON.stringify(unknown)} in the services option or ` +
        `${ENV_PREFIX}SERVICES; choose from ${SERVICE_NAMES.join(", ")}.`,
    );
  }
  // Canonical order, no duplicates: the order of progress lines and of the context.
  return SERVICE_NAMES.filter((n) => names.includes(n));
}

function parseChoice(option: string, key: string, value: string, choices: readonly string[]): string {
  if (!choices.includes(value)) {
    throw new OptionsError(
      `campaign-testenv: ${option} / ${ENV_PREFIX}${key} is "${value}"; choose one of ${choices.join(", ")}.`,
    );
  }
  return value;
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
