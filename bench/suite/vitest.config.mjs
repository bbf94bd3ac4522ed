// The reference suite under Vitest, on the package's sources (globals: the same files as under Jest).
import path from "node:path";

const root = path.resolve(import.meta.dirname, "../..");
export default {
  resolve: { alias: { "campaign-testenv": path.join(root, "src/index.ts") } },
  test: {
    root: import.meta.dirname,
    include: ["*.test.ts"],
    globals: true,
    globalSetup: path.join(root, "src/vitest/global-setup.ts"),
    hookTimeout: 180_000,
    testTimeout: 180_000,
  },
};
