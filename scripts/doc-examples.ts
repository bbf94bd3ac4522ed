// Documentation examples come from tests. Each ts/js block of the docs is preceded by a marker line
//   <!-- example: __tests__/examples/FILE.test.ts#NAME -->
// and its text is the region `// #region NAME` ... `// #endregion NAME` of that test, which runs it.
// One parser serves both sides: __tests__/unit/docs.test.ts calls checkDocs, and
// `npm run docs:examples` (this file run as a script) calls writeDocs to copy the regions into the docs.
import { existsSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";

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
 * blank line. Region comments of other, nested regions are left out.
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
  return parts.length ? parts.join("\n\n") : undefined;
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
  /** npm scripts of package.json. */
  scripts: Set<string>;
  /** The CLI's usage text (src/cli.ts USAGE). */
  usage: string;
  /** Every source file under src/, concatenated. */
  sourceText: string;
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
      try {
        JSON.parse(block.body);
      } catch (error) {
        at(block.line, `this json block does not parse (${(error as Error).message}): fix it`);
      }
    }
    if (!block.marker) continue;
    const { file: source, region, line } = block.marker;
    const text = ctx.read(source);
    const expected = text === undefined ? undefined : readRegion(text, region);
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
  });
  return problems;
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

/** README.md, docs/**\/*.md and images/README.md, relative to the root. */
export function docFiles(root = ROOT): string[] {
  const docs = readdirSync(path.join(root, "docs"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".md"))
    .map((f) => path.join("docs", f))
    .sort();
  return ["README.md", ...docs, "images/README.md"];
}

export function docContext(root = ROOT): DocContext {
  const read: ReadSource = (file) => {
    const full = path.join(root, file);
    return existsSync(full) ? readFileSync(full, "utf8") : undefined;
  };
  const pkg = JSON.parse(read("package.json")!) as { scripts: Record<string, string> };
  // Read as text: importing src/cli.ts would run the CLI.
  const usage = /const USAGE = `([^`]*)`/.exec(read("src/cli.ts")!)?.[1];
  if (!usage) throw new Error("src/cli.ts has no USAGE template string; update scripts/doc-examples.ts");
  const sourceText = readdirSync(path.join(root, "src"), { recursive: true, encoding: "utf8" })
    .filter((f) => f.endsWith(".ts"))
    .map((f) => read(path.join("src", f)))
    .join("\n");
  return { read, scripts: new Set(Object.keys(pkg.scripts)), usage, sourceText };
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
