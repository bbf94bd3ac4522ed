import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";

// Test files of the Campaign System's old environment, written as its docs show them, with only their
// two import paths moved to this package: what a team brings over (docs/MIGRATING.md). They are files
// of their own (old-tests/), type-checked here and outside Jest's test match; the consumer suites copy
// them into their projects' integration/ and run them under Jest (the preset) and Vitest (globals on),
// on postgres, mongo and redis.
const folder = path.join(__dirname, "old-tests");
export const OLD_ENVIRONMENT_TESTS: Record<string, string> = Object.fromEntries(
  readdirSync(folder).map((file) => [`integration/${file}`, readFileSync(path.join(folder, file), "utf8")]),
);
