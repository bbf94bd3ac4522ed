import { refuseOldEnvironmentOptions } from "./compat";
import { OptionsError } from "./errors";
import { type OwnOption, parseFlag, type ServiceSettings } from "./service";
import {
  DEFAULT_SERVICES,
  flavoursOf,
  SERVICE_NAMES,
  SERVICES,
  type ServiceFlavours,
  type ServiceName,
  type ServiceOptions,
  service,
} from "./services";

/**
 * The flavour of each service, e.g. `mongoFlavour: "ferretdb"`, `awsFlavour: "ministack"`.
 * Env: CAMPAIGN_TESTENV_MONGO_FLAVOUR, CAMPAIGN_TESTENV_AWS_FLAVOUR (CAMPAIGN_TESTENV_<SERVICE>_FLAVOUR).
 */
type FlavourOptions = { [K in ServiceName as `${K}Flavour`]?: ServiceFlavours[K] };

/**
 * What a caller may set; every field has a default and a CAMPAIGN_TESTENV_* env var. Services add their
 * own: `migrationsDir` (folder of NNN_name.sql files, CAMPAIGN_TESTENV_MIGRATIONS_DIR) and `specsDir`
 * (folder of mongo-collections.json and aws-resources.json, CAMPAIGN_TESTENV_SPECS_DIR).
 */
export interface EnvironmentOptions extends FlavourOptions, Partial<ServiceOptions> {
  /** Services to start; default the four of the Campaign System. Env: CAMPAIGN_TESTENV_SERVICES=postgres,redis */
  services?: ServiceName[];
  /**
   * Image per service. Env: CAMPAIGN_TESTENV_POSTGRES_IMAGE, _MONGO_IMAGE, _REDIS_IMAGE, _AWS_IMAGE; or per
   * flavour, used when that flavour is chosen: CAMPAIGN_TESTENV_FERRETDB_IMAGE,
   * CAMPAIGN_TESTENV_LOCALSTACK_IMAGE, CAMPAIGN_TESTENV_MINISTACK_IMAGE.
   */
  images?: Partial<Record<ServiceName, string>>;
  /**
   * Per-service startup timeout: from the container's creation to its service being ready (a pull of
   * its image comes before, bounded by pullStallTimeoutMs). Env: CAMPAIGN_TESTENV_STARTUP_TIMEOUT_MS
   */
  startupTimeoutMs?: number;
  /**
   * How long a pull may go without news from the engine (no byte arrived, no layer done) before it fails.
   * A pull as such has no time limit. Env: CAMPAIGN_TESTENV_PULL_STALL_TIMEOUT_MS
   */
  pullStallTimeoutMs?: number;
  /** No progress output. Env: CAMPAIGN_TESTENV_QUIET=true */
  quiet?: boolean;
  /** Also print each initialisation step. Env: CAMPAIGN_TESTENV_VERBOSE=true */
  verbose?: boolean;
  /** Keep the containers running after the run and reuse them next time. Env: CAMPAIGN_TESTENV_REUSE=true */
  reuse?: boolean;
}

export interface ResolvedOptions extends ServiceOptions {
  services: ServiceName[];
  images: Record<ServiceName, string>;
  flavours: ServiceFlavours;
  startupTimeoutMs: number;
  pullStallTimeoutMs: number;
  quiet: boolean;
  verbose: boolean;
  reuse: boolean;
}

/** The image of each service's default flavour: the official images. */
export const DEFAULT_IMAGES = Object.fromEntries(
  SERVICE_NAMES.map((name) => [name, service(name).flavours[flavoursOf(name)[0]].image]),
) as Record<ServiceName, string>;

/** Every service's own options (migrationsDir, specsDir...), each once: two services may read one. */
const OWN_OPTIONS = Object.assign({}, ...SERVICE_NAMES.map((name) => SERVICES[name].options ?? {})) as Record<
  keyof ServiceOptions,
  OwnOption<string | boolean>
>;

export const ENV_PREFIX = "CAMPAIGN_TESTENV_";

/** Explicit options win over env vars, env vars over defaults. */
export function resolveOptions(options: EnvironmentOptions = {}, env = process.env): ResolvedOptions {
  const fromEnv = (key: string): string | undefined => {
    const value = env[ENV_PREFIX + key]?.trim();
    return value === "" ? undefined : value;
  };
  refuseOldEnvironmentOptions(options, fromEnv);
  const services = parseServices(
    options.services ??
      fromEnv("SERVICES")
        ?.split(",")
        .map((s) => s.trim()) ?? [...DEFAULT_SERVICES],
  );
  const flavours = Object.fromEntries(
    SERVICE_NAMES.map((name) => {
      const choices = flavoursOf(name);
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
        service(name).flavours[flavour].image;
      return [name, image];
    }),
  ) as Record<ServiceName, string>;

  return {
    services,
    images,
    flavours,
    startupTimeoutMs: parseTimeout(
      "startupTimeoutMs",
      "STARTUP_TIMEOUT_MS",
      options.startupTimeoutMs ?? fromEnv("STARTUP_TIMEOUT_MS") ?? 120_000,
    ),
    pullStallTimeoutMs: parseTimeout(
      "pullStallTimeoutMs",
      "PULL_STALL_TIMEOUT_MS",
      options.pullStallTimeoutMs ?? fromEnv("PULL_STALL_TIMEOUT_MS") ?? 60_000,
    ),
    quiet: options.quiet ?? parseBoolean("QUIET", fromEnv("QUIET")),
    verbose: options.verbose ?? parseBoolean("VERBOSE", fromEnv("VERBOSE")),
    reuse: options.reuse ?? parseBoolean("REUSE", fromEnv("REUSE")),
    ...(Object.fromEntries(
      Object.entries(OWN_OPTIONS).map(([key, own]) => [
        key,
        own.read(options[key as keyof ServiceOptions] ?? fromEnv(own.env) ?? own.default),
      ]),
    ) as ServiceOptions),
  };
}

/** What the service `name` reads of the resolved options: the common ones and its own. */
export function serviceSettings(options: ResolvedOptions, name: ServiceName): ServiceSettings {
  const { startupTimeoutMs, reuse, services } = options;
  const own = Object.keys(service(name).options ?? {}) as (keyof ServiceOptions)[];
  return {
    image: options.images[name],
    flavour: options.flavours[name],
    startupTimeoutMs,
    reuse,
    services,
    ...Object.fromEntries(own.map((key) => [key, options[key]])),
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

function parseTimeout(option: string, key: string, value: number | string): number {
  const ms = Number(value);
  if (!Number.isInteger(ms) || ms <= 0) {
    throw new OptionsError(
      `campaign-testenv: ${option} / ${ENV_PREFIX}${key} is "${value}"; give a positive whole number of milliseconds.`,
    );
  }
  return ms;
}

const parseBoolean = (key: string, value: string | undefined): boolean =>
  value === undefined ? false : parseFlag(key, value);
