// The recipe a team would write instead of campaign-testenv: Jest's global setup starts the four
// services through Testcontainers and hands their connection details to the workers in env vars; every
// test file shares the one database, emptied between tests. `npx jest` in this folder runs the reference
// suite on it. TypeScript as the package's consumer runs have it: transpiled only.
import type { Config } from "jest";

const config: Config = {
  testEnvironment: "node",
  testMatch: ["<rootDir>/*.test.ts"],
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
  globalSetup: "<rootDir>/global-setup.ts",
  globalTeardown: "<rootDir>/global-teardown.ts",
  testTimeout: 180_000,
};

export default config;
