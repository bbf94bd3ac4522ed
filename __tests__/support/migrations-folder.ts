// Migration folders a test file writes, under one temp folder of its own that goes when the file ends.
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

/** Call at a test file's top level: returns the maker of its migration folders (files by name). */
export function migrationFolders(name: string): (files: Record<string, string>) => string {
  const scratch = mkdtempSync(path.join(os.tmpdir(), `campaign-testenv-${name}-`));
  afterAll(() => rmSync(scratch, { recursive: true, force: true }));
  return (files) => {
    const dir = mkdtempSync(path.join(scratch, "migrations-"));
    for (const [file, sql] of Object.entries(files)) writeFileSync(path.join(dir, file), sql);
    return dir;
  };
}
