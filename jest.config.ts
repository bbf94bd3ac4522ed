import type { Config } from "jest";

type Project = NonNullable<Config["projects"]>[number] & object;

// Two layers, one command (`npx jest` runs both):
// - unit: pure logic, no Docker engine needed (`npm run test:unit`);
// - integration: real containers, started once by the global setup (`npm run test:integration`).
// The package's own suites run against the sources; consumers use the built preset (jest-preset.js).
// tsconfig's isolatedModules makes ts-jest transpile only; `npm run typecheck` checks the types.
// The docs' examples import the package by its public names, as a consumer does; map them to the
// sources (tsconfig.json's `paths` does the same for the type check).
const common = {
  testEnvironment: "node",
  transform: { "^.+\\.ts$": "ts-jest" },
  moduleNameMapper: {
    "^campaign-testenv$": "<rootDir>/src/index.ts",
    "^campaign-testenv/(campaign|load)$": "<rootDir>/src/$1/index.ts",
    "^campaign-testenv/fixtures$": "<rootDir>/fixtures/test-data.ts",
    "^campaign-testenv/(global-setup|global-teardown)$": "<rootDir>/src/jest/$1.ts",
  },
} satisfies Project;

const config: Config = {
  projects: [
    { ...common, displayName: "unit", testMatch: ["<rootDir>/__tests__/unit/**/*.test.ts"] },
    {
      ...common,
      displayName: "integration",
      testMatch: ["<rootDir>/__tests__/*.test.ts", "<rootDir>/__tests__/examples/*.test.ts"],
      // The sources' global setup, through ts-node: see the file.
      globalSetup: "<rootDir>/__tests__/support/global-setup.js",
      globalTeardown: "<rootDir>/__tests__/support/global-teardown.js",
    },
  ],
  testTimeout: 60_000,
};

export default config;
