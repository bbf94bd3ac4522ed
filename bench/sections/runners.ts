// Section `runners`: each runner's floor (the reference suite's own Jest and Vitest configs running one
// trivial test, no environment at all), and how much of the package's first test is the package's: its
// first test cold and with reuse minus the floor; and on reuse, where it goes: the floor, loading
// campaign-testenv in the test file (the trivial test importing it), the global setup (the trivial test
// with it), the two together (in one process, the lookup goes on beside the loading), and the rest
// (setupTestEnvironment, cleanTestData). On the first AWS flavour; every side in a rotating order,
// REPEATS times.
import { removeReusedContainers } from "../environments";
import { rotate, summary } from "../lib";
import {
  modeEnv,
  prepareSuiteRuns,
  RUNNERS,
  type Runner,
  runSuite,
  SUITE_CONFIGS,
  SUITE_MODES,
  type SuiteRun,
} from "../runs";
import { FLAVOURS, log, REPEATS } from "../settings";
import { ms, type Row, type SectionResult } from "../table";

const FLAVOUR = FLAVOURS[0];

/** What each side runs: which files of bench/suite, with or without the package's global setup. */
const VARIANTS = {
  floor: { tests: "floor/trivial", setup: false, mode: "cold" },
  loading: { tests: "floor/loading", setup: false, mode: "cold" },
  "global setup": { tests: "floor/trivial", setup: true, mode: "reuse" },
  "global setup and loading": { tests: "floor/loading", setup: true, mode: "reuse" },
  reuse: { tests: "file*", setup: true, mode: "reuse" },
  cold: { tests: "file*", setup: true, mode: "cold" },
} as const;
type Variant = keyof typeof VARIANTS;

const runVariant = (runner: Runner, variant: Variant): Promise<SuiteRun> => {
  const { tests, setup, mode } = VARIANTS[variant];
  const env = {
    ...modeEnv(FLAVOUR, mode),
    BENCH_SUITE_TESTS: tests,
    ...(setup ? {} : { BENCH_SUITE_SETUP: "none" }),
  };
  return runSuite({ runner, config: SUITE_CONFIGS[runner], env });
};

type Runs = Record<Runner, Record<Variant, SuiteRun[]>>;

async function measure(): Promise<Runs> {
  const runners = Object.keys(RUNNERS) as Runner[];
  const variants = Object.keys(VARIANTS) as Variant[];
  const runs = Object.fromEntries(
    runners.map((runner) => [runner, Object.fromEntries(variants.map((v) => [v, [] as SuiteRun[]]))]),
  ) as Runs;
  const sides = runners.flatMap((runner) => variants.map((variant) => ({ runner, variant })));
  try {
    await prepareSuiteRuns([FLAVOUR]);
    for (let i = 0; i < REPEATS; i++) {
      for (const { runner, variant } of rotate(sides, i)) {
        const r = await runVariant(runner, variant);
        runs[runner][variant].push(r);
        log(`runners ${i + 1}/${REPEATS}, ${runner} ${variant}: first test at ${ms(r.firstTestMs)}`);
      }
    }
  } finally {
    await removeReusedContainers();
  }
  return runs;
}

function rows(runs: Runs): Row[] {
  const rows: Row[] = [];
  for (const runner of Object.keys(RUNNERS) as Runner[]) {
    const first = (variant: Variant) => summary(runs[runner][variant].map((r) => r.firstTestMs)).median;
    const floor = first("floor");
    rows.push([
      `runners: ${runner}'s floor, one trivial test, no environment (median)`,
      ms(floor),
      "floor",
      undefined,
    ]);
    for (const mode of SUITE_MODES) {
      rows.push([
        `runners, ${FLAVOUR}, ${runner} ${mode}: first test minus ${runner}'s floor (median)`,
        `${ms(first(mode) - floor)} (first test ${ms(first(mode))})`,
        "report",
        undefined,
      ]);
    }
    // The setup a file's first test waited for, as the file itself timed it.
    const setup = summary(runs[runner].reuse.map((r) => r.setupMs[0])).median;
    const reset = summary(runs[runner].reuse.map((r) => r.resetMs[0])).median;
    const [loading, globalSetup, both] = [
      first("loading"),
      first("global setup"),
      first("global setup and loading"),
    ];
    const parts: [string, string][] = [
      [`${runner}'s floor`, ms(floor)],
      ["+ loading campaign-testenv in the test file", ms(loading - floor)],
      ["+ the global setup (the reuse lookup goes on in the background)", ms(globalSetup - floor)],
      ["+ the two together, beyond the sum of each alone", ms(both - loading - globalSetup + floor)],
      [
        "+ the rest: the first file's setupTestEnvironment and cleanTestData, its other imports",
        `${ms(first("reuse") - both)} (as the file timed them: setupTestEnvironment ${ms(setup)}, cleanTestData ${ms(reset)})`,
      ],
    ];
    rows.push(
      ...parts.map(([part, value]): Row => [
        `runners, ${FLAVOUR}, ${runner} reuse, first test ${ms(first("reuse"))}: ${part}`,
        value,
        "report",
        undefined,
      ]),
    );
  }
  return rows;
}

export async function runners(): Promise<SectionResult> {
  log(`running each runner's floor and the reference suite's first test, cold and reused, on ${FLAVOUR}`);
  const data = await measure();
  return { rows: rows(data), data, samples: `${REPEATS} runs of each runner side` };
}
