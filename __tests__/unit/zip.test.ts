import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { crc32 } from "node:zlib";
import { zip, zipFolder } from "../../src/services/aws/zip";

/** Reads a stored zip back through its central directory: what an unzip tool does first. */
function unzip(archive: Uint8Array): Record<string, { data: string; crcOk: boolean; mode: number }> {
  const buf = Buffer.from(archive);
  const end = buf.length - 22;
  expect(buf.readUInt32LE(end)).toBe(0x06054b50);
  const count = buf.readUInt16LE(end + 10);
  let at = buf.readUInt32LE(end + 16);
  const files: Record<string, { data: string; crcOk: boolean; mode: number }> = {};
  for (let i = 0; i < count; i++) {
    expect(buf.readUInt32LE(at)).toBe(0x02014b50);
    const crc = buf.readUInt32LE(at + 16);
    const size = buf.readUInt32LE(at + 24);
    const nameLength = buf.readUInt16LE(at + 28);
    const mode = buf.readUInt32LE(at + 38) / 0x10000;
    const local = buf.readUInt32LE(at + 42);
    const name = buf.subarray(at + 46, at + 46 + nameLength).toString("utf8");
    expect(buf.readUInt32LE(local)).toBe(0x04034b50);
    const start = local + 30 + buf.readUInt16LE(local + 26);
    const data = buf.subarray(start, start + size);
    files[name] = { data: data.toString("utf8"), crcOk: crc32(data) === crc, mode };
    at += 46 + nameLength;
  }
  return files;
}

test("zip: every file readable back through the central directory, with its CRC and a file mode", () => {
  const files = unzip(
    zip([
      { name: "index.js", data: Buffer.from("exports.handler = async () => 1;\n") },
      { name: "lib/été.txt", data: Buffer.from("ünïcode") },
      { name: "empty", data: Buffer.alloc(0) },
    ]),
  );
  expect(files).toEqual({
    "index.js": { data: "exports.handler = async () => 1;\n", crcOk: true, mode: 0o100644 },
    "lib/été.txt": { data: "ünïcode", crcOk: true, mode: 0o100644 },
    empty: { data: "", crcOk: true, mode: 0o100644 },
  });
});

describe("zipFolder", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-zip-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("holds the folder's files by their relative path, the same bytes for the same folder", () => {
    mkdirSync(path.join(dir, "lib"));
    writeFileSync(path.join(dir, "index.js"), "a");
    writeFileSync(path.join(dir, "lib", "b.js"), "b");
    expect(Object.keys(unzip(zipFolder(dir))).sort()).toEqual(["index.js", "lib/b.js"]);
    expect(Buffer.from(zipFolder(dir)).equals(Buffer.from(zipFolder(dir)))).toBe(true);
  });

  test("an empty folder is an error naming it", () => {
    expect(() => zipFolder(dir)).toThrow(`no files in the function source folder ${dir}`);
  });
});
