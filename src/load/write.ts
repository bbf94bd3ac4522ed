import { mkdirSync, writeFileSync } from "node:fs";
import path from "node:path";
import { loadChart } from "./chart";
import { type LoadReport, reportTable } from "./report";

/**
 * Writes `<name>.json`, `<name>.svg` (the picture: see chart.ts) and `<name>.md` (the table, linking the
 * picture) into `dir`, created if missing, and returns their paths.
 */
export function writeLoadReport(
  report: LoadReport,
  dir: string,
  name = "load",
): { json: string; markdown: string; svg: string } {
  mkdirSync(dir, { recursive: true });
  const [json, markdown, svg] = ["json", "md", "svg"].map((ext) => path.join(dir, `${name}.${ext}`));
  writeFileSync(json, JSON.stringify(report, null, 2) + "\n");
  writeFileSync(svg, loadChart(report));
  writeFileSync(
    markdown,
    `${reportTable(report)}\n![${report.name}: p50, p95 and p99 per second, calls in flight](${name}.svg)\n`,
  );
  return { json, markdown, svg };
}
