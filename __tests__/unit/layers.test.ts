// The layers of docs/ARCHITECTURE.md, checked by dependency-cruiser with .dependency-cruiser.cjs (as
// `npm run lint:layers` does), on src/ and fixtures/; then the same rules on a small made-up tree
// that breaks each of them once, so that a rule which stops matching fails here too.
import { execFile } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { promisify } from "node:util";

const root = path.join(__dirname, "..", "..");
const config = path.join(root, ".dependency-cruiser.cjs");
const depcruise = path.join(root, "node_modules", "dependency-cruiser", "bin", "dependency-cruiser.mjs");

interface Violation {
  from: string;
  to: string;
  cycle?: { name: string }[];
  rule: { name: string };
}

/** Each violation of the rules in `cwd`, as one line: the rule (which says why), then the import or the cycle. */
async function violations(cwd: string, folders: string[]): Promise<string[]> {
  const args = [depcruise, ...folders, "--config", config, "--output-type", "json"];
  // A violation makes the exit code non-zero; the report is on stdout all the same.
  const { stdout } = await promisify(execFile)(process.execPath, args, { cwd }).catch(
    (error: { stdout?: string }) => {
      if (!error.stdout) throw error;
      return { stdout: error.stdout };
    },
  );
  const report = JSON.parse(stdout) as { summary: { violations: Violation[] } };
  return report.summary.violations
    .map((v) => `${v.rule.name}: ${[v.from, ...(v.cycle?.map((c) => c.name) ?? [v.to])].join(" → ")}`)
    .sort();
}

test("src/ and fixtures/ keep the layer order, with no import cycle, type-only imports included", async () => {
  expect(await violations(root, ["src", "fixtures"])).toEqual([]);
});

describe("the layer rules catch", () => {
  let tree: string;
  beforeAll(() => {
    tree = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-layers-"));
    const files: Record<string, string> = {
      "src/index.ts": 'export * from "./worker";\nexport * from "./campaign/a";',
      "src/worker.ts": 'export * from "./errors";', // down: allowed
      "src/services/redis/index.ts": 'import type { X } from "../../worker";\nexport type Y = X;',
      "src/services/postgres/index.ts": 'export * from "../redis/index";',
      "src/helpers/seed.ts": 'export * from "../../fixtures/data";',
      "src/campaign/a.ts": 'export * from "../index";\nexport * from "../../fixtures/data";', // -> fixtures: allowed
      "fixtures/data.ts": 'export * from "../src/campaign/schema";', // fixtures -> the domain's schema: allowed
      "fixtures/more.ts": 'export * from "../src/load/harness";',
      "src/load/harness.ts": "export const harness = 1;",
      "src/campaign/schema.ts": "export const schema = 1;",
      "src/errors.ts": 'import type { P } from "./paths";\nexport type E = P;',
      "src/paths.ts": 'import type { E } from "./errors";\nexport type P = E;',
      "src/pool.ts": 'import type { R } from "./runner";\nexport type Q = R;',
      "src/runner.ts": "export type R = number;",
      "src/unlisted.ts": 'export * from "./errors";',
      "src/random.ts": 'export * from "./leaf";',
      "src/leaf.ts": "export const leaf = 1;",
    };
    for (const [file, text] of Object.entries(files)) {
      mkdirSync(path.dirname(path.join(tree, file)), { recursive: true });
      writeFileSync(path.join(tree, file), `${text}\n`);
    }
  });
  afterAll(() => rmSync(tree, { recursive: true, force: true }));

  test("each kind of violation, once, naming its rule", async () => {
    const found = await violations(tree, ["src", "fixtures"]);
    expect(found).toEqual(
      [
        "layer order (nothing in a service folder services/<name>/ imports a layer above it): src/services/redis/index.ts → src/worker.ts",
        "services are independent (a service folder never imports another one): src/services/postgres/index.ts → src/services/redis/index.ts",
        "the core never imports the domain (src/campaign/, src/load/, fixtures/): src/helpers/seed.ts → fixtures/data.ts",
        "the domain never imports an entry point (the entry points import the domain: a cycle): src/campaign/a.ts → src/index.ts",
        "fixtures are data of the domain's model (fixtures/ imports only src/campaign/schema.ts of src/): fixtures/more.ts → src/load/harness.ts",
        "no import cycle (type-only imports included): src/errors.ts → src/paths.ts → src/errors.ts",
        "no import cycle (type-only imports included): src/campaign/a.ts → src/index.ts → src/campaign/a.ts",
        "layer order (nothing in worker.ts, helpers/ and their peers imports a layer above it): src/pool.ts → src/runner.ts",
        "every module of src/ is in a layer (add a new one to .dependency-cruiser.cjs and ARCHITECTURE.md): src/unlisted.ts → src/errors.ts",
        "every module src/ imports is in a layer (add a new one to .dependency-cruiser.cjs and ARCHITECTURE.md): src/random.ts → src/leaf.ts",
      ].sort(),
    );
  });
});
