// Section `load`: the 1000-call run is the concurrency suite itself, run by Jest in a child process (it
// starts its own environment) on each AWS flavour, at the dialer's rate (50 starts a second), then
// doubling while it still passes. Its report gives the slowest step's p99 and the whole call's
// percentiles; its pass or failure is the requirement (every step's p99 under 200 ms).
import { existsSync, readFileSync, rmSync } from "node:fs";
import path from "node:path";
import type { AwsFlavour, LoadReport, Percentiles } from "../../src";
import { packageRoot } from "../../src/paths";
import { run } from "../lib";
import { FLAVOURS, flavourEnv, log } from "../settings";
import { ms, type Row, type SectionResult } from "../table";

const MAX_STARTS_PER_SECOND = 800;
const TARGET_SLOWEST_P99_MS = 100;

interface LoadRun {
  startsPerSecond: number;
  passed: boolean;
  slowestStep: string;
  slowestStepP99: number;
  total: Percentiles;
}

async function loadRun(flavour: AwsFlavour, startsPerSecond: number): Promise<LoadRun> {
  const file = path.join(packageRoot, "reports", "concurrency.json");
  rmSync(file, { force: true });
  let output = "";
  const passed = await run(
    process.execPath,
    [require.resolve("jest/bin/jest"), "__tests__/concurrency.test.ts", "--selectProjects", "integration"],
    {
      cwd: packageRoot,
      env: {
        ...flavourEnv(flavour),
        CAMPAIGN_TESTENV_QUIET: "true",
        BENCH_STARTS_PER_SECOND: String(startsPerSecond),
      },
      maxBuffer: 16 << 20,
    },
  ).then(
    () => true,
    (error: { stdout?: string; stderr?: string }) => {
      output = `${error.stdout ?? ""}${error.stderr ?? ""}`;
      return false;
    },
  );
  // A run that failed before its report (the environment did not start...) says why, rather than ENOENT.
  if (!existsSync(file))
    throw new Error(`the 1000-call suite wrote no report; its output ends:\n${output.slice(-3000)}`);
  const report = JSON.parse(readFileSync(file, "utf8")) as LoadReport;
  const [slowestStep, slowest] = Object.entries(report.steps).sort(([, a], [, b]) => b.p99 - a.p99)[0];
  return { startsPerSecond, passed, slowestStep, slowestStepP99: slowest.p99, total: report.total };
}

/** The dialer's rate (50 starts a second), then doubling while the run still passes. */
async function measure(flavour: AwsFlavour): Promise<{ atDefault: LoadRun; highestPassing?: LoadRun }> {
  const said = (r: LoadRun) =>
    log(
      `1000 calls, ${flavour}, ${r.startsPerSecond}/s: ${r.passed ? "pass" : "FAIL"}, slowest p99 ${r.slowestStepP99.toFixed(1)} ms`,
    );
  const atDefault = await loadRun(flavour, 50);
  said(atDefault);
  let highestPassing = atDefault.passed ? atDefault : undefined;
  for (let rate = 100; highestPassing && rate <= MAX_STARTS_PER_SECOND; rate *= 2) {
    const r = await loadRun(flavour, rate);
    said(r);
    if (!r.passed) break;
    highestPassing = r;
  }
  return { atDefault, highestPassing };
}

export async function load(): Promise<SectionResult> {
  const data: Partial<Record<AwsFlavour, Awaited<ReturnType<typeof measure>>>> = {};
  const rows: Row[] = [];
  for (const flavour of FLAVOURS) {
    log(`running the 1000-call suite on ${flavour}`);
    const { atDefault, highestPassing } = (data[flavour] = await measure(flavour));
    rows.push(
      [
        `${flavour}: 1000 calls at 50/s, slowest step's p99`,
        `${ms(atDefault.slowestStepP99)} (${atDefault.slowestStep})`,
        `< ${TARGET_SLOWEST_P99_MS} ms (requirement 200 ms)`,
        atDefault.slowestStepP99 < TARGET_SLOWEST_P99_MS,
      ],
      [
        `${flavour}: highest start rate with every p99 < 200 ms`,
        highestPassing
          ? `${highestPassing.startsPerSecond}/s (tried up to ${MAX_STARTS_PER_SECOND}/s, doubling from 50)`
          : "none: 50/s failed",
        "report",
        undefined,
      ],
    );
  }
  return { rows, data, samples: "one 1000-call run per rate" };
}
