import { readFileSync } from "node:fs";
import path from "node:path";
import { checkDocs, checkMarkdown, checkYaml } from "../../scripts/doc-examples";
import { type DocContext, docContext, gitIgnored } from "../../scripts/docs/context";
import { anchors } from "../../scripts/docs/markdown";
import { messagesOf, renamesOf } from "../../scripts/docs/messages";
import { readRegion, rewrite } from "../../scripts/docs/regions";
import { flavoursOf, SERVICE_NAMES, SERVICES } from "../../src/services";

// The real docs: every problem is one "file:line: what; how to fix" line.
test("the docs' code blocks come from tests, and their commands and settings exist", () => {
  expect(checkDocs()).toEqual([]);
});

// The checks themselves, on made-up docs, so that a check that stopped finding anything shows up here.
const test1 = [
  "import x from 'y';",
  "",
  "test('t', () => {",
  "  // #region demo",
  "  x(1);",
  "  // #endregion demo",
  "});",
];
// A made-up repository: its files, and folders (ending in /).
const files: Record<string, string> = {
  "t.test.ts": test1.join("\n"),
  "README.md": "# Title\n\n## Running without Docker Hub\n\n## Running without Docker Hub\n",
  "docs/GUIDE.md": "# Guide\n\n## 1. Install, then run\n",
  "docs/": "",
  "fixtures/": "",
  "fixtures/specs.json": "{}",
  "__tests__/": "",
  "__tests__/load.test.ts": "const callHandler = () => {};",
  "src/": "",
  "src/services/aws/resources.ts": "",
};
const ctx: DocContext = {
  read: (file) => (file.endsWith("/") ? undefined : files[file]),
  exists: (file) => file in files || `${file}/` in files,
  ignored: gitIgnored("reports/\nbench/results/*.json\n"),
  files: Object.keys(files).filter((f) => !f.endsWith("/")),
  scripts: new Set(["build"]),
  version: "1.2.3",
  node: "22.22",
  images: ["postgres:15-alpine", "localstack/localstack:4.14.0", "ministackorg/ministack:1.5.33"],
  usage: "Commands:\n  up [--env-file FILE]   start\n  down   stop",
  sourceText:
    'fromEnv("QUIET"); const CONTEXT_ENV = "CAMPAIGN_TESTENV_CONTEXT"; ' +
    "interface TestEnvironment { pg: Pool; context: Context; close(): Promise<void> } function cleanTestData() {} " +
    "class ServiceError extends Error {} " +
    "interface Options { specsDir?: string } " +
    'fromEnv("SERVICES"); if (fromEnv("FIXTURES_DIR")) throw new Error("renamed");',
  // As messagesOf writes them: ${} for each variable part.
  messages: [
    "campaign-testenv: store set ${} is in use by process ${}; leave storeSetId out to get a free one.",
    "campaign-testenv: this test needs ${}. Add ${} to CAMPAIGN_TESTENV_SERVICES (or the services option in ${}).",
    "campaign-testenv: ${} (image ${}) failed while ${}: ${}\nFix: ${}",
  ],
  renamed: new Map([["CAMPAIGN_TESTENV_FIXTURES_DIR", "CAMPAIGN_TESTENV_SPECS_DIR"]]),
  testcontainersText: 'env["RYUK_CONTAINER_IMAGE"]; env["TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX"]',
  // env.context's members as a made-up type: mongo.capabilities.transactions.ok.
  missingEnvMember: (names) => {
    const ours = ["context", "mongo", "capabilities", "transactions", "ok"];
    return names[0] === "context" ? names.find((name, i) => name !== ours[i]) : undefined;
  },
};
const md = (...lines: string[]) => lines.join("\n");
const check = (markdown: string) => checkMarkdown("doc.md", markdown, ctx);

describe("checkMarkdown", () => {
  test("accepts a marked block equal to its region, text blocks and known commands", () => {
    const doc = md(
      "<!-- example: t.test.ts#demo -->",
      "```ts",
      "x(1);",
      "```",
      "```text",
      "output",
      "```",
      "```sh",
      "npm run build && npx campaign-testenv up --env-file .env   # npm run nothing here",
      "```",
      "CAMPAIGN_TESTENV_CONTEXT, CAMPAIGN_TESTENV_QUIET",
    );
    expect(check(doc)).toEqual([]);
  });

  test("a block without a language", () => {
    expect(check(md("```", "x", "```"))).toEqual([
      expect.stringMatching(/^doc\.md:1: a fenced block without a language/),
    ]);
  });

  test("a code block without a marker", () => {
    expect(check(md("", "```js", "x(1);", "```"))).toEqual([
      expect.stringMatching(/^doc\.md:2: this js block is not from a test.*npm run docs:examples$/),
    ]);
  });

  test("a block that differs from its region names the first differing line", () => {
    const doc = md("<!-- example: t.test.ts#demo -->", "```ts", "x(2);", "```");
    expect(check(doc)).toEqual([
      'doc.md:3: this block differs from t.test.ts#demo (docs: "x(2);", test: "x(1);"): ' +
        "change the test's region, then run npm run docs:examples",
    ]);
  });

  test("a marker naming a missing file or region, or followed by no block", () => {
    expect(check(md("<!-- example: nope.test.ts#demo -->", "```ts", "x(1);", "```"))).toEqual([
      expect.stringMatching(/^doc\.md:1: the marker names nope\.test\.ts, which does not exist/),
    ]);
    expect(check(md("<!-- example: t.test.ts#other -->", "```ts", "x(1);", "```"))).toEqual([
      expect.stringMatching(/^doc\.md:1: t\.test\.ts has no region "other"/),
    ]);
    expect(check(md("<!-- example: t.test.ts#demo -->", "text"))).toEqual([
      "doc.md:1: this example marker is not followed by a fenced block",
    ]);
  });

  test("unknown npm scripts, CLI commands and CLI options", () => {
    const doc = md(
      "```sh",
      "npm run bild",
      "npx campaign-testenv start",
      "npx campaign-testenv up --detach",
      "```",
    );
    expect(check(doc)).toEqual([
      expect.stringMatching(/^doc\.md:2: npm run bild: package.json has no such script/),
      expect.stringMatching(/^doc\.md:3: campaign-testenv start: not a command of the CLI/),
      expect.stringMatching(/^doc\.md:4: campaign-testenv up --detach: the CLI has no such option/),
    ]);
  });

  test("a json block's package.json scripts: their CLI commands must exist, their npm run names are the consumer's", () => {
    const doc = md(
      "```json",
      '{ "scripts": {',
      '  "up": "npm run migrate && campaign-testenv up --env-file .env",',
      '  "start": "campaign-testenv start"',
      "} }",
      "```",
    );
    expect(check(doc)).toEqual([
      expect.stringMatching(/^doc\.md:4: campaign-testenv start: not a command of the CLI/),
    ]);
    expect(check(md("```json", '{ "scripts": { "up": "campaign-testenv up --detach" } }', "```"))).toEqual([
      expect.stringMatching(/^doc\.md:2: campaign-testenv up --detach: the CLI has no such option/),
    ]);
  });

  test("an env var the code does not read, and json that does not parse", () => {
    expect(check(md("Set CAMPAIGN_TESTENV_QUIETER=true.", "```json", "{ a: 1 }", "```"))).toEqual([
      expect.stringMatching(/^doc\.md:2: this json block does not parse/),
      expect.stringMatching(/^doc\.md:1: CAMPAIGN_TESTENV_QUIETER is not read anywhere in src\//),
    ]);
  });
});

describe("checkMarkdown on the prose", () => {
  test("links: to files and folders that exist, anchors of their headings, outside links left alone", () => {
    const doc = md(
      "See [the guide](docs/GUIDE.md#1-install-then-run), [docs](docs/), [here](#title),",
      "[the second one](#running-without-docker-hub-1) and [Node](https://nodejs.org).",
      "```text",
      "[not a link](nowhere.md)",
      "```",
    );
    expect(checkMarkdown("README.md", doc, ctx)).toEqual([]);
    expect(checkMarkdown("docs/GUIDE.md", "[back](../README.md#title)", ctx)).toEqual([]);
  });

  test("links: a missing file, a missing anchor", () => {
    expect(checkMarkdown("docs/GUIDE.md", md("[gone](OLD.md)", "[x](../README.md#installing)"), ctx)).toEqual(
      [
        "docs/GUIDE.md:1: the link to OLD.md names docs/OLD.md, which does not exist: fix the link",
        "docs/GUIDE.md:2: the link to ../README.md#installing: README.md has no heading with the anchor #installing; fix the link",
      ],
    );
  });

  test("backticked paths: repository files, the package's copy, files a run writes, placeholders", () => {
    const doc = md(
      "Copy `fixtures/specs.json` (also `node_modules/campaign-testenv/fixtures/specs.json`), see `docs/`,",
      "`GUIDE.md`, `reports/concurrency.md`, `bench/results/`, `fixtures/NAME.json`, `<dir>/<name>.md`,",
      "your own `./db/migrations`, `db/migrations/001_x.sql`, `campaign-testenv/campaign`, `/state`.",
    );
    expect(checkMarkdown("docs/GUIDE.md", doc, ctx)).toEqual([]);
  });

  test("backticked paths that name no file of the repository", () => {
    const doc = md("Read `fixtures/spec.json`.", "The design: `shared/DESIGN.md`.");
    expect(check(doc)).toEqual([
      "doc.md:1: `fixtures/spec.json` names fixtures/spec.json, which is not in the repository: fix the path",
      "doc.md:2: `shared/DESIGN.md` names shared/DESIGN.md, which is not in the repository: fix the path",
    ]);
  });

  test("a module named from its folder must be some file's end; other projects' files are left alone", () => {
    expect(check("See `aws/resources.ts`; LocalStack's `localstack/services/sqs/provider.py`.")).toEqual([]);
    expect(check("See `aws/emulator.ts`.")).toEqual([
      "doc.md:1: `aws/emulator.ts` names aws/emulator.ts, which is not in the repository: fix the path",
    ]);
  });

  test("versions: the package's, Node's, and the default images' tags, in prose and in blocks", () => {
    const good = md(
      "Node.js >= 22.22; `npm install github:org/campaign-testenv#v1.2.3` or campaign-testenv@1.2.3.",
      "```text",
      "  postgres ready in 3.1 s  postgres:15-alpine",
      "  aws      ready in 2.0 s  ministackorg/ministack:1.5.33 (or a local campaign-testenv/postgres:abc)",
      "```",
    );
    expect(check(good)).toEqual([]);
    const bad = md(
      "Node older than 20.",
      "```sh",
      "npm install ../campaign-testenv-1.0.0.tgz   # or github:org/campaign-testenv.git#v1.2.0",
      "```",
      "Defaults: `postgres:16-alpine`, `localstack/localstack:latest`.",
    );
    expect(check(bad)).toEqual([
      "doc.md:1: Node 20: package.json's engines field requires Node >= 22.22; fix the version",
      "doc.md:3: campaign-testenv 1.0.0: the package is 1.2.3 (package.json); fix the version",
      "doc.md:3: campaign-testenv 1.2.0: the package is 1.2.3 (package.json); fix the version",
      "doc.md:5: postgres:16-alpine: the default image is postgres:15-alpine (the package's default); fix the tag",
      "doc.md:5: localstack/localstack:latest: the default image is localstack/localstack:4.14.0 (the package's default); fix the tag",
    ]);
  });

  test("names: options and functions of the code, env members, Jest's names, a name in a file the line names", () => {
    const doc = md(
      "Set `specsDir`, call `cleanTestData(env)` in `beforeEach`; `env.pg`, `env.close()`, `ServiceError`.",
      "See `callHandler` in `__tests__/load.test.ts`. Not names: a tag `vX.Y.Z`, `isOK`.",
    );
    expect(check(doc)).toEqual([]);
    expect(check(md("Set `fixturesDir`.", "Use `env.worker.id`.", "Catch `StartupFailedError`."))).toEqual([
      "doc.md:1: `fixturesDir`: fixturesDir is no name of the package's code (src/, fixtures/, jest-preset.js) nor of a file named on this line: fix the name",
      "doc.md:2: `env.worker.id`: worker is no name of the package's code (src/, fixtures/, jest-preset.js) nor of a file named on this line: fix the name",
      "doc.md:3: `StartupFailedError`: StartupFailedError is no name of the package's code (src/, fixtures/, jest-preset.js) nor of a file named on this line: fix the name",
    ]);
  });

  test("CHANGELOG.md's names of the API are not checked (it names old ones); its paths and versions are", () => {
    const entry = md(
      "- `env.worker` is `env.storeSet`; `StartupFailedError` is gone.",
      "See `fixtures/spec.json`.",
    );
    expect(checkMarkdown("CHANGELOG.md", entry, ctx)).toEqual([
      "CHANGELOG.md:2: `fixtures/spec.json` names fixtures/spec.json, which is not in the repository: fix the path",
    ]);
  });

  test("env member paths: each name must be a member of the one before, until the path leaves our types", () => {
    expect(check("`env.context.mongo.capabilities.transactions.ok`, `env.pg.query(sql)`")).toEqual([]);
    expect(check("`env.context.mongo.transactions` says which")).toEqual([
      "doc.md:1: `env.context.mongo.transactions`: transactions is no member there (TestEnvironment's type in src/): fix the path",
    ]);
  });

  test("env member paths by TypeScript's checker on the real TestEnvironment", () => {
    const { missingEnvMember } = docContext();
    expect(missingEnvMember(["context", "mongo", "capabilities", "validators", "ok"])).toBeUndefined();
    expect(missingEnvMember(["context", "mongo", "validators"])).toBe("validators");
    expect(missingEnvMember(["storeSet", "workerId"])).toBe("workerId");
    expect(missingEnvMember(["mongoClient", "db"])).toBeUndefined(); // a MongoClient: not the package's type
  }, 30_000);

  test("Testcontainers' env vars", () => {
    expect(
      check("RYUK_CONTAINER_IMAGE and TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX, not TESTCONTAINERS_RYUK_OFF"),
    ).toEqual([
      "doc.md:1: TESTCONTAINERS_RYUK_OFF is not an env var of Testcontainers: fix the name or remove it",
    ]);
  });
});

describe("renamed names and quoted messages", () => {
  test("an env var the code refuses under its old name counts as gone, with the new name; CHANGELOG.md keeps it", () => {
    expect(check("Set CAMPAIGN_TESTENV_FIXTURES_DIR=test/specs.")).toEqual([
      "doc.md:1: CAMPAIGN_TESTENV_FIXTURES_DIR was renamed CAMPAIGN_TESTENV_SPECS_DIR, and the code refuses the old name: use CAMPAIGN_TESTENV_SPECS_DIR",
    ]);
    expect(checkMarkdown("CHANGELOG.md", "`CAMPAIGN_TESTENV_FIXTURES_DIR` is now `specsDir`.", ctx)).toEqual(
      [],
    );
  });

  test("quotes matching a message: ... and N, P for its variable parts, one line of it, or all of it", () => {
    const doc = md(
      "| `campaign-testenv: store set N is in use by process P; leave storeSetId out to get a free one.` | fix |",
      "Fails with `campaign-testenv: this test needs mongo. Add mongo to CAMPAIGN_TESTENV_SERVICES ...`, or",
      "`campaign-testenv: postgres (image postgres:15-alpine) failed while migrating: boom Fix: ...`.",
      "```text",
      "campaign-testenv: postgres (image postgres:15-alpine) failed while migrating: ...",
      "Fix: read the log",
      "```",
    );
    expect(check(doc)).toEqual([]);
  });

  test("a stale quote, inline or in output, fails with the closest message; CHANGELOG.md's are left alone", () => {
    const stale =
      "campaign-testenv: this test needs mongo. Add mongo to CAMPAIGN_TESTENV_SERVICES (or globals).";
    const closest =
      '"campaign-testenv: this test needs .... Add ... to CAMPAIGN_TESTENV_SERVICES (or the services option in ...)."';
    const problem = (line: number) =>
      `doc.md:${line}: this quote is no message of the package's code (src/); the closest is ${closest}: ` +
      "copy its text, writing ... (or N, M, P, X, FILE, NAME, DIR) for the parts that vary";
    expect(check(md(`It says \`${stale}\``, "```text", stale, "```"))).toEqual([problem(1), problem(3)]);
    expect(check("`campaign-testenv: store set N is in use; leave it out.`")).toEqual([
      expect.stringContaining('the closest is "campaign-testenv: store set ... is in use by process ...;'),
    ]);
    // The third message starts with a variable part: it takes in no quote that shares none of its own words.
    expect(check("`campaign-testenv: postgres did something else ...`")).toEqual([
      expect.stringContaining("this quote is no message of the package's code"),
    ]);
    expect(checkMarkdown("CHANGELOG.md", `\`${stale}\``, ctx)).toEqual([]);
  });

  test("messagesOf: literals and templates joined, consts and choices followed, other parts ${}", () => {
    const options = 'export const ENV_PREFIX = "CAMPAIGN_TESTENV_";';
    const source = md(
      'import { ENV_PREFIX } from "./options";',
      'const place = "here";',
      "function fail(service: string, runner?: string, none = 'x') {",
      "  const where = runner ? ` (or the ${runner} config)` : '';",
      "  const verb = 'needs';",
      "  throw new Error(`campaign-testenv: this test ${verb} ${service}.` + ` Add it to ${ENV_PREFIX}SERVICES${where}.`);",
      "  log(`campaign-testenv: ${none}`, 'not ours', `campaign-testenv: ${none} is left over`);",
      "}",
      "function other(place: string) { return `campaign-testenv: it runs from ${place}`; }",
    );
    expect(messagesOf([options, source]).sort()).toEqual([
      "campaign-testenv: ${} is left over",
      "campaign-testenv: it runs from ${}",
      "campaign-testenv: this test needs ${}. Add it to CAMPAIGN_TESTENV_SERVICES (or the ${} config).",
      "campaign-testenv: this test needs ${}. Add it to CAMPAIGN_TESTENV_SERVICES.",
    ]);
  });

  test("messagesOf on src/errors.ts, and the renames of the code's messages", () => {
    const errors = readFileSync(path.join(__dirname, "../../src/errors.ts"), "utf8");
    expect(messagesOf([errors])).toContain(
      "campaign-testenv: this test uses ${}, but its setupTestEnvironment({ services }) asked for ${} only. Add ${} there.",
    );
    const renames = renamesOf([
      "campaign-testenv: fixturesDir / CAMPAIGN_TESTENV_FIXTURES_DIR was renamed specsDir / CAMPAIGN_TESTENV_SPECS_DIR; use it.",
      "campaign-testenv: the workerId option was renamed storeSetId; leave it out.",
      "campaign-testenv: ${} was renamed ${}; see the CHANGELOG.",
    ]);
    expect([...renames]).toEqual([
      ["fixturesDir", "specsDir"],
      ["CAMPAIGN_TESTENV_FIXTURES_DIR", "CAMPAIGN_TESTENV_SPECS_DIR"],
      ["workerId", "storeSetId"],
    ]);
  });
});

describe("checkYaml: the workflow examples", () => {
  const yaml = (...lines: string[]) => checkYaml("docs/examples/ci.yml", md(...lines), ctx);

  test("accepts known settings, commands and paths, in live and commented-out lines", () => {
    const workflow = yaml(
      "# Guide: docs/GUIDE.md; copy to .github/workflows/ci.yml.",
      "    env:",
      "      CAMPAIGN_TESTENV_QUIET: true",
      "    #   CAMPAIGN_TESTENV_CONTEXT: ctx.json   # see fixtures/specs.json",
      "    steps:",
      "      - run: npm ci",
      "      - run: |",
      "          npm run build",
      "          npx campaign-testenv up --env-file .env",
      "      - run: npx jest --shard=${{ matrix.shard }}/2",
      "    #   - run: npx campaign-testenv down",
      "    #   image: postgres:15-alpine",
    );
    expect(workflow).toEqual([]);
  });

  test("a renamed or unknown env var (in a comment too), unknown commands in run lines, a missing path", () => {
    const workflow = yaml(
      "# Guide: docs/GUIDES.md.",
      "    #   CAMPAIGN_TESTENV_FIXTURES_DIR: test/fixtures",
      "      CAMPAIGN_TESTENV_QUIETER: true",
      "      - run: npm run bild",
      "      - run: |",
      "          npx campaign-testenv start",
      "    #   - run: npx campaign-testenv up --detach",
      "    #   image: postgres:16-alpine",
    );
    expect(workflow).toEqual([
      "docs/examples/ci.yml:1: `docs/GUIDES.md` names docs/GUIDES.md, which is not in the repository: fix the path",
      expect.stringMatching(/^docs\/examples\/ci\.yml:4: npm run bild: package\.json has no such script/),
      expect.stringMatching(/^docs\/examples\/ci\.yml:6: campaign-testenv start: not a command of the CLI/),
      expect.stringMatching(
        /^docs\/examples\/ci\.yml:7: campaign-testenv up --detach: the CLI has no such option/,
      ),
      "docs/examples/ci.yml:2: CAMPAIGN_TESTENV_FIXTURES_DIR was renamed CAMPAIGN_TESTENV_SPECS_DIR, and the code refuses the old name: use CAMPAIGN_TESTENV_SPECS_DIR",
      "docs/examples/ci.yml:3: CAMPAIGN_TESTENV_QUIETER is not read anywhere in src/: fix the name or remove it",
      "docs/examples/ci.yml:8: postgres:16-alpine: the default image is postgres:15-alpine (the package's default); fix the tag",
    ]);
  });
});

describe("anchors and gitIgnored", () => {
  test("GitHub's anchors: lower case, punctuation dropped, spaces to dashes, a repeat numbered", () => {
    expect([
      ...anchors(
        md("# A `b`: c.d", "## 9. No Docker Hub", "## 9. No Docker Hub", "```sh", "# comment", "```"),
      ),
    ]).toEqual(["a-b-cd", "9-no-docker-hub", "9-no-docker-hub-1"]);
  });

  test("ignored: a folder pattern, a glob, a file at the root, and a folder holding only ignored files", () => {
    const ignored = gitIgnored("# comment\nnode_modules/\nbench/results/*.json\nimages/local.env\n*.tgz\n");
    expect(
      ["node_modules/x/y.js", "bench/results/a.json", "bench/results", "images/local.env", "a/b.tgz"].map(
        ignored,
      ),
    ).toEqual([true, true, true, true, true]);
    expect(
      ["bench/results/a.md", "images/README.md", "images", "bench", "src/local.env"].map(ignored),
    ).toEqual([false, false, false, false, false]);
  });
});

describe("readRegion and rewrite", () => {
  test("a region in parts is dedented part by part and joined by a blank line; nested markers are left out", () => {
    const source = md(
      "// #region r",
      "import a from 'a';",
      "// #endregion r",
      "test('t', () => {",
      "  // #region r",
      "  a();",
      "  // #region inner",
      "  if (x) {",
      "    b();",
      "  }",
      "  // #endregion inner",
      "  // #endregion r",
      "});",
    );
    expect(readRegion(source, "r")).toBe(md("import a from 'a';", "", "a();", "if (x) {", "  b();", "}"));
    expect(readRegion(source, "inner")).toBe(md("if (x) {", "  b();", "}"));
    expect(readRegion(source, "missing")).toBeUndefined();
  });

  test("a region inside a template string (escaped \\` or \\${) is refused, in the check with its line", () => {
    const escaped = (line: string) =>
      md("const files = { 'a.test.ts': `", "// #region r", line, "// #endregion r", "` };");
    expect(() => readRegion(escaped("x(\\`a\\`);"), "r")).toThrow(/holds \\` or \\\$\{/);
    expect(() => readRegion(escaped("x(`a\\${b}`);"), "r")).toThrow(
      /move the example into a file of its own/,
    );
    expect(readRegion(escaped("x(`a${b}`);"), "r")).toBe("x(`a${b}`);");
    files["escaped.ts"] = escaped("x(\\`a\\`);");
    expect(check(md("<!-- example: escaped.ts#r -->", "```ts", "x(`a`);", "```"))).toEqual([
      expect.stringMatching(
        /^doc\.md:1: escaped\.ts: region "r" holds .* move the example into a file of its own$/,
      ),
    ]);
  });

  test("rewrite replaces a marked block's body, keeping the fence's indentation", () => {
    const doc = md("- item:", "  <!-- example: t.test.ts#demo -->", "  ```ts", "  old();", "  ```", "after");
    expect(rewrite(doc, ctx.read)).toBe(
      md("- item:", "  <!-- example: t.test.ts#demo -->", "  ```ts", "  x(1);", "  ```", "after"),
    );
    expect(check(rewrite(doc, ctx.read))).toEqual([]);
  });
});

// The README's option rows are written by hand: each service with several flavours must name every
// flavour and each one's default image there, so that a flavour added to a service shows up in them.
test("the README's option rows name every flavour of every service, with its default image", () => {
  const readme = readFileSync(path.join(__dirname, "../../README.md"), "utf8");
  const row = (option: string) => readme.split("\n").find((line) => line.startsWith(`| \`${option}\``)) ?? "";
  for (const name of SERVICE_NAMES) {
    const flavours = flavoursOf(name);
    if (flavours.length < 2) continue;
    for (const flavour of flavours) {
      expect(row(`${name}Flavour`)).toContain(`\`${flavour}\``);
      const { image } = (SERVICES[name].flavours as Record<string, { image: string }>)[flavour];
      expect(readme).toContain(`\`${image}\``);
    }
  }
});
