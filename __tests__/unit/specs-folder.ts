// A scratch folder of migrations and specs, fresh for each test: what the fingerprint tests hash.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { type ResolvedOptions, resolveOptions } from "../../src/options";

/** Registers the folder's creation and removal around each test; `folder()` is its path. */
export function specsFolder(name: string): { folder: () => string; options: () => ResolvedOptions } {
  let dir = "";
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), `campaign-testenv-unit-${name}-`))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  return {
    folder: () => dir,
    /** One migration and empty specs in the folder, and the options that point at them. */
    options() {
      writeFileSync(path.join(dir, "001_a.sql"), "SELECT 1;");
      writeFileSync(path.join(dir, "aws-resources.json"), "{}");
      writeFileSync(path.join(dir, "mongo-collections.json"), JSON.stringify({ collections: [] }));
      return resolveOptions({ migrationsDir: dir, specsDir: dir }, {});
    },
  };
}
