import { writeFileSync } from "node:fs";
import path from "node:path";
import { serviceSettings } from "../../src/options";
import { service } from "../../src/services";
import { quoteIdent } from "../../src/services/postgres";
import { specsFolder } from "./specs-folder";

const scratch = specsFolder("postgres");
const setUp = scratch.options;

describe("fingerprint (what reuse mode hashes)", () => {
  test("postgres: changes with its image and with any migration", () => {
    const settings = serviceSettings(setUp(), "postgres");
    const before = service("postgres").fingerprint(settings);
    expect(service("postgres").fingerprint({ ...settings, image: "other" })).not.toBe(before);
    writeFileSync(path.join(scratch.folder(), "001_a.sql"), "SELECT 2;");
    expect(service("postgres").fingerprint(settings)).not.toBe(before);
  });
});

describe("quoteIdent", () => {
  test("wraps the name in double quotes", () => {
    expect(quoteIdent("campaign_s1")).toBe('"campaign_s1"');
  });

  test("doubles a quote inside the name, so a caller-supplied table name cannot end the identifier", () => {
    expect(quoteIdent('a"; DROP TABLE x; --')).toBe('"a""; DROP TABLE x; --"');
  });
});
