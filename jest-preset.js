// The Jest preset consumers name with `preset: "campaign-testenv"`: it starts the environment once per
// run and runs TypeScript test files through ts-jest, transpile-only: type-checking every file on
// each run made a suite seconds slower per file, so types are checked in a step of their own
// (`tsc --noEmit`). To have ts-jest type-check again, one line in your config:
//   transform: { "^.+\\.tsx?$": "ts-jest" }
module.exports = {
  testEnvironment: "node",
  globalSetup: require.resolve("./dist/src/jest/global-setup.js"),
  globalTeardown: require.resolve("./dist/src/jest/global-teardown.js"),
  // Merged over the project's own tsconfig.json: isolatedModules makes ts-jest transpile each file alone.
  transform: { "^.+\\.tsx?$": [require.resolve("ts-jest"), { tsconfig: { isolatedModules: true } }] },
  testTimeout: 60_000,
};
