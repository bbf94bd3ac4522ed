import { checkDocs, checkMarkdown, type DocContext, readRegion, rewrite } from "../../scripts/doc-examples";

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
const ctx: DocContext = {
  read: (file) => (file === "t.test.ts" ? test1.join("\n") : undefined),
  scripts: new Set(["build"]),
  usage: "Commands:\n  up [--env-file FILE]   start\n  down   stop",
  sourceText: 'fromEnv("QUIET"); const CONTEXT_ENV = "CAMPAIGN_TESTENV_CONTEXT";',
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

  test("an env var the code does not read, and json that does not parse", () => {
    expect(check(md("Set CAMPAIGN_TESTENV_QUIETER=true.", "```json", "{ a: 1 }", "```"))).toEqual([
      expect.stringMatching(/^doc\.md:2: this json block does not parse/),
      expect.stringMatching(/^doc\.md:1: CAMPAIGN_TESTENV_QUIETER is not read anywhere in src\//),
    ]);
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

  test("rewrite replaces a marked block's body, keeping the fence's indentation", () => {
    const doc = md("- item:", "  <!-- example: t.test.ts#demo -->", "  ```ts", "  old();", "  ```", "after");
    expect(rewrite(doc, ctx.read)).toBe(
      md("- item:", "  <!-- example: t.test.ts#demo -->", "  ```ts", "  x(1);", "  ```", "after"),
    );
    expect(check(rewrite(doc, ctx.read))).toEqual([]);
  });
});
