// What the docs check reads of a markdown file, from markdown-it's tokens: the fenced blocks (with the
// example marker above each), the inline code spans and links with their lines, and GitHub's anchors.
import GithubSlugger from "github-slugger";
import MarkdownIt from "markdown-it";

type Token = MarkdownIt.Token;
// html: the example markers are HTML comments, which must come out as blocks of their own.
const parser = new MarkdownIt({ html: true });
const MARKER = /^<!-- example: (\S+)#(\S+) -->$/;

interface Marker {
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

/** An inline code span's text, or a link's target as written, with its 1-based line. */
export interface Inline {
  line: number;
  text: string;
}

interface Markdown {
  blocks: Block[];
  /** Lines of example markers that no fenced block follows. */
  strayMarkers: number[];
  spans: Inline[];
  links: Inline[];
  headings: string[];
}

const marker = (token?: Token) => (token?.type === "html_block" ? MARKER.exec(token.content.trim()) : null);

export function parseMarkdown(markdown: string): Markdown {
  const lines = markdown.split("\n");
  const result: Markdown = { blocks: [], strayMarkers: [], spans: [], links: [], headings: [] };
  const tokens = parser.parse(markdown, {});
  let map = [0, 0]; // the lines of the last block: a table cell's inline token has none of its own
  tokens.forEach((token, i) => {
    map = token.map ?? map;
    if (marker(token) && tokens[i + 1]?.type !== "fence") result.strayMarkers.push(map[0] + 1);
    if (token.type === "fence") {
      const found = marker(tokens[i - 1]);
      const start = map[0] + 1;
      result.blocks.push({
        lang: token.info.trim().split(/\s+/)[0],
        line: start,
        indent: /^\s*/.exec(lines[map[0]])![0],
        start,
        end: start + token.content.split("\n").length - 1,
        body: token.content.replace(/\n$/, ""),
        marker: found ? { file: found[1], region: found[2], line: tokens[i - 1].map![0] + 1 } : undefined,
      });
    } else if (token.type === "inline") {
      if (tokens[i - 1].type === "heading_open") result.headings.push(plainText(token.children!));
      readInline(token, map[0] + 1, result);
    }
  });
  return result;
}

/** The text a heading shows, which GitHub's anchor is made of. */
const plainText = (children: Token[]) =>
  children
    .filter((t) => ["text", "text_special", "code_inline"].includes(t.type))
    .map((t) => t.content)
    .join("");

/**
 * The code spans and links of a paragraph (or table cell) starting at `line`. Tokens carry no line of
 * their own: line breaks are counted, and so are those inside a code span, found in the source text.
 */
function readInline(inline: Token, line: number, out: Markdown): void {
  let pos = 0;
  const walk = (children: Token[]) => {
    for (const token of children) {
      if (token.type === "softbreak" || token.type === "hardbreak") line++;
      else if (token.type === "html_inline") line += token.content.split("\n").length - 1;
      else if (token.type === "link_open" || token.type === "image") {
        const target = parser.normalizeLinkText(String(token.attrGet("href") ?? token.attrGet("src")));
        if (!/^[a-z][a-z0-9+.-]*:/i.test(target)) out.links.push({ line, text: target });
        walk(token.children ?? []);
      } else if (token.type === "code_inline") {
        out.spans.push({ line, text: token.content });
        // markdown-it wrote each line break of the span as a space.
        const body = token.content.replace(/[.*+?^${}()|[\]\\]/g, "\\$&").replace(/ /g, "[ \\n]");
        const source = new RegExp(`${token.markup}[ \\n]?${body}[ \\n]?${token.markup}`, "g");
        source.lastIndex = pos;
        const found = source.exec(inline.content);
        if (found) {
          line += found[0].split("\n").length - 1;
          pos = source.lastIndex;
        }
      }
    }
  };
  walk(inline.children ?? []);
}

/** GitHub's anchor of each heading of a markdown file (a repeated heading gets -1, -2, ...). */
export function anchors(markdown: string): Set<string> {
  const slugger = new GithubSlugger();
  return new Set(parseMarkdown(markdown).headings.map((heading) => slugger.slug(heading)));
}

/** The relative links of a markdown file's prose, with their lines. */
export const relativeLinks = (markdown: string) =>
  parseMarkdown(markdown).links.map(({ line, text }) => ({ line, target: text }));
