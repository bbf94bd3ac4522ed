// The package's own integration runs start the environment from the TypeScript sources. Jest
// transpiles a TypeScript global setup only while it loads it, but the environment goes on starting
// after the setup returns, and loads its modules on first use (docs/ARCHITECTURE.md, "Loaded on first
// use"): so this parent keeps ts-node's hook for good. Consumers run the built JavaScript.
require("ts-node/register/transpile-only");
module.exports = require("../../src/jest/global-setup.ts").default;
