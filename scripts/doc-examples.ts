// Documentation examples come from tests. Each ts/js block of the docs is preceded by a marker line
//   <!-- example: __tests__/examples/FILE.test.ts#NAME -->
// and its text is the region `// #region NAME` ... `// #endregion NAME` of that test, which runs it.
// One parser serves both sides: __tests__/unit/docs.test.ts calls checkDocs, and
// `npm run docs:examples` (this file run as a script) calls writeDocs to copy the regions into the docs.
// The check also reads the prose and the workflow examples (docs/examples/*.yml), for what can drift
// there: links and paths to files, versions, image tags, option and API names, env vars, commands, and
// quotes of the package's messages.
import { writeFileSync } from "node:fs";
import path from "node:path";
import { type DocContext, docContext, docFiles, reader, ROOT } from "./docs/context";
import { anchors, type Block, type Inline, parseMarkdown } from "./docs/markdown";
import { closestMessage, QUOTE } from "./docs/messages";
import { readRegion, rewrite } from "./docs/regions";

/** Blocks that must come from a test; everything else only needs a language (`text` for output). */
const CODE_LANGS = new Set(["ts", "tsx", "js"]);
const SHELL_LANGS = new Set(["sh", "bash"]);
/** The changes between versions: checked like the docs, but for the names and messages of the API. */
const CHANGELOG = "CHANGELOG.md";
/** Names of other tools that the docs write in backticks: Jest's, npm's, an emulator's error. */
const FOREIGN_NAMES = new Set([
  "afterAll",
  "beforeAll",
  "beforeEach",
  "testSequencer",
  "devDependencies",
  "allowScripts",
  "UnknownError",
]);
/** Words a doc writes in a path for "any such": `images/NAME`, `migrations/NNN_name.sql`. */
const PLACEHOLDER = /(?<![A-Za-z])(?:NAME|FILE|HASH|NNN|N)(?![A-Za-z])/;

type At = (line: number, text: string) => void;

/** What is wrong in one markdown file, as "file:line: problem; fix" lines. */
export function checkMarkdown(file: string, markdown: string, ctx: DocContext): string[] {
  const problems: string[] = [];
  const at: At = (line, text) => problems.push(`${file}:${line}: ${text}`);
  const { blocks, strayMarkers, spans, links } = parseMarkdown(markdown);
  for (const block of blocks) checkBlock(block, at, ctx);
  // A marker must sit right above a block, or the block it was meant for is unchecked.
  for (const line of strayMarkers) at(line, "this example marker is not followed by a fenced block");
  checkLines(file, markdown.split("\n"), at, ctx);
  checkLinks(file, links, at, ctx);
  checkSpans(file, spans, at, ctx);
  if (file !== CHANGELOG) {
    const output = blocks.filter((b) => b.lang === "text");
    const lines = output.flatMap((b) =>
      b.body.split("\n").map((l, i) => ({ line: b.line + 1 + i, text: l.trim() })),
    );
    checkQuotes([...spans, ...lines], at, ctx);
  }
  return problems;
}

/**
 * What is wrong in a workflow example: the env vars and versions it names, the commands of its `run:`
 * lines and the repository paths it names. Its commented-out lines are checked too: they are the
 * example's alternatives and settings, to uncomment.
 */
export function checkYaml(file: string, text: string, ctx: DocContext): string[] {
  const problems: string[] = [];
  const at: At = (line, problem) => problems.push(`${file}:${line}: ${problem}`);
  const lines = text.split("\n").map((l) => l.replace(/^(\s*)#/, "$1 "));
  let script: number | undefined; // the indentation of the `run: |` whose lines are being read
  lines.forEach((line, i) => {
    const problem = (t: string) => at(i + 1, t);
    const run = /^(\s*(?:-\s+)?)run:\s*(.*)$/.exec(line);
    if (script !== undefined && (/^ */.exec(line)![0].length > script || !line.trim())) {
      checkShellLine(line, problem, ctx);
    } else if (run && /^[|>][-+]?$/.test(run[2])) script = run[1].length;
    else {
      script = undefined;
      if (run) checkShellLine(run[2].replace(/^(["'])(.*)\1$/, "$2"), problem, ctx);
    }
    for (const word of line.split(/\s+/))
      checkPath(word.replace(/^[("'`]+|[)"'`.,;:]+$/g, ""), file, i + 1, at, ctx);
  });
  checkLines(file, lines, at, ctx);
  return problems;
}

function checkBlock(block: Block, at: At, ctx: DocContext): void {
  if (!block.lang) {
    at(
      block.line,
      "a fenced block without a language: add one (ts, js, json, sh; text for output and diagrams)",
    );
  } else if (CODE_LANGS.has(block.lang) && !block.marker) {
    at(
      block.line,
      `this ${block.lang} block is not from a test: put it in a region (// #region NAME ... // #endregion NAME) ` +
        "of a test that runs it, add the line <!-- example: __tests__/examples/FILE.test.ts#NAME --> " +
        "above the block, then run npm run docs:examples",
    );
  } else if (SHELL_LANGS.has(block.lang)) {
    block.body.split("\n").forEach((text, i) => checkShellLine(text, (t) => at(block.line + 1 + i, t), ctx));
  } else if (block.lang === "json") {
    let json: { scripts?: Record<string, unknown> };
    try {
      json = JSON.parse(block.body) as typeof json;
    } catch (error) {
      return at(block.line, `this json block does not parse (${(error as Error).message}): fix it`);
    }
    // A package.json's scripts are shell lines: their CLI commands must exist as a sh block's do (their
    // npm run names are the consumer's own scripts).
    const lines = block.body.split("\n");
    for (const script of Object.values(json.scripts ?? {})) {
      if (typeof script !== "string") continue;
      const i = lines.findIndex((l) => l.includes(JSON.stringify(script)));
      checkShellLine(script.replace(/\bnpm run [\w:.-]+/g, ""), (t) => at(block.line + 1 + i, t), ctx);
    }
  }
  if (!block.marker) return;
  const { file: source, region, line } = block.marker;
  const text = ctx.read(source);
  let expected: string | undefined;
  try {
    expected = text === undefined ? undefined : readRegion(text, region);
  } catch (error) {
    return at(line, `${source}: ${(error as Error).message}`);
  }
  if (text === undefined) at(line, `the marker names ${source}, which does not exist: fix the path`);
  else if (expected === undefined) {
    at(
      line,
      `${source} has no region "${region}": add // #region ${region} ... // #endregion ${region} there`,
    );
  } else if (expected !== block.body) {
    const doc = block.body.split("\n");
    const want = expected.split("\n");
    const n = doc.findIndex((l, i) => l !== want[i]);
    const i = n === -1 ? doc.length : n;
    at(
      block.line + 1 + i,
      `this block differs from ${source}#${region} (docs: ${JSON.stringify(doc[i] ?? "<end>")}, ` +
        `test: ${JSON.stringify(want[i] ?? "<end>")}): change the test's region, then run npm run docs:examples`,
    );
  }
}

/** Env vars and versions, on every line (a shell block names a tarball, an output block the images). */
function checkLines(file: string, lines: string[], at: At, ctx: DocContext): void {
  const repository = (image: string) => image.slice(0, image.lastIndexOf(":"));
  lines.forEach((text, i) => {
    // An env var must exist in the code, as the full name or as the suffix the code appends to the
    // prefix; one the code refuses under its old name counts as gone (but CHANGELOG.md records them).
    for (const [name] of text.matchAll(/CAMPAIGN_TESTENV_[A-Z_]+/g)) {
      const suffix = name.slice("CAMPAIGN_TESTENV_".length);
      const now = file === CHANGELOG ? undefined : ctx.renamed.get(name);
      const known =
        ctx.sourceText.includes(name) ||
        new RegExp(`(?<![A-Z0-9_])_?${suffix}(?![A-Z0-9_])`).test(ctx.sourceText);
      if (now) at(i + 1, `${name} was renamed ${now}, and the code refuses the old name: use ${now}`);
      else if (!known) at(i + 1, `${name} is not read anywhere in src/: fix the name or remove it`);
    }
    for (const [name] of text.matchAll(/\b(?:TESTCONTAINERS|RYUK)_[A-Z_]+/g)) {
      if (!ctx.testcontainersText.includes(name)) {
        at(i + 1, `${name} is not an env var of Testcontainers: fix the name or remove it`);
      }
    }
    for (const [, version] of text.matchAll(
      /\bcampaign-testenv(?:-|@|(?:\.git)?#v)(\d+\.\d+\.\d+(?:-[\w.]*\w)?)(?![\w-]|\.\d)/g,
    )) {
      if (version !== ctx.version) {
        at(
          i + 1,
          `campaign-testenv ${version}: the package is ${ctx.version} (package.json); fix the version`,
        );
      }
    }
    for (const [, version] of text.matchAll(/\bNode(?:\.js)?\s*(?:>=|≥|older than)\s*v?(\d+(?:\.\d+)*)/g)) {
      if (version !== ctx.node) {
        at(
          i + 1,
          `Node ${version}: package.json's engines field requires Node >= ${ctx.node}; fix the version`,
        );
      }
    }
    for (const image of ctx.images) {
      const name = repository(image).replace(/[.]/g, "\\.");
      for (const [ref] of text.matchAll(new RegExp(`(?<![\\w./-])${name}:[\\w.-]*\\w`, "g"))) {
        if (ref !== image && !ctx.images.includes(ref)) {
          at(i + 1, `${ref}: the default image is ${image} (the package's default); fix the tag`);
        }
      }
    }
  });
}

/** Each linked file's anchors, parsed once per text: many links point into the same few files. */
const anchorsByText = new Map<string, Set<string>>();
const anchorsIn = (markdown: string) =>
  anchorsByText.get(markdown) ?? anchorsByText.set(markdown, anchors(markdown)).get(markdown)!;

/** Relative links: to a file or folder that exists, and to a heading that a linked markdown file has. */
function checkLinks(doc: string, links: Inline[], at: At, ctx: DocContext): void {
  for (const { line, text: target } of links) {
    const [pathPart, anchor] = target.split("#");
    const linked = pathPart ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), pathPart)) : doc;
    if (!ctx.exists(linked)) {
      at(line, `the link to ${target} names ${linked}, which does not exist: fix the link`);
    } else if (anchor !== undefined && linked.endsWith(".md") && !anchorsIn(ctx.read(linked)!).has(anchor)) {
      at(line, `the link to ${target}: ${linked} has no heading with the anchor #${anchor}; fix the link`);
    }
  }
}

/** Backticked paths to files, and backticked names of the API. */
function checkSpans(doc: string, spans: Inline[], at: At, ctx: DocContext): void {
  for (const { line, text: token } of spans) {
    checkPath(token, doc, line, at, ctx);
    if (doc === CHANGELOG) continue; // it names the API of every version, the old names too
    const api =
      /^(?:env\.)?([a-z][a-z0-9]+[A-Z][a-z]\w*|[A-Z]\w*Error|(?<=env\.)[a-z]\w*)(?:\(.*\))?(?:\.\w+)*$/.exec(
        token,
      );
    if (!api) continue;
    const name = api[1];
    const members = token.startsWith("env.") ? token.slice(4).split("(")[0].split(".") : [];
    const missing = members.length > 1 ? ctx.missingEnvMember(members) : undefined;
    if (missing) {
      at(line, `\`${token}\`: ${missing} is no member there (TestEnvironment's type in src/): fix the path`);
      continue;
    }
    const named = spans.flatMap((s) => {
      const file = s.line === line ? repoPath(s.text, doc, ctx) : undefined;
      return file && ctx.exists(file) ? [file] : [];
    });
    const known = token.startsWith("env.")
      ? new RegExp(`\\b(?:get\\s+)?${name}\\??\\s*[:(]`).test(ctx.sourceText)
      : new RegExp(`\\b${name}\\b`).test(ctx.sourceText) ||
        FOREIGN_NAMES.has(name) ||
        named.some((f) => new RegExp(`\\b${name}\\b`).test(ctx.read(f) ?? ""));
    if (!known) {
      at(
        line,
        `\`${token}\`: ${name} is no name of the package's code (src/, fixtures/, jest-preset.js) nor of a file ` +
          "named on this line: fix the name",
      );
    }
  }
}

function checkPath(token: string, doc: string, line: number, at: At, ctx: DocContext): void {
  const file = repoPath(token, doc, ctx);
  if (file && !ctx.exists(file) && !ctx.ignored(file) && !PLACEHOLDER.test(file)) {
    at(line, `\`${token}\` names ${file}, which is not in the repository: fix the path`);
  }
}

/**
 * The repository path a backticked token in `doc` names, or undefined when it names none. A path whose
 * first part is a top-level entry of the repository (`fixtures/aws-resources.json`, `README.md`, and
 * `node_modules/campaign-testenv/docs/` for the package's copy), or any markdown file, from the root or
 * from the doc's folder. Not paths: commands, URLs, images, a consumer's own folders (`./db/migrations`),
 * placeholders in angle brackets.
 */
function repoPath(token: string, doc: string, ctx: DocContext): string | undefined {
  const file = token.replace(/^node_modules\/campaign-testenv\//, "").replace(/\/$/, "");
  if (!file || /[\s<>*{}$:~'"(),=]|^[./]|\.\.\./.test(file)) return undefined;
  const fromDoc = path.posix.join(path.posix.dirname(doc), file);
  if (file.endsWith(".md")) return ctx.exists(file) || !ctx.exists(fromDoc) ? file : fromDoc;
  const looksLikeFile = file.includes("/") || /\.[a-z]{2,4}$/.test(file);
  if (looksLikeFile && ctx.exists(file.split("/")[0])) return file;
  // A module of this project named from its folder (`aws/resources.ts` in src/services), when a folder
  // of that name exists: some file must end so.
  const folder = `/${file.split("/")[0]}/`;
  if (/\.(ts|js|mjs|cjs|sql|sh)$/.test(file) && ctx.files.some((f) => `/${f}`.includes(folder))) {
    return ctx.files.find((f) => f.endsWith(`/${file}`)) ?? file;
  }
  return undefined;
}

function checkShellLine(text: string, problem: (text: string) => void, ctx: DocContext): void {
  const command = text.replace(/(^|\s)#.*$/, ""); // a trailing comment is prose
  for (const [, script] of command.matchAll(/\bnpm run ([\w:.-]+)/g)) {
    if (!ctx.scripts.has(script))
      problem(`npm run ${script}: package.json has no such script; fix the command`);
  }
  const cli = /(?:^|\bnpx\s+|[;&|(]\s*)campaign-testenv\s+(\S+)(.*)$/.exec(command.trim());
  if (!cli) return;
  const [, sub, rest] = cli;
  if (!new RegExp(`^  ${sub}\\b`, "m").test(ctx.usage)) {
    problem(`campaign-testenv ${sub}: not a command of the CLI (see USAGE in src/cli.ts); fix the command`);
  }
  for (const [flag] of rest.matchAll(/--[\w-]+/g)) {
    if (!new RegExp(`${flag}(?![\\w-])`).test(ctx.usage)) {
      problem(
        `campaign-testenv ${sub} ${flag}: the CLI has no such option (see USAGE in src/cli.ts); fix the command`,
      );
    }
  }
}

/**
 * Quotes of the package's messages (a code span or an output line starting `campaign-testenv: `) must
 * be text the code can produce; messages.ts says which parts of either side stand for any text.
 */
function checkQuotes(quotes: Inline[], at: At, ctx: DocContext): void {
  for (const { line, text } of quotes.filter((q) => QUOTE.test(q.text))) {
    const closest = closestMessage(text, ctx.messages);
    if (closest === undefined) continue;
    at(
      line,
      `this quote is no message of the package's code (src/); the closest is "${closest}": copy its text, ` +
        "writing ... (or N, M, P, X, FILE, NAME, DIR) for the parts that vary",
    );
  }
}

export function checkDocs(root = ROOT): string[] {
  const ctx = docContext(root);
  return docFiles(root).flatMap((file) =>
    (file.endsWith(".yml") ? checkYaml : checkMarkdown)(file, ctx.read(file)!, ctx),
  );
}

/** Rewrites the marked blocks of every doc from their regions; returns the files it changed. */
export function writeDocs(root = ROOT): string[] {
  const read = reader(root);
  return docFiles(root).filter((file) => {
    const before = read(file)!;
    const after = file.endsWith(".md") ? rewrite(before, read) : before;
    if (after !== before) writeFileSync(path.join(root, file), after);
    return after !== before;
  });
}

if (require.main === module) {
  const changed = writeDocs();
  console.log(changed.length ? `updated ${changed.join(", ")}` : "the docs' examples are up to date");
  const problems = checkDocs();
  if (problems.length) {
    console.error(problems.join("\n"));
    process.exitCode = 1;
  }
}
