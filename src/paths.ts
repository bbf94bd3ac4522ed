import { existsSync } from "node:fs";
import path from "node:path";

/** The folder holding this package's package.json, from src/ (ts-jest) and from dist/src/ alike. */
export const packageRoot = findPackageRoot(__dirname);

function findPackageRoot(from: string): string {
  let dir = from;
  while (!existsSync(path.join(dir, "package.json"))) {
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`campaign-testenv: no package.json above ${from}`);
    dir = parent;
  }
  return dir;
}
