// The compose way's run of the reference suite: the recipe's test files and helpers (the compose era's
// tests read their services' connection details from env vars as well), on the services compose started
// and initialised (bench/compose.ts gives their env vars), so no global setup; and ts-jest type-checking
// every file, as the old setup ran it.
import type { Config } from "jest";
import recipe from "./recipe/jest.config";

const config: Config = {
  ...recipe,
  rootDir: "recipe",
  globalSetup: undefined,
  globalTeardown: undefined,
  // Over the repo's tsconfig.json, whose isolatedModules makes ts-jest transpile only.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: false } }] },
};

export default config;
