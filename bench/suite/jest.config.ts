// The reference suite under Jest, on the built package (dist/, as a consumer gets it; `npm run bench`
// builds it first), with the preset's transform. <rootDir> is this folder. For the runners' floors, the
// same config runs other files (BENCH_SUITE_TESTS=floor/trivial, floor/loading) and, with
// BENCH_SUITE_SETUP=none, no global setup.
import type { Config } from "jest";

const dist = "<rootDir>/../../dist/src";
const config: Config = {
  testEnvironment: "node",
  testMatch: [`<rootDir>/${process.env.BENCH_SUITE_TESTS ?? "file*"}.test.ts`],
  moduleNameMapper: { "^campaign-testenv$": `${dist}/index.js` },
  // Merged over the repo's tsconfig.json (isolatedModules: transpile only), as the preset does.
  transform: { "^.+\\.ts$": ["ts-jest", { tsconfig: { isolatedModules: true } }] },
  ...(process.env.BENCH_SUITE_SETUP === "none"
    ? {}
    : { globalSetup: `${dist}/jest/global-setup.js`, globalTeardown: `${dist}/jest/global-teardown.js` }),
  testTimeout: 180_000,
};

export default config;
