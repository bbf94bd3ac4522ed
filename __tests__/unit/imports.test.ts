// The module graph of src/ has no cycle, counting type-only imports: a cycle is how a layer starts
// leaning on the one above it. Read from the source text, so it needs nothing built.
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";

const src = path.join(__dirname, "..", "..", "src");
const IMPORT = /(?:^|\n)\s*(?:import|export)\s[^;]*?from\s+"(\.[^"]+)"|import\("(\.[^"]+)"\)/g;

function sourceFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourceFiles(full);
    return entry.name.endsWith(".ts") ? [full] : [];
  });
}

/** The file a relative specifier names: X.ts or X/index.ts. Files outside src/ are leaves here. */
function resolve(from: string, specifier: string, files: Set<string>): string | undefined {
  const base = path.resolve(path.dirname(from), specifier);
  return [`${base}.ts`, path.join(base, "index.ts")].find((candidate) => files.has(candidate));
}

function importGraph(root: string): Map<string, string[]> {
  const files = sourceFiles(root);
  const known = new Set(files);
  return new Map(
    files.map((file) => {
      const text = readFileSync(file, "utf8");
      const targets = [...text.matchAll(IMPORT)]
        .map((m) => resolve(file, m[1] ?? m[2], known))
        .filter((t): t is string => t !== undefined);
      return [file, [...new Set(targets)]];
    }),
  );
}

/** Every cycle's path, found by depth-first search (each cycle reported once, from its first file). */
function cycles(graph: Map<string, string[]>): string[][] {
  const found: string[][] = [];
  const done = new Set<string>();
  const visit = (file: string, trail: string[]) => {
    const at = trail.indexOf(file);
    if (at !== -1) return void found.push([...trail.slice(at), file]);
    if (done.has(file)) return;
    for (const next of graph.get(file) ?? []) visit(next, [...trail, file]);
    done.add(file);
  };
  for (const file of graph.keys()) visit(file, []);
  return found;
}

test("src/ has no import cycle, type-only imports included", () => {
  const readable = cycles(importGraph(src)).map((cycle) =>
    cycle.map((f) => path.relative(src, f)).join(" -> "),
  );
  expect(readable).toEqual([]);
});

test("the cycle finder sees a cycle through a type-only import", () => {
  const graph = new Map([
    ["a.ts", ["b.ts"]],
    ["b.ts", ["c.ts"]],
    ["c.ts", ["a.ts"]],
    ["d.ts", ["a.ts"]],
  ]);
  expect(cycles(graph)).toEqual([["a.ts", "b.ts", "c.ts", "a.ts"]]);
  expect([...'import type { X } from "./x";'.matchAll(IMPORT)].map((m) => m[1])).toEqual(["./x"]);
});
