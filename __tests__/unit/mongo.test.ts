import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveOptions, serviceSettings } from "../../src/options";
import { loadCollectionsSpec, mongo } from "../../src/services/mongo";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-mongo-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const setUp = () => {
  writeFileSync(path.join(dir, "001_a.sql"), "SELECT 1;");
  writeFileSync(path.join(dir, "aws-resources.json"), "{}");
  writeFileSync(path.join(dir, "mongo-collections.json"), JSON.stringify({ collections: [] }));
  return resolveOptions({ migrationsDir: dir, specsDir: dir }, {});
};

describe("loadCollectionsSpec", () => {
  test("reads mongo-collections.json, or says which file it could not read", () => {
    const file = path.join(dir, "mongo-collections.json");
    expect(() => loadCollectionsSpec(dir)).toThrow(`cannot read the collections spec ${file} (ENOENT`);
    writeFileSync(file, JSON.stringify({ collections: [{ name: "c" }] }));
    expect(loadCollectionsSpec(dir)).toEqual({ collections: [{ name: "c" }] });
  });
});

describe("fingerprint (what reuse mode hashes)", () => {
  test("mongo: changes with its flavour and its collections", () => {
    const settings = serviceSettings(setUp(), "mongo");
    const before = mongo.fingerprint(settings);
    expect(mongo.fingerprint({ ...settings, flavour: "ferretdb" })).not.toBe(before);
    writeFileSync(path.join(dir, "mongo-collections.json"), JSON.stringify({ collections: [{ name: "x" }] }));
    expect(mongo.fingerprint(settings)).not.toBe(before);
  });
});
