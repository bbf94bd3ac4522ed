import { writeFileSync } from "node:fs";
import path from "node:path";
import { serviceSettings } from "../../src/options";
import { service } from "../../src/services";
import { loadCollectionsSpec } from "../../src/services/mongo";
import { specsFolder } from "./specs-folder";

const scratch = specsFolder("mongo");
const setUp = scratch.options;

describe("loadCollectionsSpec", () => {
  test("reads mongo-collections.json, or says which file it could not read", () => {
    const file = path.join(scratch.folder(), "mongo-collections.json");
    expect(() => loadCollectionsSpec(scratch.folder())).toThrow(
      `cannot read the collections spec ${file} (ENOENT`,
    );
    writeFileSync(file, JSON.stringify({ collections: [{ name: "c" }] }));
    expect(loadCollectionsSpec(scratch.folder())).toEqual({ collections: [{ name: "c" }] });
  });
});

describe("fingerprint (what reuse mode hashes)", () => {
  test("mongo: changes with its flavour and its collections", () => {
    const settings = serviceSettings(setUp(), "mongo");
    const before = service("mongo").fingerprint(settings);
    expect(service("mongo").fingerprint({ ...settings, flavour: "ferretdb" })).not.toBe(before);
    writeFileSync(
      path.join(scratch.folder(), "mongo-collections.json"),
      JSON.stringify({ collections: [{ name: "x" }] }),
    );
    expect(service("mongo").fingerprint(settings)).not.toBe(before);
  });
});
