import path from "node:path";
import { OptionsError } from "../../src/errors";
import { DEFAULT_IMAGES, resolveOptions } from "../../src/options";
import { SERVICE_NAMES } from "../../src/services";
import { packageRoot } from "../../src/paths";

const env = (vars: Record<string, string>) =>
  Object.fromEntries(Object.entries(vars).map(([k, v]) => [`CAMPAIGN_TESTENV_${k}`, v]));

/** The OptionsError resolveOptions throws, so that both its class and its message can be checked. */
const failure = (run: () => unknown): OptionsError => {
  try {
    run();
  } catch (error) {
    if (error instanceof OptionsError) return error;
    throw error;
  }
  throw new Error("resolveOptions did not throw");
};

describe("resolveOptions", () => {
  test("defaults: every service, the official images, mongo, 120 s, all flags off, the package's folders", () => {
    expect(resolveOptions({}, {})).toEqual({
      services: ["postgres", "mongo", "redis", "aws"],
      images: DEFAULT_IMAGES,
      flavours: { postgres: "postgres", mongo: "mongo", redis: "redis", aws: "localstack" },
      startupTimeoutMs: 120_000,
      pullStallTimeoutMs: 60_000,
      quiet: false,
      verbose: false,
      reuse: false,
      migrationsDir: path.join(packageRoot, "migrations"),
      resetTracking: true,
      specsDir: path.join(packageRoot, "fixtures"),
    });
  });

  test("reads the passed env object, not process.env", () => {
    const before = process.env.CAMPAIGN_TESTENV_QUIET;
    process.env.CAMPAIGN_TESTENV_QUIET = "true";
    try {
      expect(resolveOptions({}, {}).quiet).toBe(false);
    } finally {
      if (before === undefined) delete process.env.CAMPAIGN_TESTENV_QUIET;
      else process.env.CAMPAIGN_TESTENV_QUIET = before;
    }
  });

  test("env vars set every option", () => {
    const resolved = resolveOptions(
      {},
      env({
        SERVICES: "redis,postgres",
        POSTGRES_IMAGE: "registry.local/pg:15",
        AWS_IMAGE: "registry.local/localstack:4",
        MONGO_FLAVOUR: "ferretdb",
        STARTUP_TIMEOUT_MS: "30000",
        PULL_STALL_TIMEOUT_MS: "90000",
        QUIET: "true",
        VERBOSE: "1",
        REUSE: "yes",
        MIGRATIONS_DIR: "/srv/migrations",
        RESET_TRACKING: "false",
        SPECS_DIR: "/srv/fixtures",
      }),
    );
    expect(resolved).toEqual({
      services: ["postgres", "redis"],
      images: {
        ...DEFAULT_IMAGES,
        postgres: "registry.local/pg:15",
        mongo: "ghcr.io/ferretdb/ferretdb:1.24.0", // the ferretdb flavour's own default
        aws: "registry.local/localstack:4",
      },
      flavours: { postgres: "postgres", mongo: "ferretdb", redis: "redis", aws: "localstack" },
      startupTimeoutMs: 30_000,
      pullStallTimeoutMs: 90_000,
      quiet: true,
      verbose: true,
      reuse: true,
      migrationsDir: path.resolve("/srv/migrations"),
      resetTracking: false,
      specsDir: path.resolve("/srv/fixtures"),
    });
  });

  test("explicit options win over env vars", () => {
    const resolved = resolveOptions(
      {
        services: ["mongo"],
        images: { postgres: "mine/pg" },
        mongoFlavour: "mongo",
        startupTimeoutMs: 5000,
        pullStallTimeoutMs: 7000,
        quiet: false,
        verbose: false,
        reuse: false,
        migrationsDir: "/opt/m",
        resetTracking: true,
        specsDir: "/opt/f",
      },
      env({
        SERVICES: "redis",
        POSTGRES_IMAGE: "env/pg",
        REDIS_IMAGE: "env/redis",
        MONGO_FLAVOUR: "ferretdb",
        STARTUP_TIMEOUT_MS: "1",
        PULL_STALL_TIMEOUT_MS: "2",
        QUIET: "true",
        VERBOSE: "true",
        REUSE: "true",
        MIGRATIONS_DIR: "/env/m",
        RESET_TRACKING: "no",
        SPECS_DIR: "/env/f",
      }),
    );
    expect(resolved).toEqual({
      services: ["mongo"],
      images: { ...DEFAULT_IMAGES, postgres: "mine/pg", redis: "env/redis" },
      flavours: { postgres: "postgres", mongo: "mongo", redis: "redis", aws: "localstack" },
      startupTimeoutMs: 5000,
      pullStallTimeoutMs: 7000,
      quiet: false,
      verbose: false,
      reuse: false,
      migrationsDir: path.resolve("/opt/m"),
      resetTracking: true,
      specsDir: path.resolve("/opt/f"),
    });
  });

  test("an explicit option means its env var is not even parsed", () => {
    expect(() =>
      resolveOptions(
        { quiet: true, startupTimeoutMs: 10 },
        env({ QUIET: "perhaps", STARTUP_TIMEOUT_MS: "x" }),
      ),
    ).not.toThrow();
  });

  test("services come back in canonical order, without duplicates, blanks around names trimmed", () => {
    expect(resolveOptions({}, env({ SERVICES: " aws , redis,aws,postgres " })).services).toEqual([
      "postgres",
      "redis",
      "aws",
    ]);
    expect(resolveOptions({ services: ["aws", "mongo", "aws"] }, {}).services).toEqual(["mongo", "aws"]);
  });

  test("blank env vars count as unset", () => {
    const resolved = resolveOptions(
      {},
      env({ SERVICES: "  ", QUIET: "", REDIS_IMAGE: " ", MONGO_FLAVOUR: "" }),
    );
    expect(resolved.services).toEqual([...SERVICE_NAMES]);
    expect(resolved.quiet).toBe(false);
    expect(resolved.images.redis).toBe(DEFAULT_IMAGES.redis);
    expect(resolved.flavours.mongo).toBe("mongo");
  });

  test("relative folders are made absolute", () => {
    const resolved = resolveOptions({ migrationsDir: "db/migrations" }, env({ SPECS_DIR: "fx" }));
    expect(resolved.migrationsDir).toBe(path.resolve("db/migrations"));
    expect(resolved.specsDir).toBe(path.resolve("fx"));
  });

  test("booleans: 1/true/yes and 0/false/no, any case", () => {
    for (const value of ["1", "true", "TRUE", "Yes"])
      expect(resolveOptions({}, env({ VERBOSE: value })).verbose).toBe(true);
    for (const value of ["0", "false", "False", "NO"])
      expect(resolveOptions({}, env({ VERBOSE: value })).verbose).toBe(false);
  });

  test("an unknown service fails, naming it, the env var and the choices", () => {
    const error = failure(() => resolveOptions({}, env({ SERVICES: "postgres,mysql" })));
    expect(error.name).toBe("OptionsError");
    expect(error.message).toContain('["mysql"]');
    expect(error.message).toContain("CAMPAIGN_TESTENV_SERVICES");
    expect(error.message).toContain("postgres, mongo, redis, aws");
    expect(() => resolveOptions({ services: [] }, {})).toThrow(
      "campaign-testenv: no service chosen in the services option or CAMPAIGN_TESTENV_SERVICES; choose from postgres, mongo, redis, aws.",
    );
  });

  test("an unknown mongo flavour fails, naming the option and the env var", () => {
    const error = failure(() => resolveOptions({}, env({ MONGO_FLAVOUR: "documentdb" })));
    expect(error.message).toContain("CAMPAIGN_TESTENV_MONGO_FLAVOUR");
    expect(error.message).toContain('"documentdb"');
    expect(error.message).toContain("mongo, ferretdb");
  });

  test.each(["abc", "0", "-5", "1.5", "Infinity"])(
    "startup and pull stall timeouts %j fail, naming the option and the env var",
    (value) => {
      for (const [option, key] of [
        ["startupTimeoutMs", "STARTUP_TIMEOUT_MS"],
        ["pullStallTimeoutMs", "PULL_STALL_TIMEOUT_MS"],
      ]) {
        const error = failure(() => resolveOptions({}, env({ [key]: value })));
        expect(error.message).toBe(
          `campaign-testenv: ${option} / CAMPAIGN_TESTENV_${key} is "${value}"; give a positive whole number of milliseconds.`,
        );
      }
    },
  );

  test("a bad explicit timeout fails too", () => {
    expect(() => resolveOptions({ startupTimeoutMs: 0 }, {})).toThrow(OptionsError);
  });

  test.each(["QUIET", "VERBOSE", "REUSE", "RESET_TRACKING"])(
    "a %s that is not a boolean fails, naming the env var",
    (key) => {
      const error = failure(() => resolveOptions({}, env({ [key]: "maybe" })));
      expect(error.message).toContain(`CAMPAIGN_TESTENV_${key}`);
      expect(error.message).toContain('"maybe"');
    },
  );
});
