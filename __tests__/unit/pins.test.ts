// The default images are pinned in one place that bots read: each service module's `image: "..."`,
// which renovate.json's regex manager matches. If the two ever differ (a new flavour, a pin written
// another way), Renovate would stop proposing its updates: this test fails first.
import { readdirSync, readFileSync } from "node:fs";
import path from "node:path";
import { flavoursOf, SERVICE_NAMES, service } from "../../src/services";

const root = path.join(__dirname, "..", "..");
const renovate = JSON.parse(readFileSync(path.join(root, "renovate.json"), "utf8")) as {
  customManagers: { managerFilePatterns: string[]; matchStrings: string[] }[];
};

/** What Renovate's regex managers find in this repository's files: depName:currentValue. */
function pinsRenovateSees(): string[] {
  const files = readdirSync(root, { recursive: true, encoding: "utf8" }).filter(
    (f) => !f.startsWith("node_modules") && !f.startsWith("dist"),
  );
  return renovate.customManagers.flatMap(({ managerFilePatterns, matchStrings }) => {
    const patterns = managerFilePatterns.map((p) => new RegExp(p.slice(1, -1)));
    return files
      .filter((f) => patterns.some((p) => p.test(f.split(path.sep).join("/"))))
      .flatMap((f) => {
        const text = readFileSync(path.join(root, f), "utf8");
        return matchStrings.flatMap((m) =>
          [...text.matchAll(new RegExp(m, "g"))].map(
            (hit) => `${hit.groups!.depName}:${hit.groups!.currentValue}`,
          ),
        );
      });
  });
}

test("Renovate sees exactly the default image of every flavour of every service", () => {
  const defaults = SERVICE_NAMES.flatMap((name) =>
    flavoursOf(name).map((flavour) => service(name).flavours[flavour].image),
  );
  expect(pinsRenovateSees().sort()).toEqual(defaults.sort());
  expect(defaults).toContain("postgres:15-alpine");
});
