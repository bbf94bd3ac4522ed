// Documentation examples come from tests. Each ts/js block of the docs is preceded by a marker line
//   <!-- example: __tests__/examples/FILE.test.ts#NAME -->
// and its text is the region `// #region NAME` ... `// #endregion NAME` of that test, which runs it.
// One parser serves both sides: __tests__/unit/docs.test.ts calls checkDocs, and
// `npm run docs:examples` (this file run as a script) calls writeDocs to copy the regions into the docs.
// The check also reads the prose, for what can drift there: links and paths to files, versions, image
// tags, option and API names, env vars.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import ts from "typescript";
import { SERVICES } from "../src/services";

export const ROOT = path.resolve(__dirname, "..");

/** Blocks that must come from a test; everything else only needs a language (`text` for output). */
const CODE_LANGS = new Set(["ts", "tsx", "js"]);
const SHELL_LANGS = new Set(["sh", "bash"]);
const MARKER = /^\s*<!-- example: (\S+)#(\S+) -->\s*$/;
const REGION_LINE = /^\/\/ #(?:end)?region \S+$/;

export interface Marker {
  file: string;
  region: string;
  /** 1-based line of the marker in the markdown. */
  line: number;
}

export interface Block {
  lang: string;
  /** 1-based line of the opening fence. */
  line: number;
  /** The fence's indentation (a block inside a list item), removed from the body and put back on rewrite. */
  indent: string;
  /** 0-based index of the first body line, and one past the last. */
  start: number;
  end: number;
  body: string;
  marker?: Marker;
}

export function parseBlocks(markdown: string): Block[] {
  const lines = markdown.split("\n");
  const blocks: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]);
    if (!open) continue;
    const [, indent, fence, lang] = open;
    let end = i + 1;
    while (end < lines.length && lines[end].trim() !== fence) end++;
    const body = lines
      .slice(i + 1, end)
      .map((l) => (l.startsWith(indent) ? l.slice(indent.length) : l.trimStart()))
      .join("\n");
    // The marker is the nearest non-blank line above the fence (Prettier may put a blank line between).
    let m = i - 1;
    while (m >= 0 && lines[m].trim() === "") m--;
    const found = m >= 0 ? MARKER.exec(lines[m]) : null;
    const marker = found ? { file: found[1], region: found[2], line: m + 1 } : undefined;
    blocks.push({ lang, line: i + 1, indent, start: i + 1, end, body, marker });
    i = end;
  }
  return blocks;
}

/** Removes the indentation common to the non-blank lines. */
export function dedent(lines: string[]): string {
  const indents = lines.filter((l) => l.trim()).map((l) => /^ */.exec(l)![0].length);
  const cut = indents.length ? Math.min(...indents) : 0;
  return lines.map((l) => (l.trim() ? l.slice(cut) : "")).join("\n");
}

/**
 * The text of region NAME in a source file, or undefined. A region may come in parts (imports at the
 * top of the file, statements inside a test): each part is dedented and the parts are joined by a
 * blank line. Region comments of other, nested regions are left out. A region holding \` or \${ sits
 * inside a template string: copied, it would not compile, so it throws.
 */
export function readRegion(source: string, name: string): string | undefined {
  const parts: string[] = [];
  let part: string[] | undefined;
  for (const line of source.split("\n")) {
    const t = line.trim();
    if (t === `// #region ${name}`) part = [];
    else if (t === `// #endregion ${name}` && part) {
      parts.push(dedent(part));
      part = undefined;
    } else if (part && !REGION_LINE.test(t)) part.push(line);
  }
  const region = parts.length ? parts.join("\n\n") : undefined;
  if (region && /\\`|\\\$\{/.test(region)) {
    throw new Error(
      `region "${name}" holds \\\` or \\\${: it is the escaped text of a template string, which a reader's ` +
        "copy would not compile; move the example into a file of its own",
    );
  }
  return region;
}

/** Reads a file relative to the root, or undefined when there is none. */
export type ReadSource = (file: string) => string | undefined;

function regionOf(marker: Marker, read: ReadSource): string | undefined {
  const source = read(marker.file);
  return source === undefined ? undefined : readRegion(source, marker.region);
}

/** The markdown with every marked block replaced by its region (blocks whose region is missing stay). */
export function rewrite(markdown: string, read: ReadSource): string {
  const lines = markdown.split("\n");
  for (const block of parseBlocks(markdown).reverse()) {
    const region = block.marker && regionOf(block.marker, read);
    if (region === undefined) continue;
    const body = region.split("\n").map((l) => (l ? block.indent + l : ""));
    lines.splice(block.start, block.end - block.start, ...body);
  }
  return lines.join("\n");
}

export interface DocContext {
  read: ReadSource;
  /** True when the file or folder exists, relative to the root. */
  exists: (file: string) => boolean;
  /** True when git ignores the path: what a build or a run writes (dist/, images/local.env, reports/). */
  ignored: (file: string) => boolean;
  /** Every file of the repository that git does not ignore, relative to the root. */
  files: string[];
  /** npm scripts of package.json. */
  scripts: Set<string>;
  /** package.json's version, and the Node version its engines field requires (22.22 for ">=22.22"). */
  version: string;
  node: string;
  /** The default image of every service's every flavour (postgres:15-alpine, ...). */
  images: string[];
  /** The CLI's usage text (src/cli.ts USAGE). */
  usage: string;
  /** The package's code: every source file under src/, fixtures/*.ts and jest-preset.js, concatenated. */
  sourceText: string;
  /** Testcontainers' code, for the names of its env vars (TESTCONTAINERS_*, RYUK_*). */
  testcontainersText: string;
  /**
   * The first name of a member path of `env` (["context", "mongo", "transactions"]) that its type does
   * not have, or undefined when it has them all or the path leaves the package's own types (a pg Pool).
   */
  missingEnvMember: (names: string[]) => string | undefined;
}

/** The changes between versions: checked like the docs, but for the names of the API. */
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

/** 1-based numbers of the lines outside fenced blocks (with the fences). */
function proseLines(markdown: string): number[] {
  const inBlock = new Set(parseBlocks(markdown).flatMap((b) => range(b.start - 1, b.end + 1)));
  return range(0, markdown.split("\n").length)
    .filter((i) => !inBlock.has(i))
    .map((i) => i + 1);
}

const range = (from: number, to: number) =>
  Array.from({ length: Math.max(0, to - from) }, (_, i) => from + i);

/** GitHub's anchor of each heading of a markdown file (a repeated heading gets -1, -2, ...). */
export function anchors(markdown: string): Set<string> {
  const lines = markdown.split("\n");
  const seen = new Map<string, number>();
  const result = new Set<string>();
  for (const n of proseLines(markdown)) {
    const heading = /^#{1,6}\s+(.*?)\s*#*\s*$/.exec(lines[n - 1]);
    if (!heading) continue;
    const slug = heading[1]
      .toLowerCase()
      .replace(/[^\p{L}\p{N}\s_-]/gu, "")
      .replace(/\s/g, "-");
    const count = seen.get(slug) ?? 0;
    seen.set(slug, count + 1);
    result.add(count ? `${slug}-${count}` : slug);
  }
  return result;
}

/** The relative links of a markdown file's prose: [text](target) with its line, target as written. */
export function relativeLinks(markdown: string): { line: number; target: string }[] {
  const lines = markdown.split("\n");
  return proseLines(markdown).flatMap((line) =>
    [...lines[line - 1].matchAll(/\]\(([^)\s]+)\)/g)]
      .map((m) => m[1])
      .filter((target) => !/^[a-z][a-z0-9+.-]*:/i.test(target))
      .map((target) => ({ line, target })),
  );
}

/** What is wrong in one markdown file, as "file:line: problem; fix" lines. */
export function checkMarkdown(file: string, markdown: string, ctx: DocContext): string[] {
  const problems: string[] = [];
  const at = (line: number, text: string) => problems.push(`${file}:${line}: ${text}`);
  const blocks = parseBlocks(markdown);

  for (const block of blocks) {
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
      block.body
        .split("\n")
        .forEach((text, i) => checkShellLine(text, (t) => at(block.line + 1 + i, t), ctx));
    } else if (block.lang === "json") {
      let json: { scripts?: Record<string, unknown> };
      try {
        json = JSON.parse(block.body) as typeof json;
      } catch (error) {
        at(block.line, `this json block does not parse (${(error as Error).message}): fix it`);
        continue;
      }
      // A package.json's scripts are shell lines: their CLI commands must exist as a sh block's do (their
      // npm run names are the consumer's own scripts).
      const lines = block.body.split("\n");
      for (const script of Object.values(json.scripts ?? {})) {
        if (typeof script !== "string") continue;
        const i = lines.findIndex((l) => l.includes(JSON.stringify(script)));
        const line = script.replace(/\bnpm run [\w:.-]+/g, "");
        checkShellLine(line, (t) => at(block.line + 1 + i, t), ctx);
      }
    }
    if (!block.marker) continue;
    const { file: source, region, line } = block.marker;
    const text = ctx.read(source);
    let expected: string | undefined;
    try {
      expected = text === undefined ? undefined : readRegion(text, region);
    } catch (error) {
      at(line, `${source}: ${(error as Error).message}`);
      continue;
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

  // A marker must sit right above a block, or the block it was meant for is unchecked.
  const marked = new Set(blocks.flatMap((b) => (b.marker ? [b.marker.line] : [])));
  markdown.split("\n").forEach((text, i) => {
    if (MARKER.test(text) && !marked.has(i + 1))
      at(i + 1, "this example marker is not followed by a fenced block");
  });

  // Env var names must exist in the code, as the full name or as the suffix the code appends to the prefix.
  markdown.split("\n").forEach((text, i) => {
    for (const [name] of text.matchAll(/CAMPAIGN_TESTENV_[A-Z_]+/g)) {
      const suffix = name.slice("CAMPAIGN_TESTENV_".length);
      const known =
        ctx.sourceText.includes(name) ||
        new RegExp(`(?<![A-Z0-9_])_?${suffix}(?![A-Z0-9_])`).test(ctx.sourceText);
      if (!known) at(i + 1, `${name} is not read anywhere in src/: fix the name or remove it`);
    }
    for (const [name] of text.matchAll(/\b(?:TESTCONTAINERS|RYUK)_[A-Z_]+/g)) {
      if (!ctx.testcontainersText.includes(name)) {
        at(i + 1, `${name} is not an env var of Testcontainers: fix the name or remove it`);
      }
    }
  });
  checkVersions(markdown, at, ctx);
  checkProse(file, markdown, at, ctx);
  return problems;
}

type At = (line: number, text: string) => void;

/** Versions, on every line (a shell block names a tarball, an output block the images). */
function checkVersions(markdown: string, at: At, ctx: DocContext): void {
  const repository = (image: string) => image.slice(0, image.lastIndexOf(":"));
  markdown.split("\n").forEach((text, i) => {
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

/** Links and backticked paths to files, and backticked names of the API, in the prose. */
function checkProse(doc: string, markdown: string, at: At, ctx: DocContext): void {
  const lines = markdown.split("\n");
  for (const { line, target } of relativeLinks(markdown)) {
    const [pathPart, anchor] = target.split("#");
    const linked = pathPart ? path.posix.normalize(path.posix.join(path.posix.dirname(doc), pathPart)) : doc;
    if (!ctx.exists(linked)) {
      at(line, `the link to ${target} names ${linked}, which does not exist: fix the link`);
    } else if (anchor !== undefined && linked.endsWith(".md") && !anchors(ctx.read(linked)!).has(anchor)) {
      at(line, `the link to ${target}: ${linked} has no heading with the anchor #${anchor}; fix the link`);
    }
  }
  for (const n of proseLines(markdown)) {
    const text = lines[n - 1];
    const ticked = [...text.matchAll(/`([^`]+)`/g)].map((m) => m[1]);
    const named = ticked.flatMap((token) => {
      const file = repoPath(token, doc, ctx);
      return file && ctx.exists(file) ? [file] : [];
    });
    for (const token of ticked) {
      const file = repoPath(token, doc, ctx);
      if (file && !ctx.exists(file) && !ctx.ignored(file) && !PLACEHOLDER.test(file)) {
        at(n, `\`${token}\` names ${file}, which is not in the repository: fix the path`);
      }
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
        at(n, `\`${token}\`: ${missing} is no member there (TestEnvironment's type in src/): fix the path`);
        continue;
      }
      const known = token.startsWith("env.")
        ? new RegExp(`\\b(?:get\\s+)?${name}\\??\\s*[:(]`).test(ctx.sourceText)
        : new RegExp(`\\b${name}\\b`).test(ctx.sourceText) ||
          FOREIGN_NAMES.has(name) ||
          named.some((f) => new RegExp(`\\b${name}\\b`).test(ctx.read(f) ?? ""));
      if (!known) {
        at(
          n,
          `\`${token}\`: ${name} is no name of the package's code (src/, fixtures/, jest-preset.js) nor of a file ` +
            "named on this line: fix the name",
        );
      }
    }
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
  if (/[\s<>*{}$:~'"(),=]|^[./]|\.\.\./.test(file)) return undefined;
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

/** README.md, CHANGELOG.md, docs/**\/*.md and images/README.md, relative to the root. */
export function docFiles(root = ROOT): string[] {
  const docs = readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join("docs", f))
    .sort();
  return ["README.md", CHANGELOG, ...docs, "images/README.md"];
}

/** The files under `dir` (relative to the root) that `ignored` lets through; .git left out. */
function filesUnder(root: string, ignored: (file: string) => boolean, dir = ""): string[] {
  return readdirSync(path.join(root, dir), { withFileTypes: true }).flatMap((entry) => {
    const file = dir ? `${dir}/${entry.name}` : entry.name;
    if (entry.name === ".git" || ignored(file)) return [];
    return entry.isDirectory() ? filesUnder(root, ignored, file) : [file];
  });
}

/** A .gitignore's patterns as a test of a path: `dir/` a folder, `*` any name part, else the path. */
export function gitIgnored(gitignore: string): (file: string) => boolean {
  const lines = gitignore
    .split("\n")
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith("#"));
  const patterns = lines.map((l) => {
    const body = l
      .replace(/^\//, "")
      .replace(/\/$/, "")
      .replace(/[.+?^${}()|[\]\\]/g, "\\$&")
      .replace(/\*/g, "[^/]*");
    return new RegExp(`${l.includes("/") && !l.endsWith("/") ? "^" : "(^|/)"}${body}(/|$)`);
  });
  // The folder of a glob (bench/results/ for bench/results/*.json) holds only what a run writes.
  return (file) =>
    patterns.some((p) => p.test(file)) ||
    lines.some((l) => l.includes("*") && path.posix.dirname(l.replace(/^\//, "")) === file);
}

/** Every file under `dir` (relative to the root) whose name ends with one of `endings`, as text. */
function textOf(root: string, dir: string, endings: string[]): string {
  return readdirSync(path.join(root, dir), { recursive: true, encoding: "utf8" })
    .filter((f) => endings.some((e) => f.endsWith(e)))
    .map((f) => readFileSync(path.join(root, dir, f), "utf8"))
    .join("\n");
}

/**
 * ctx.missingEnvMember, by TypeScript's checker on `env: TestEnvironment<ServiceName>` (every service's
 * context present); the program is built on first use only.
 */
function envMembers(root: string): DocContext["missingEnvMember"] {
  let type: ts.Type | undefined;
  let checker: ts.TypeChecker;
  const src = path.join(root, "src") + path.sep;
  const own = (t: ts.Type) =>
    t
      .getProperties()
      .some((p) => p.declarations?.some((d) => path.resolve(d.getSourceFile().fileName).startsWith(src)));
  return (names) => {
    if (!type) {
      const file = path.join(root, "src", "doc-env.ts");
      const text =
        'import type { TestEnvironment } from "./index";\nimport type { ServiceName } from "./services";\n' +
        "export declare const env: TestEnvironment<ServiceName>;\n";
      const config = ts.getParsedCommandLineOfConfigFile(
        path.join(root, "tsconfig.json"),
        {},
        {
          ...ts.sys,
          onUnRecoverableConfigFileDiagnostic: () => undefined,
        },
      )!;
      const host = ts.createCompilerHost(config.options);
      const read = host.getSourceFile.bind(host);
      host.getSourceFile = (name, target, ...rest) =>
        path.resolve(name) === file ? ts.createSourceFile(name, text, target) : read(name, target, ...rest);
      const program = ts.createProgram([file], config.options, host);
      checker = program.getTypeChecker();
      const env = checker.getExportsOfModule(checker.getSymbolAtLocation(program.getSourceFile(file)!)!)[0];
      type = checker.getTypeOfSymbol(env);
    }
    let current = type;
    for (const name of names) {
      if (!own(current)) return undefined;
      const member = checker.getPropertyOfType(current, name);
      if (!member) return name;
      current = checker.getNonNullableType(checker.getTypeOfSymbol(member));
    }
    return undefined;
  };
}

export function docContext(root = ROOT): DocContext {
  const read: ReadSource = (file) => {
    const full = path.join(root, file);
    return existsSync(full) ? readFileSync(full, "utf8") : undefined;
  };
  const pkg = JSON.parse(read("package.json")!) as {
    version: string;
    engines: { node: string };
    scripts: Record<string, string>;
  };
  // Read as text: importing src/cli.ts would run the CLI.
  const usage = /const USAGE = `([^`]*)`/.exec(read("src/cli.ts")!)?.[1];
  if (!usage) throw new Error("src/cli.ts has no USAGE template string; update scripts/doc-examples.ts");
  const node = /^>=\s*(\d+(?:\.\d+)*)$/.exec(pkg.engines.node)?.[1];
  if (!node) throw new Error(`package.json's engines.node is not ">=X.Y"; update scripts/doc-examples.ts`);
  const testcontainers = path.dirname(require.resolve("testcontainers/package.json", { paths: [root] }));
  const ignored = gitIgnored(read(".gitignore") ?? "");
  return {
    read,
    exists: (file) => existsSync(path.join(root, file)),
    ignored,
    files: filesUnder(root, ignored),
    scripts: new Set(Object.keys(pkg.scripts)),
    version: pkg.version,
    node,
    images: Object.values(SERVICES).flatMap((s) =>
      Object.values<{ image: string }>(s.flavours).map((f) => f.image),
    ),
    usage,
    sourceText: [
      textOf(root, "src", [".ts"]),
      textOf(root, "fixtures", [".ts"]),
      read("jest-preset.js"),
    ].join("\n"),
    testcontainersText: textOf(root, path.relative(root, path.join(testcontainers, "build")), [".js"]),
    missingEnvMember: envMembers(root),
  };
}

export function checkDocs(root = ROOT): string[] {
  const ctx = docContext(root);
  return docFiles(root).flatMap((file) => checkMarkdown(file, ctx.read(file)!, ctx));
}

/** Rewrites the marked blocks of every doc from their regions; returns the files it changed. */
export function writeDocs(root = ROOT): string[] {
  const { read } = docContext(root);
  return docFiles(root).filter((file) => {
    const before = read(file)!;
    const after = rewrite(before, read);
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
