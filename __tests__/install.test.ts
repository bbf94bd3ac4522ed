// The other way another repo gets this package: a git URL, which is what `github:org/campaign-testenv`
// resolves to. npm clones the commit, installs its dev dependencies and runs its prepare script, which
// builds dist/ (without one the install succeeded and `require` failed with MODULE_NOT_FOUND). The
// install takes the committed HEAD of this checkout, not the working tree: commit before running this.
import { rmSync } from "node:fs";
import {
  createConsumerProject,
  ENTRY_POINT_FILES,
  ENTRY_POINTS,
  npx,
  ok,
  run as runIn,
  TSCONFIG,
} from "./support/consumer";

let project: string;
const run = (cmd: string, args: string[]) => runIn(cmd, args, {}, project);

beforeAll(() => {
  project = createConsumerProject(
    {
      ...ENTRY_POINT_FILES,
      "tsconfig.json": TSCONFIG,
      // The declarations came with the build: a typed use of the API compiles.
      "typed.ts": `import { setupTestEnvironment, type TestEnvironment } from "campaign-testenv";
export const ready: Promise<TestEnvironment> = setupTestEnvironment({ services: ["postgres"] });
`,
    },
    undefined,
    "git",
  );
}, 300_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

test("installed from a git URL of HEAD, the package is built: ESM and CommonJS load every entry point", () => {
  for (const [file, { prints }] of Object.entries(ENTRY_POINTS)) {
    expect(ok(run(process.execPath, [file])).trim()).toBe(prints);
  }
});

test("installed from a git URL of HEAD, its declarations type-check a consumer's code", () => {
  ok(run(npx, ["tsc", "--noEmit", "-p", "."]));
}, 60_000);

test("installed from a git URL of HEAD, the CLI prints its help", () => {
  const cli = run(npx, ["campaign-testenv", "--help"]);
  expect(cli.status).toBe(0);
  expect(cli.stderr).toContain("Usage: campaign-testenv <command>"); // the CLI writes its help to stderr
});
