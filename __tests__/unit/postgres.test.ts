import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { resolveOptions, serviceSettings } from "../../src/options";
import { postgres, quoteIdent } from "../../src/services/postgres";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-postgres-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const setUp = () => {
  writeFileSync(path.join(dir, "001_a.sql"), "SELECT 1;");
  writeFileSync(path.join(dir, "aws-resources.json"), "{}");
  writeFileSync(path.join(dir, "mongo-collections.json"), JSON.stringify({ collections: [] }));
  return resolveOptions({ migrationsDir: dir, specsDir: dir }, {});
};

describe("fingerprint (what reuse mode hashes)", () => {
  test("postgres: changes with its image and with any migration", () => {
    const settings = serviceSettings(setUp(), "postgres");
    const before = postgres.fingerprint(settings);
    expect(postgres.fingerprint({ ...settings, image: "other" })).not.toBe(before);
    writeFileSync(path.join(dir, "001_a.sql"), "SELECT 2;");
    expect(postgres.fingerprint(settings)).not.toBe(before);
  });
});

describe("quoteIdent", () => {
  test("wraps the name in double quotes", () => {
    expect(quoteIdent("campaign_w1")).toBe('"campaign_w1"');
  });

  test("doubles a quote inside the name, so a caller-supplied table name cannot end the identifier", () => {
    expect(quoteIdent('a"; DROP TABLE x; --')).toBe('"a""; DROP TABLE x; --"');
  });
});
