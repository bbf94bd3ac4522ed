import type { Config } from "jest";

// The package's own suites run against the sources; consumers use the built preset (jest-preset.js).
const config: Config = {
  testEnvironment: "node",
  roots: ["<rootDir>/__tests__"],
  testMatch: ["**/*.test.ts"],
  // tsconfig's isolatedModules makes ts-jest transpile only; `npm run typecheck` checks the types.
  transform: { "^.+\\.ts$": "ts-jest" },
  globalSetup: "<rootDir>/src/jest/global-setup.ts",
  globalTeardown: "<rootDir>/src/jest/global-teardown.ts",
  testTimeout: 60_000,
};

export default config;
