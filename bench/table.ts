// The bench's table: what each section hands back (its rows, each judged by the target beside it, and its
// data for the JSON file), and the one writer that lines the rows up.

/** [what, measured, target, met (undefined: no target)] */
export type Row = [string, string, string, boolean | undefined];

/** What one section measured. */
export interface SectionResult {
  rows: Row[];
  /** Written to bench/results/<timestamp>.json under the section's name. */
  data: unknown;
  /** How many samples the rows stand on, for the table's footnote ("3 runs of each side"). */
  samples: string;
}

/** Milliseconds as a reader wants them: "12.3 ms", "4.56 s". */
export const ms = (n: number): string => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);

/** `a` as a multiple of `b`: "1.38x". */
export const times = (a: number, b: number): string => `${(a / b).toFixed(2)}x`;

/** The rows as a Markdown table, every column padded to its widest cell. */
export function table(rows: Row[]): string {
  const cells = rows.map(([what, measured, target, met]) => [
    what,
    measured,
    target,
    met === undefined ? "" : met ? "yes" : "NO",
  ]);
  const header = ["what", "measured", "target", "met"];
  const width = header.map((_, c) => Math.max(...cells.map((r) => r[c].length), c < 3 ? 8 : 3));
  const line = (row: string[]) => `| ${row.map((cell, c) => cell.padEnd(width[c])).join(" | ")} |`;
  return [line(header), line(width.map((w) => "-".repeat(w))), ...cells.map(line)].join("\n");
}
