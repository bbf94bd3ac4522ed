// The counterpart of global-setup.js: the package's own teardown, from the TypeScript sources.
require("ts-node/register/transpile-only");
module.exports = require("../../src/jest/global-teardown.ts").default;
