// The compose way's run of the reference suite: the recipe's test files and helpers (the compose era's
// tests read their services' connection details from env vars as well), on the services compose started
// and initialised (bench/compose.ts gives their env vars), so no global setup; and ts-jest type-checking
// every file, as the old setup ran it. (Jest loads this file as ESM: the recipe's config cannot be
// imported without its extension, so the few lines they share are written again.)
import type { Config } from "jest";

const config: Config = {
  rootDir: "recipe",
  testEnvironment: "node",
  testMatch: ["<rootDir>/*.test.ts"],
  // Over the repo's tsconfig.json, whose isolatedModules makes ts-jest transpile only.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: false } }] },
  testTimeout: 180_000,
};

export default config;
