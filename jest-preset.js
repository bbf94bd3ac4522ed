// The Jest preset consumers name with `preset: "campaign-testenv"`: it starts the environment once per
// run and lets TypeScript test files run through ts-jest.
module.exports = {
  testEnvironment: "node",
  globalSetup: require.resolve("./dist/src/jest/global-setup.js"),
  globalTeardown: require.resolve("./dist/src/jest/global-teardown.js"),
  transform: { "^.+\\.tsx?$": require.resolve("ts-jest") },
  testTimeout: 60_000,
};
