// The names kept for the Campaign System's old environment (docs/MIGRATING.md): each fixture name is
// the very array of testData (one meaning per name), and the guide lists every variable `up` writes.
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  testBlacklist,
  testCallRecords,
  testCampaigns,
  testContacts,
  testData,
  testSmsRecords,
  testUsers,
} from "../../fixtures/test-data";
import { envLines } from "../../src/cli";
import type { EnvironmentContext } from "../../src/context";
import { SERVICE_NAMES } from "../../src/services";
import { ROOT } from "../../scripts/docs/context";

test("each old fixture name is the same array as in testData, not a copy", () => {
  expect(testUsers).toBe(testData.tables.users);
  expect(testCampaigns).toBe(testData.tables.campaigns);
  expect(testContacts).toBe(testData.tables.contacts);
  expect(testBlacklist).toBe(testData.tables.blacklist);
  expect(testCallRecords).toBe(testData.collections.call_records);
  expect(testSmsRecords).toBe(testData.collections.sms_records);
});

test("MIGRATING.md names every variable `up --write-env` writes", () => {
  // Which variables a service writes does not depend on the values: any field reads as "x".
  const anyContext = new Proxy({}, { get: () => "x" });
  const context = {
    services: SERVICE_NAMES,
    ...Object.fromEntries(SERVICE_NAMES.map((name) => [name, anyContext])),
  } as unknown as EnvironmentContext;
  const variables = envLines(context, "context.json").map((line) => line.split("=")[0]);
  expect(variables.length).toBeGreaterThan(SERVICE_NAMES.length);
  const guide = readFileSync(path.join(ROOT, "docs", "MIGRATING.md"), "utf8");
  expect(variables.filter((name) => !guide.includes(`\`${name}\``))).toEqual([]);
});
