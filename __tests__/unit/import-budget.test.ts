// Importing the package in a test file is light and changes nothing in the process: no driver, no
// Testcontainers, no AWS SDK and no signal listener until a test uses them. Measured on a fresh build
// of the sources, in a process of its own, against loading Testcontainers alone in the same way (a
// ratio measured side by side: these machines are shared and noisy).
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import path from "node:path";
import { packageRoot } from "../../src/paths";

/** Within the repository, so that the build finds the package's node_modules and package.json. */
let build: string;
beforeAll(() => {
  const cache = path.join(packageRoot, "node_modules", ".cache"); // absent in a fresh install
  mkdirSync(cache, { recursive: true });
  build = mkdtempSync(path.join(cache, "campaign-testenv-import-"));
  const tsc = path.join(packageRoot, "node_modules", "typescript", "bin", "tsc");
  execFileSync(process.execPath, [
    tsc,
    "-p",
    path.join(packageRoot, "tsconfig.build.json"),
    "--outDir",
    build,
  ]);
}, 120_000);
afterAll(() => rmSync(build, { recursive: true, force: true }));

/**
 * What requiring `module` (then running `then`, with `loaded` bound to it) costs in a fresh process:
 * modules loaded, milliseconds, packages, listeners.
 */
function load(module: string, then = "") {
  // The build sits under node_modules/.cache: its own files are not a package's.
  const script = `
    const signals = ["SIGINT", "SIGTERM", "SIGHUP", "exit"];
    const listeners = () => signals.map((s) => process.listenerCount(s));
    const before = listeners();
    const started = performance.now();
    const loaded = require(${JSON.stringify(module)});
    ${then}
    const ms = performance.now() - started;
    const files = Object.keys(require.cache).filter((f) => !f.startsWith(${JSON.stringify(build)}));
    const own = Object.keys(require.cache).length - files.length;
    const packages = [...new Set(files.map((f) => /node_modules\\/((@[^/]+\\/)?[^/]+)/.exec(f)?.[1]).filter(Boolean))];
    console.log(JSON.stringify({ modules: own + files.length, ms, packages, added: listeners().map((n, i) => n - before[i]) }));`;
  return JSON.parse(
    execFileSync(process.execPath, ["-e", script], { cwd: packageRoot, encoding: "utf8" }),
  ) as {
    modules: number;
    ms: number;
    packages: string[];
    added: number[];
  };
}

test("import campaign-testenv: under 100 modules, no heavy package, no listener, a fraction of Testcontainers' time", () => {
  const entry = path.join(build, "src", "index.js");
  // The lowest of three runs each: the machine's noise only ever adds.
  const ours = [load(entry), load(entry), load(entry)].sort((a, b) => a.ms - b.ms)[0];
  const theirs = [load("testcontainers"), load("testcontainers"), load("testcontainers")].sort(
    (a, b) => a.ms - b.ms,
  )[0];
  expect(ours.packages).toEqual([]); // the package's own modules only (and Node's)
  expect(ours.added).toEqual([0, 0, 0, 0]);
  expect(ours.modules).toBeLessThan(100);
  expect(theirs.modules).toBeGreaterThan(500); // what a test file no longer loads
  expect(ours.ms).toBeLessThan(theirs.ms / 4);
}, 60_000);

// A reuse finds the running containers by the hash of every service's inputs: the AWS spec among them.
// Reading it must not load the AWS SDK (about 70 ms of a reuse's 100 ms budget), nor any driver.
test("reuse's fingerprints of every service load no driver and no AWS SDK", () => {
  const { packages } = load(
    path.join(build, "src", "reuse.js"),
    `const { resolveOptions } = require(${JSON.stringify(path.join(build, "src", "options.js"))});
     const options = resolveOptions({}, {});
     for (const name of options.services) loaded.reuseInputs(name, options);`,
  );
  const drivers = ["pg", "mongodb", "ioredis"];
  expect(packages.filter((p) => p.startsWith("@aws-sdk/") || drivers.includes(p))).toEqual([]);
}, 60_000);
