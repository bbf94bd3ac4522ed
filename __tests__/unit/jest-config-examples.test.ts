// The docs' jest.config.js examples, loaded as data. Typing `module.exports` as Jest's Config makes
// `npm run typecheck` refuse a misspelled Jest option; the tests check what Jest does with the rest:
// the preset name resolves to this package's preset, and globals.campaignTestenv holds valid options.
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import type { Config } from "jest";
import { type EnvironmentOptions, resolveOptions } from "campaign-testenv";

const root = path.resolve(__dirname, "../..");
const pkg = JSON.parse(readFileSync(path.join(root, "package.json"), "utf8")) as {
  name: string;
  exports: Record<string, unknown>;
};

/** Runs a config file's body against a module object of its own, as Node would, and returns its exports. */
function load(file: (module: { exports: Config }) => void): Config {
  const module = { exports: {} };
  file(module);
  return module.exports;
}

/** The package's options in a Jest config. */
const optionsOf = (config: Config) => (config.globals?.campaignTestenv ?? {}) as EnvironmentOptions;

function expectValid(config: Config): void {
  // Jest resolves `preset: "x"` to the module "x/jest-preset": the package must export that path.
  expect(config.preset).toBe(pkg.name);
  const presetFile = pkg.exports["./jest-preset"];
  expect(typeof presetFile === "string" && existsSync(path.join(root, presetFile))).toBe(true);

  const options = optionsOf(config);
  // resolveOptions throws on a bad value but ignores unknown keys, so check the keys against its result.
  const resolved = resolveOptions(options, {});
  expect(Object.keys(options).filter((key) => !(key in resolved))).toEqual([]);
}

test("README and quick start: the preset alone", () => {
  const config = load((module) => {
    // #region preset
    module.exports = { preset: "campaign-testenv" };
    // #endregion preset
  });
  expectValid(config);
});

test("Jest and Vitest guide: type-checking in ts-jest again, one line over the preset's transpile-only transform", () => {
  const config = load((module) => {
    // #region typecheck-opt-out
    module.exports = { preset: "campaign-testenv", transform: { "^.+\\.tsx?$": "ts-jest" } };
    // #endregion typecheck-opt-out
  });
  expectValid(config);
  // Jest merges a config's transform over its preset's, key by key: the same pattern replaces the preset's.
  const [pattern] = Object.keys(config.transform!);
  const presetSource = readFileSync(path.join(root, "jest-preset.js"), "utf8");
  expect(presetSource).toContain(`transform: { ${JSON.stringify(pattern)}: [require.resolve("ts-jest")`);
});

test("README: services and migrations in globals.campaignTestenv", () => {
  const config = load((module) => {
    // #region globals
    module.exports = {
      preset: "campaign-testenv",
      globals: { campaignTestenv: { services: ["postgres", "redis"], migrationsDir: "./db/migrations" } },
    };
    // #endregion globals
  });
  expectValid(config);
  expect(resolveOptions(optionsOf(config), {}).services).toEqual(["postgres", "redis"]);
});

test("Jest and Vitest guide: a global setup and teardown of your own, which call the package's", () => {
  const config = load((module) => {
    // #region own-global-setup
    module.exports = {
      preset: "campaign-testenv",
      globalSetup: "./jest.global-setup.js", // calls campaign-testenv/global-setup first
      globalTeardown: "./jest.global-teardown.js", // calls campaign-testenv/global-teardown last
    };
    // #endregion own-global-setup
  });
  expectValid(config);
  // A config's globalSetup and globalTeardown replace its preset's; the entry points those files call
  // must be the very hooks the preset names.
  const presetSource = readFileSync(path.join(root, "jest-preset.js"), "utf8");
  for (const [hook, key] of [
    ["global-setup", "globalSetup"],
    ["global-teardown", "globalTeardown"],
  ]) {
    const entry = (pkg.exports[`./${hook}`] as { default: string }).default;
    expect(presetSource).toContain(`${key}: require.resolve(${JSON.stringify(entry)})`);
  }
});

test("quick start: your own migrations and fixtures", () => {
  const config = load((module) => {
    // #region own-migrations
    module.exports = {
      preset: "campaign-testenv",
      globals: {
        campaignTestenv: {
          migrationsDir: "./db/migrations", // or CAMPAIGN_TESTENV_MIGRATIONS_DIR
          specsDir: "./test/specs", // or CAMPAIGN_TESTENV_SPECS_DIR
        },
      },
    };
    // #endregion own-migrations
  });
  expectValid(config);
  // Relative paths are taken from the directory jest runs in, as the quick start says.
  const resolved = resolveOptions(optionsOf(config), {});
  expect(resolved.migrationsDir).toBe(path.resolve("db/migrations"));
  expect(resolved.specsDir).toBe(path.resolve("test/specs"));
});

test("testing guide: only some services", () => {
  const config = load((module) => {
    // #region only-some-services
    // jest.config.js
    module.exports = {
      preset: "campaign-testenv",
      globals: { campaignTestenv: { services: ["postgres", "redis"] } },
    };
    // #endregion only-some-services
  });
  expectValid(config);
  // The Jest config wins over the env var.
  const env = { CAMPAIGN_TESTENV_SERVICES: "mongo" };
  expect(resolveOptions(optionsOf(config), env).services).toEqual(["postgres", "redis"]);
});
