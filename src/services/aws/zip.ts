import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { type ZipOptions, type Zippable, zipSync } from "fflate";

/**
 * Every entry's options. Stored, not compressed: a function's source is a few small files. A fixed
 * date (DOS time is local time, so a local date, valid in every time zone) makes the same files the
 * same bytes, which the AWS fingerprint hashes. A Unix mode (in the high 16 bits), rw-r--r--: Lambda
 * needs its code readable.
 */
const ENTRY: ZipOptions = { level: 0, mtime: new Date(1980, 0, 1), os: 3, attrs: 0o100644 * 0x10000 };

/** A zip archive of a folder's files, built in memory: what CreateFunction takes as a function's code. */
export function zipFolder(folder: string): Uint8Array {
  const files = listFiles(folder);
  if (files.length === 0) throw new Error(`no files in the function source folder ${folder}`);
  const entries: Zippable = {};
  for (const file of files)
    entries[path.relative(folder, file).split(path.sep).join("/")] = [readFileSync(file), ENTRY];
  return zipSync(entries);
}

function listFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true })
    .sort((a, b) => a.name.localeCompare(b.name))
    .flatMap((entry) => {
      const full = path.join(dir, entry.name);
      return entry.isDirectory() ? listFiles(full) : [full];
    });
}
