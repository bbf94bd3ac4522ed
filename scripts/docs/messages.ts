// The package's messages as the docs quote them. A quote (a code span, or a line of output, starting
// "campaign-testenv: " or "campaign-testenv <command>: ") must match a message: one line of it, or all
// of it on one line. The messages come from the code: every string or template literal of src/ that
// starts with "campaign-testenv", with `a + b` joined, `c ? x : y` giving both texts, a const read
// through, and any other `${...}` written `${}`. Either side's variable parts stand for any text: the
// code's `${}`, and the docs' `...` and placeholders N, M, P, X, FILE, NAME, DIR. At least MIN_OWN
// characters of the message's own text after its start must be in the quote.
import ts from "typescript";

const HOLE = "${}";
/** The start of a quote of the package's message: `campaign-testenv: ...`, `campaign-testenv up: ...`. */
export const QUOTE = /^campaign-testenv(?: [a-z-]+)?: /;
const DOC_HOLES = /\.\.\.|…|\b(?:[NMPX]|FILE|NAME|DIR)\b/;
/** The characters of its own text that a message has, and that a quote of it shares, at least. */
const MIN_OWN = 10;
/** Above this many texts, a choice in a message stands for any text. */
const MAX_TEXTS = 64;

/** The package's messages in `sources` (the texts of its .ts files), a `${}` for each variable part. */
export function messagesOf(sources: string[]): string[] {
  const files = sources.map((text, i) => ts.createSourceFile(`${i}.ts`, text, ts.ScriptTarget.Latest, true));
  // Constants shared between files (ENV_PREFIX): upper-case names given a value at a file's top level.
  const shared = new Map<string, ts.Expression>();
  for (const file of files) {
    for (const s of file.statements) {
      for (const [name, value] of consts(s)) if (/^[A-Z_]+$/.test(name)) shared.set(name, value);
    }
  }
  const messages = new Set<string>();
  const visit = (node: ts.Node): void => {
    if ((isText(node) || isSum(node)) && !partOfText(node)) {
      for (const text of texts(node, shared)) if (isMessage(text)) messages.add(text);
    }
    ts.forEachChild(node, visit);
  };
  files.forEach(visit);
  return [...messages];
}

const isText = (node: ts.Node): node is ts.Expression =>
  ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node) || ts.isTemplateExpression(node);

const isSum = (node: ts.Node): node is ts.BinaryExpression =>
  ts.isBinaryExpression(node) && node.operatorToken.kind === ts.SyntaxKind.PlusToken;

/** A message has text of its own after its start: `campaign-testenv: ${none}` would match any quote. */
const isMessage = (text: string) =>
  text.startsWith("campaign-testenv") && text.replace(/^[^:]*: /, "").replaceAll(HOLE, "").length >= MIN_OWN;

/** True for a piece of a longer text (`"a" + b`), which is read as part of it. */
const partOfText = (node: ts.Node): boolean =>
  isSum(node.parent) || (ts.isParenthesizedExpression(node.parent) && partOfText(node.parent));

/** The `const NAME = value` declarations of a statement. */
function consts(statement: ts.Node): [string, ts.Expression][] {
  if (!ts.isVariableStatement(statement) || !(statement.declarationList.flags & ts.NodeFlags.Const))
    return [];
  return statement.declarationList.declarations.flatMap((d) =>
    ts.isIdentifier(d.name) && d.initializer ? [[d.name.text, d.initializer] as [string, ts.Expression]] : [],
  );
}

/** The value of the const a name refers to, in its own scopes first; undefined if a parameter hides it. */
function constValue(name: ts.Identifier, shared: Map<string, ts.Expression>): ts.Expression | undefined {
  for (let scope: ts.Node = name.parent; !ts.isSourceFile(scope); scope = scope.parent) {
    if (ts.isFunctionLike(scope) && scope.parameters.some((p) => p.name.getText() === name.text)) return;
    if (!ts.isBlock(scope)) continue;
    const found = scope.statements.flatMap(consts).find(([n]) => n === name.text);
    if (found) return found[1];
  }
  const file = name
    .getSourceFile()
    .statements.flatMap(consts)
    .find(([n]) => n === name.text);
  return file?.[1] ?? shared.get(name.text);
}

/** Every text an expression can have, with `${}` for the parts it cannot tell. */
function texts(node: ts.Expression, shared: Map<string, ts.Expression>, depth = 0): string[] {
  const of = (e: ts.Expression) => texts(e, shared, depth + 1);
  const join = (heads: string[], tails: string[]) =>
    heads.length * tails.length > MAX_TEXTS
      ? heads.map((h) => h + HOLE)
      : heads.flatMap((h) => tails.map((t) => h + t));
  if (depth > 8) return [HOLE];
  if (ts.isStringLiteral(node) || ts.isNoSubstitutionTemplateLiteral(node)) return [node.text];
  if (ts.isParenthesizedExpression(node)) return of(node.expression);
  if (ts.isConditionalExpression(node)) return [...of(node.whenTrue), ...of(node.whenFalse)];
  if (isSum(node)) return join(of(node.left), of(node.right));
  if (ts.isTemplateExpression(node)) {
    return node.templateSpans.reduce(
      (heads, span) => join(join(heads, of(span.expression)), [span.literal.text]),
      [node.head.text],
    );
  }
  const value = ts.isIdentifier(node) ? constValue(node, shared) : undefined;
  return value ? of(value) : [HOLE];
}

/** Old names the code refuses, to the new ones: from its "X was renamed Y" messages. */
export function renamesOf(messages: string[]): Map<string, string> {
  const names = (text: string) => text.match(/\b(?:[a-z]+[A-Z]\w*|[A-Z][A-Z0-9]*(?:_[A-Z0-9]+)+)\b/g) ?? [];
  const renames = new Map<string, string>();
  for (const message of messages) {
    const found = /^campaign-testenv: (.*?) was renamed ([^;]*)/.exec(message);
    if (!found) continue;
    const [old, now] = [names(found[1]), names(found[2])];
    old.forEach((name, i) => renames.set(name, old.length === now.length ? now[i] : found[2]));
  }
  return renames;
}

/** A text as characters, -1 for each part that stands for any text; white space as one space. */
function pattern(text: string, holes: RegExp | string): number[] {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .split(holes)
    .flatMap((part, i) => [...(i ? [-1] : []), ...[...part].map((c) => c.codePointAt(0)!)]);
}

/**
 * How many characters of `a` and `b` pair as the same text, at most, when a -1 in either stands for any
 * text; -1 when no text is both.
 */
function paired(a: number[], b: number[]): number {
  // row[j]: the pairs of a[0..i) against b[0..j). A hole that ends either part may also take in the
  // other's next character.
  let row = [0];
  for (let j = 1; j <= b.length; j++) row[j] = b[j - 1] === -1 ? row[j - 1] : -1;
  for (let i = 1; i <= a.length; i++) {
    const next = [a[i - 1] === -1 ? row[0] : -1];
    for (let j = 1; j <= b.length; j++) {
      const hole = a[i - 1] === -1 || b[j - 1] === -1;
      const pair = row[j - 1] < 0 || hole ? row[j - 1] : a[i - 1] === b[j - 1] ? row[j - 1] + 1 : -1;
      next[j] = hole ? Math.max(pair, row[j], next[j - 1]) : pair;
    }
    row = next;
  }
  return row[b.length];
}

/** How many characters the two texts have in common, in the same order (their longest common subsequence). */
function common(a: string, b: string): number {
  let row: number[] = new Array(b.length + 1).fill(0);
  for (let i = 1; i <= a.length; i++) {
    const next = [0];
    for (let j = 1; j <= b.length; j++) {
      next[j] = a[i - 1] === b[j - 1] ? row[j - 1] + 1 : Math.max(row[j], next[j - 1]);
    }
    row = next;
  }
  return row[b.length];
}

/**
 * The message closest to a quote (by the share of characters they have in common), or undefined when
 * the quote matches one. MIN_OWN keeps a message that starts with a variable part from matching any
 * quote that ends in `...`.
 */
export function closestMessage(quote: string, messages: string[]): string | undefined {
  const texts = messages.flatMap((m) => {
    const lines = m.split("\n");
    return lines.length > 1 ? [...lines, lines.join(" ")] : lines;
  });
  const doc = pattern(quote, DOC_HOLES);
  const start = QUOTE.exec(quote)?.[0].length ?? 0;
  if (texts.some((text) => paired(doc, pattern(text, HOLE)) >= start + MIN_OWN)) return undefined;
  const shown = texts.map((text) => text.replaceAll(HOLE, "..."));
  const share = shown.map((text) => (2 * common(quote, text)) / (quote.length + text.length));
  return shown[share.indexOf(Math.max(...share))] ?? "(none)";
}
