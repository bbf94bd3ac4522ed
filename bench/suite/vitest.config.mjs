// The reference suite under Vitest, on the built package (dist/, as a consumer gets it), with globals:
// the same files as under Jest.
import path from "node:path";

const dist = path.resolve(import.meta.dirname, "../../dist/src");
export default {
  resolve: { alias: { "campaign-testenv": path.join(dist, "index.js") } },
  test: {
    root: import.meta.dirname,
    include: ["*.test.ts"],
    globals: true,
    globalSetup: path.join(dist, "vitest/global-setup.js"),
    hookTimeout: 180_000,
    testTimeout: 180_000,
  },
};
