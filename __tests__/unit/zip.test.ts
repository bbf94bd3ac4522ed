import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { strFromU8, unzipSync } from "fflate";
import { zipFolder } from "../../src/services/aws/zip";

describe("zipFolder", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-zip-"))));
  afterEach(() => {
    jest.useRealTimers();
    rmSync(dir, { recursive: true, force: true });
  });

  test("holds every file of the folder by its relative path, read back through fflate's reader", () => {
    mkdirSync(path.join(dir, "lib"));
    writeFileSync(path.join(dir, "index.js"), "exports.handler = async () => 1;\n");
    writeFileSync(path.join(dir, "lib", "été.txt"), "ünïcode");
    writeFileSync(path.join(dir, "empty"), "");
    const files = Object.entries(unzipSync(zipFolder(dir))).map(([name, data]) => [name, strFromU8(data)]);
    expect(Object.fromEntries(files)).toEqual({
      "index.js": "exports.handler = async () => 1;\n",
      "lib/été.txt": "ünïcode",
      empty: "",
    });
  });

  test("the same files give the same bytes, whenever they are zipped (the AWS fingerprint hashes them)", () => {
    writeFileSync(path.join(dir, "index.js"), "a");
    const now = zipFolder(dir);
    jest.useFakeTimers({ now: new Date(2031, 5, 15, 13, 37, 42) });
    expect(Buffer.from(zipFolder(dir)).equals(Buffer.from(now))).toBe(true);
  });

  test("an empty folder is an error naming it", () => {
    expect(() => zipFolder(dir)).toThrow(`no files in the function source folder ${dir}`);
  });
});
