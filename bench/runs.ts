// A test runner on a suite, end to end, as a user runs it: the clock starts with the command, and the
// suite's files say (in BENCH_SUITE_LOG, see bench/suite/reference.ts) when their first test started, how
// long their setup and reset took, and which of their reads collided with another file's.
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { AwsFlavour } from "../src";
import { packageRoot } from "../src/paths";
import { run } from "./lib";
import { flavourEnv, reuseEnv } from "./settings";

const jestBin = require.resolve("jest/bin/jest");
const vitestBin = path.join(packageRoot, "node_modules/vitest/vitest.mjs");
export const RUNNERS = {
  jest: (config: string) => [jestBin, "-c", config],
  vitest: (config: string) => [vitestBin, "run", "-c", config],
};
export type Runner = keyof typeof RUNNERS;

/** The package's own configs of the reference suite (bench/suite), which every runner side uses. */
export const SUITE_CONFIGS: Record<Runner, string> = {
  jest: "bench/suite/jest.config.ts",
  vitest: "bench/suite/vitest.config.mjs",
};

export interface SuiteEntry {
  file: string;
  firstTestAt: number;
  /** Loading pg, mongodb and ioredis in the file, before its setup. */
  driversMs?: number;
  setupMs?: number;
  resetMs?: number;
  /** The stores whose read held another file's data or lacked this file's own write. */
  collisions?: string[];
}

export interface SuiteRun {
  /** From the command's start to the first test's start. */
  firstTestMs: number;
  /** From the command's start to its exit. */
  wallMs: number;
  /** Each file's setup, in the order the files started. */
  setupMs: number[];
  driversMs: number[];
  resetMs: number[];
  /** Reads that collided, by store, over every file; the tests that had any, of all that logged. */
  collisions: Record<string, number>;
  collidedTests: number;
  tests: number;
}

export interface SuiteOptions {
  runner: Runner;
  config: string;
  env: NodeJS.ProcessEnv;
  /** When the clock started (a side that first brings its services up starts it earlier). */
  startedAt?: number;
  args?: string[];
  /**
   * Jest only: a run whose failed tests are exactly tests that counted a collision is measured, not
   * thrown (a suite with no isolation fails where files collide; that is what its rows report).
   */
  collisionsFail?: boolean;
}

const countBy = (keys: string[]) =>
  keys.reduce<Record<string, number>>((counts, key) => ({ ...counts, [key]: (counts[key] ?? 0) + 1 }), {});

/** The entries of the suite's log, in the order the files started. */
export function readSuiteLog(file: string): SuiteEntry[] {
  if (!existsSync(file)) return [];
  return readFileSync(file, "utf8")
    .trim()
    .split("\n")
    .filter(Boolean)
    .map((line) => JSON.parse(line) as SuiteEntry)
    .sort((a, b) => a.firstTestAt - b.firstTestAt);
}

/** Whether a failed Jest run's failures are all tests that counted a collision (and nothing else failed). */
export function onlyCollisionsFailed(report: string, entries: SuiteEntry[]): boolean {
  if (!existsSync(report)) return false;
  const { numRuntimeErrorTestSuites, testResults } = JSON.parse(readFileSync(report, "utf8")) as {
    numRuntimeErrorTestSuites: number;
    testResults: { assertionResults: { title: string; status: string }[] }[];
  };
  const collided = new Set(entries.filter((e) => e.collisions?.length).map((e) => e.file));
  const failed = testResults.flatMap((r) => r.assertionResults.filter((a) => a.status === "failed"));
  return (
    numRuntimeErrorTestSuites === 0 &&
    failed.length > 0 &&
    failed.every((a) => collided.has(a.title.split(":")[0]))
  );
}

export async function runSuite(options: SuiteOptions): Promise<SuiteRun> {
  const { runner, config, env, startedAt = Date.now(), args = [], collisionsFail = true } = options;
  const dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-bench-suite-"));
  const logFile = path.join(dir, "log.jsonl");
  const report = path.join(dir, "jest.json");
  try {
    const reportArgs = collisionsFail ? [] : ["--json", `--outputFile=${report}`];
    await run(process.execPath, [...RUNNERS[runner](config), ...args, ...reportArgs], {
      cwd: packageRoot,
      env: { ...env, BENCH_SUITE_LOG: logFile, CAMPAIGN_TESTENV_QUIET: "true" },
      maxBuffer: 16 << 20,
    }).catch((error: { stdout?: string; stderr?: string; message: string }) => {
      if (!collisionsFail && onlyCollisionsFailed(report, readSuiteLog(logFile))) return;
      const output = `${error.stdout ?? ""}${error.stderr ?? ""}`;
      throw new Error(`bench: ${runner} -c ${config} failed: ${error.message}\n${output.slice(-4000)}`);
    });
    const wallMs = Date.now() - startedAt;
    const entries = readSuiteLog(logFile);
    if (entries.length === 0) throw new Error(`bench: ${runner} -c ${config} ran no test that logged`);
    /** One time of every file that logged it (the floor's trivial tests log none). */
    const times = (key: "setupMs" | "driversMs" | "resetMs") =>
      entries.flatMap((e) => (e[key] === undefined ? [] : [e[key]]));
    return {
      firstTestMs: entries[0].firstTestAt - startedAt,
      wallMs,
      setupMs: times("setupMs"),
      driversMs: times("driversMs"),
      resetMs: times("resetMs"),
      collisions: countBy(entries.flatMap((e) => e.collisions ?? [])),
      collidedTests: entries.filter((e) => e.collisions?.length).length,
      tests: entries.length,
    };
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

export const SUITE_MODES = ["cold", "reuse"] as const;
export type Mode = (typeof SUITE_MODES)[number];

/**
 * Both flavours' reuse runs share the bench's one cache folder, as a user's runs share theirs: their
 * PostgreSQL, Mongo and Redis hash the same, and a run that finds such a container without its context
 * in its own folder replaces it, so one folder per flavour would time restarts, not reuse.
 */
export const modeEnv = (flavour: AwsFlavour, mode: Mode) =>
  mode === "cold" ? flavourEnv(flavour) : reuseEnv(flavour);

/** The suite runs on dist/, as consumers get it. */
export const buildPackage = () => run("npm", ["run", "build"], { cwd: packageRoot });

/** dist/ built, then one reuse run per flavour that leaves its environment running. */
export async function prepareSuiteRuns(flavours: readonly AwsFlavour[]): Promise<void> {
  await buildPackage();
  for (const flavour of flavours)
    await runSuite({ runner: "jest", config: SUITE_CONFIGS.jest, env: reuseEnv(flavour) });
}
