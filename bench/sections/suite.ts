// Section `suite`: the reference consumer suite (bench/suite, 10 files using all four stores, on the
// built package) from the command's start, under Jest and Vitest, cold and with reuse, on each AWS
// flavour, against the compose way (its services brought up and initialised, then the same test under
// Jest with the compose era's helpers). Every side in a rotating order, REPEATS times.
import type { AwsFlavour } from "../../src";
import { composeDown, composeUp, findComposeOnce } from "../compose";
import { removeReusedContainers } from "../environments";
import { rotate, summary, type Summary } from "../lib";
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
import { FLAVOURS, log, options, REPEATS } from "../settings";
import { ms, type Row, type SectionResult, times } from "../table";

const TARGETS = {
  laterSetupMs: 10,
  /** Command to first test, cold, against the compose way's. */
  firstTest: { localstack: 0.4, ministack: 0.3 } satisfies Record<AwsFlavour, number>,
};

/** The compose way: the baseline brought up and initialised, then the suite's test on it with Jest. */
async function onCompose(i: number): Promise<SuiteRun> {
  const startedAt = Date.now();
  const up = await composeUp(options, `ctsuite${process.pid}x${i}`);
  try {
    const env = { ...process.env, ...up.testEnv };
    return await runSuite({ runner: "jest", config: "bench/compose.jest.config.ts", env, startedAt });
  } finally {
    await composeDown(up).catch((e: Error) => log(`compose down failed: ${e.message}`));
  }
}

interface Side {
  name: string;
  run: (i: number) => Promise<SuiteRun>;
}
type SuiteResult = Record<
  string,
  { firstTestMs: Summary; wallMs: Summary; laterSetupMs: Summary; laterDriversMs: Summary }
>;

async function measure(): Promise<SuiteResult> {
  const sides: Side[] = [
    { name: "compose", run: onCompose },
    ...FLAVOURS.flatMap((flavour) =>
      SUITE_MODES.flatMap((mode) =>
        (Object.keys(RUNNERS) as Runner[]).map((runner) => ({
          name: `${flavour}, ${runner} ${mode}`,
          run: () => runSuite({ runner, config: SUITE_CONFIGS[runner], env: modeEnv(flavour, mode) }),
        })),
      ),
    ),
  ];
  const runs = Object.fromEntries(sides.map((side) => [side.name, [] as SuiteRun[]]));
  try {
    await findComposeOnce();
    await prepareSuiteRuns(FLAVOURS);
    for (let i = 0; i < REPEATS; i++) {
      for (const side of rotate(sides, i)) {
        const r = await side.run(i);
        runs[side.name].push(r);
        log(
          `suite ${i + 1}/${REPEATS}, ${side.name}: first test at ${ms(r.firstTestMs)}, done at ${ms(r.wallMs)}`,
        );
      }
    }
  } finally {
    await removeReusedContainers();
  }
  return Object.fromEntries(
    sides.map(({ name }) => [
      name,
      {
        firstTestMs: summary(runs[name].map((r) => r.firstTestMs)),
        wallMs: summary(runs[name].map((r) => r.wallMs)),
        // A claim from a warm pool: the files after the first two, which start once the pool is filled.
        laterSetupMs: summary(runs[name].flatMap((r) => r.setupMs.slice(2))),
        laterDriversMs: summary(runs[name].flatMap((r) => r.driversMs.slice(2))),
      },
    ]),
  );
}

function rows(suite: SuiteResult): Row[] {
  const composeFirst = suite.compose.firstTestMs.median;
  const sideRows = (name: string, firstTestTarget?: number): Row[] => {
    const { firstTestMs, wallMs, laterSetupMs, laterDriversMs } = suite[name];
    const ratio = firstTestMs.median / composeFirst;
    const compose = name === "compose";
    return [
      [
        `suite, ${name}: command to first test (median)`,
        compose
          ? ms(firstTestMs.median)
          : `${ms(firstTestMs.median)} (${times(firstTestMs.median, composeFirst)} compose)`,
        compose ? "baseline" : firstTestTarget ? `<= ${firstTestTarget}x compose` : "",
        firstTestTarget ? ratio <= firstTestTarget : undefined,
      ],
      [`suite, ${name}: whole run (median)`, ms(wallMs.median), "", undefined],
      [
        `suite, ${name}: a later file's setup (median / p95)`,
        `${ms(laterSetupMs.median)} / ${ms(laterSetupMs.p95)} (its drivers loaded before it: ${ms(laterDriversMs.median)})`,
        compose ? "" : `< ${TARGETS.laterSetupMs} ms median`,
        compose ? undefined : laterSetupMs.median < TARGETS.laterSetupMs,
      ],
    ];
  };
  const rows: Row[] = [];
  for (const flavour of FLAVOURS) {
    for (const mode of SUITE_MODES) {
      for (const runner of Object.keys(RUNNERS)) {
        rows.push(
          ...sideRows(
            `${flavour}, ${runner} ${mode}`,
            mode === "cold" ? TARGETS.firstTest[flavour] : undefined,
          ),
        );
      }
    }
  }
  rows.push(...sideRows("compose"));
  return rows;
}

export async function suite(): Promise<SectionResult> {
  log(
    "running the reference suite (bench/suite, 10 files) with Jest and Vitest, cold and reused, on each flavour, and the compose way",
  );
  const data = await measure();
  return { rows: rows(data), data, samples: `${REPEATS} runs of each suite side` };
}
