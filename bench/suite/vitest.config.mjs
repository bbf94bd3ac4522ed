// The reference suite under Vitest, on the built package (dist/, as a consumer gets it), with globals:
// the same files as under Jest, and the same switches for the runners' floors (BENCH_SUITE_TESTS,
// BENCH_SUITE_SETUP=none).
import path from "node:path";
import process from "node:process";

const dist = path.resolve(import.meta.dirname, "../../dist/src");
export default {
  resolve: { alias: { "campaign-testenv": path.join(dist, "index.js") } },
  test: {
    root: import.meta.dirname,
    include: [`${process.env.BENCH_SUITE_TESTS ?? "file*"}.test.ts`],
    globals: true,
    ...(process.env.BENCH_SUITE_SETUP === "none"
      ? {}
      : { globalSetup: path.join(dist, "vitest/global-setup.js") }),
    hookTimeout: 180_000,
    testTimeout: 180_000,
  },
};
