// The reference suite under Jest, on the package's sources. BENCH_SUITE_COMPOSE=1 is the compose way:
// no global setup (the environment is already up, CAMPAIGN_TESTENV_CONTEXT points at it) and ts-jest
// type-checking every file, as the old setup ran it.
import path from "node:path";
import type { Config } from "jest";

const root = path.resolve(__dirname, "../..");
const compose = process.env.BENCH_SUITE_COMPOSE === "1";
const config: Config = {
  rootDir: __dirname,
  testEnvironment: "node",
  testMatch: ["<rootDir>/*.test.ts"],
  moduleNameMapper: { "^campaign-testenv$": path.join(root, "src/index.ts") },
  transform: {
    // Merged over the repo's tsconfig.json (isolatedModules there: transpile only), as the preset does.
    "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: !compose } }],
  },
  ...(compose
    ? {}
    : {
        globalSetup: path.join(root, "src/jest/global-setup.ts"),
        globalTeardown: path.join(root, "src/jest/global-teardown.ts"),
      }),
  testTimeout: 180_000,
};

export default config;
