// The reference suite under Jest, on the built package (dist/, as a consumer gets it; `npm run bench`
// builds it first). BENCH_SUITE_COMPOSE=1 is the compose way: no global setup (the environment is
// already up, CAMPAIGN_TESTENV_CONTEXT points at it) and ts-jest type-checking every file, as the old
// setup ran it. <rootDir> is this folder.
import type { Config } from "jest";

const compose = process.env.BENCH_SUITE_COMPOSE === "1";
const config: Config = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/*.test.ts"],
  moduleNameMapper: { "^campaign-testenv$": "<rootDir>/../../dist/src/index.js" },
  // Merged over the repo's tsconfig.json (isolatedModules there: transpile only), as the preset does.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: !compose } }] },
  ...(compose
    ? {}
    : {
        globalSetup: "<rootDir>/../../dist/src/jest/global-setup.js",
        globalTeardown: "<rootDir>/../../dist/src/jest/global-teardown.js",
      }),
  testTimeout: 180_000,
};

export default config;
