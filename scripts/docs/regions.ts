// The docs' ts/js blocks are regions of tests: `// #region NAME` ... `// #endregion NAME` of the file
// that the marker line <!-- example: FILE#NAME --> above the block names.
import { parseMarkdown } from "./markdown";

const REGION_LINE = /^\/\/ #(?:end)?region \S+$/;

/** Removes the indentation common to the non-blank lines. */
function dedent(lines: string[]): string {
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

/** The markdown with every marked block replaced by its region (blocks whose region is missing stay). */
export function rewrite(markdown: string, read: ReadSource): string {
  const lines = markdown.split("\n");
  for (const block of parseMarkdown(markdown).blocks.reverse()) {
    const source = block.marker && read(block.marker.file);
    const region = source === undefined ? undefined : readRegion(source, block.marker!.region);
    if (region === undefined) continue;
    const body = region.split("\n").map((l) => (l ? block.indent + l : ""));
    lines.splice(block.start, block.end - block.start, ...body);
  }
  return lines.join("\n");
}
