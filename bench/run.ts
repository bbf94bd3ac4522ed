// npm run bench: startup (the compose baseline, cold, each service's bare container, reuse), the
// reference suite under Jest and Vitest, per-test reset (all stores and each store), a store set from
// scratch, the 1000-call run and container memory, for each AWS flavour, measured in one run on this
// machine with the same images. Prints a table next to the targets and writes bench/results/<timestamp>.json.
// BENCH_ONLY=<section>[,<section>...] runs only those sections (see SECTIONS), e.g. BENCH_ONLY=reset.
import {
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  readdirSync,
  rmSync,
  writeFileSync,
} from "node:fs";
import os from "node:os";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import {
  type AwsFlavour,
  type EnvironmentContext,
  flavoursOf,
  type LoadReport,
  type Percentiles,
  resolveOptions,
  type ServiceName,
  setupTestEnvironment,
  startEnvironment,
} from "../src";
import { LABELS, removeContainers } from "../src/docker";
import { packageRoot } from "../src/paths";
import { reusedContainers, reuseDir } from "../src/reuse";
import { composeContext, composeDown, composeUp } from "./compose";
import { removeContext, writeRunFile } from "../src/context";
import { bareReady } from "./floor";
import {
  containersMemoryMiB,
  IDLE_SETTLE_MS,
  RESULT_PREFIX,
  rotate,
  run,
  summary,
  type Summary,
  timed,
} from "./lib";
import { measureReset, type ResetResult } from "./reset";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const RESET_ITERATIONS = Number(process.env.BENCH_RESET_ITERATIONS ?? 50);
/** Store sets built from scratch, one after another, for the store-set row. */
const PROVISIONED_SETS = 19;
const MAX_STARTS_PER_SECOND = 800;

const SECTIONS = ["startup", "reuse", "suite", "reset", "store-sets", "load"] as const;
type Section = (typeof SECTIONS)[number];

/** The AWS flavours compared, as the package lists them; the compose way is the old environment's, LocalStack. */
const FLAVOURS = flavoursOf("aws");

/** The targets: the design's, and issue 20's for resets, bare-container floors and the first test. */
const TARGETS = {
  reuseMs: 100,
  /** Cold start against its slowest service's bare container. */
  floorRatio: 1.1,
  /** Each store's own reset, except Mongo's: FerretDB stands in for MongoDB here. */
  storeResetMs: 2,
  storesWithResetTarget: ["postgres", "redis", "aws"] as ServiceName[],
  laterSetupMs: 30,
  loadSlowestP99Ms: 100,
  flavour: {
    localstack: { startup: 0.5, resetMs: 10, firstTest: 0.4, memoryMiB: 1200 },
    ministack: { startup: 0.3, resetMs: 5, firstTest: 0.3, memoryMiB: 400 },
  } satisfies Record<AwsFlavour, { startup: number; resetMs: number; firstTest: number; memoryMiB: number }>,
};

const options = resolveOptions({ quiet: true });
const optionsFor = (flavour: AwsFlavour) => resolveOptions({ quiet: true, awsFlavour: flavour });
const flavourEnv = (flavour: AwsFlavour) => ({ ...process.env, CAMPAIGN_TESTENV_AWS_FLAVOUR: flavour });
const log = (line: string) => console.log(`bench: ${line}`);
const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);

/** [what, measured, target, met (undefined: no target)] */
type Row = [string, string, string, boolean | undefined];

function selectedSections(): Set<Section> {
  const only = (process.env.BENCH_ONLY ?? "")
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = only.filter((s) => !(SECTIONS as readonly string[]).includes(s));
  if (unknown.length) {
    throw new Error(
      `bench: BENCH_ONLY names no section ${unknown.join(", ")}; choose from ${SECTIONS.join(", ")}.`,
    );
  }
  return new Set(only.length ? (only as Section[]) : SECTIONS);
}

interface ChildResult {
  ms: number;
  memory?: { totalMiB: number; each: Record<string, number> };
}

/** One start in a fresh Node process (bench/start-once.ts), as a Jest run would do it. */
async function startInChild(
  mode: "cold" | "reuse",
  env: NodeJS.ProcessEnv = process.env,
): Promise<ChildResult> {
  const args = ["-r", "ts-node/register/transpile-only", path.join(__dirname, "start-once.ts"), mode];
  if (mode === "cold") args.push("--memory");
  const { stdout } = await run(process.execPath, args, { cwd: packageRoot, env, maxBuffer: 16 << 20 });
  const line = stdout.split("\n").find((l) => l.startsWith(RESULT_PREFIX));
  if (!line) throw new Error(`bench: start-once.ts ${mode} printed no result:\n${stdout}`);
  return JSON.parse(line.slice(RESULT_PREFIX.length)) as ChildResult;
}

async function composeOnce(i: number): Promise<{ ms: number; memoryMiB: number }> {
  const project = `ctbench${process.pid}x${i}`;
  const started = performance.now();
  let up;
  try {
    up = await composeUp(options, project);
    const ms = performance.now() - started;
    await sleep(IDLE_SETTLE_MS);
    const memory = await containersMemoryMiB(up.containerIds);
    return { ms, memoryMiB: memory.totalMiB };
  } finally {
    await composeDown(up ?? { project, env: { ...process.env, ...imageEnv() } }).catch((e: Error) =>
      log(`compose down failed: ${e.message}`),
    );
  }
}

const imageEnv = () =>
  Object.fromEntries(
    options.services.map((s) => [`CAMPAIGN_TESTENV_${s.toUpperCase()}_IMAGE`, options.images[s]]),
  );

/**
 * The bare containers timed: every service but AWS alone (the same for each flavour), each flavour's AWS
 * alone, and each flavour's whole set at once (as the environment starts them).
 */
const floorJobs = () => [
  ...options.services
    .filter((name) => name !== "aws")
    .map((name) => ({ key: name as string, flavour: FLAVOURS[0], names: [name] })),
  ...(options.services.includes("aws")
    ? FLAVOURS.map((flavour) => ({ key: `aws ${flavour}`, flavour, names: ["aws" as ServiceName] }))
    : []),
  ...FLAVOURS.map((flavour) => ({ key: `all at once ${flavour}`, flavour, names: options.services })),
];

/** A flavour's slowest service alone: the floor its cold start is held against. */
function slowestFloor(
  floors: Record<string, Summary>,
  flavour: AwsFlavour,
): { name: string; median: number } {
  const keys = options.services.map((name) => (name === "aws" ? `aws ${flavour}` : name));
  const key = keys.reduce((a, b) => (floors[b].median > floors[a].median ? b : a));
  return { name: key.replace(` ${flavour}`, ""), median: floors[key].median };
}

async function measureStartup() {
  const compose: number[] = [];
  const composeMemory: number[] = [];
  const cold = Object.fromEntries(FLAVOURS.map((f) => [f, { ms: [] as number[], memory: [] as number[] }]));
  const jobs = floorJobs();
  const floors = Object.fromEntries(jobs.map((job) => [job.key, [] as number[]]));
  // The first container of this process also starts Testcontainers' reaper: not a floor, left out.
  await bareReady(optionsFor(FLAVOURS[0]), ["redis"]);
  const sides = ["compose", "floors", ...FLAVOURS] as const;
  for (let i = 0; i < REPEATS; i++) {
    for (const which of rotate(sides, i)) {
      const round = `startup ${i + 1}/${REPEATS}`;
      if (which === "compose") {
        const r = await composeOnce(i);
        compose.push(r.ms);
        composeMemory.push(r.memoryMiB);
        log(`${round}: compose way ${ms(r.ms)}, ${r.memoryMiB.toFixed(0)} MiB`);
      } else if (which === "floors") {
        for (const job of rotate(jobs, i)) {
          const r = await bareReady(optionsFor(job.flavour), job.names);
          floors[job.key].push(job.names.length === 1 ? r.each[job.names[0]]! : r.together);
          log(`${round}: bare container ready, ${job.key}: ${ms(floors[job.key].at(-1)!)}`);
        }
      } else {
        const r = await startInChild("cold", flavourEnv(which));
        cold[which].ms.push(r.ms);
        cold[which].memory.push(r.memory?.totalMiB ?? NaN);
        log(`${round}: campaign-testenv cold, ${which}, ${ms(r.ms)}, ${r.memory?.totalMiB.toFixed(0)} MiB`);
      }
    }
  }
  return {
    compose: summary(compose),
    composeMemory: summary(composeMemory),
    floors: Object.fromEntries(Object.entries(floors).map(([key, samples]) => [key, summary(samples)])),
    cold: Object.fromEntries(
      FLAVOURS.map((f) => [f, { ms: summary(cold[f].ms), memory: summary(cold[f].memory) }]),
    ) as Record<AwsFlavour, { ms: Summary; memory: Summary }>,
  };
}

function startupRows(startup: Awaited<ReturnType<typeof measureStartup>>): Row[] {
  const { floors } = startup;
  const rows: Row[] = [
    ["startup, compose way (median)", ms(startup.compose.median), "baseline", undefined],
    [
      "memory, compose way (idle, median)",
      `${startup.composeMemory.median.toFixed(0)} MiB`,
      "compose era: about 2.5 GB",
      undefined,
    ],
    ...options.services
      .filter((name) => name !== "aws")
      .map((name): Row => [
        `bare container ready, ${name === "mongo" ? `mongo (${options.flavours.mongo})` : name} (median)`,
        ms(floors[name].median),
        "floor",
        undefined,
      ]),
  ];
  for (const flavour of FLAVOURS) {
    const target = TARGETS.flavour[flavour];
    const cold = startup.cold[flavour];
    const ratio = cold.ms.median / startup.compose.median;
    const slowest = slowestFloor(floors, flavour);
    const floorRatio = cold.ms.median / slowest.median;
    rows.push(
      [
        `${flavour}: bare container ready, aws (median)`,
        ms(floors[`aws ${flavour}`].median),
        "floor",
        undefined,
      ],
      [
        `${flavour}: bare containers ready, all at once (median)`,
        ms(floors[`all at once ${flavour}`].median),
        "report",
        undefined,
      ],
      [
        `${flavour}: startup cold (median)`,
        `${ms(cold.ms.median)} (${ratio.toFixed(2)}x compose)`,
        `<= ${target.startup}x compose`,
        ratio <= target.startup,
      ],
      [
        `${flavour}: startup cold against its slowest bare container`,
        `${floorRatio.toFixed(2)}x (${slowest.name}, ${ms(slowest.median)})`,
        `<= ${TARGETS.floorRatio}x`,
        floorRatio <= TARGETS.floorRatio,
      ],
      [
        `${flavour}: memory, all containers (idle, median)`,
        `${cold.memory.median.toFixed(0)} MiB`,
        `< ${target.memoryMiB} MiB`,
        cold.memory.median < target.memoryMiB,
      ],
    );
  }
  return rows;
}

/** Reuse mode: one start that leaves the environment running, then timed restarts that find it. */
async function measureReuse(): Promise<Summary> {
  try {
    const first = await startInChild("reuse");
    log(`reuse: first start (creates) ${ms(first.ms)}`);
    const samples: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const r = await startInChild("reuse");
      samples.push(r.ms);
      log(`reuse ${i + 1}/${REPEATS}: ${ms(r.ms)}`);
    }
    return summary(samples);
  } finally {
    await removeReusedContainers();
  }
}

/**
 * Removes the reuse-mode containers the bench's runs keep: those whose context its cache folder holds
 * (never another folder's), each with its whole run, as LocalStack's function containers carry the
 * run's label but not the reuse one.
 */
async function removeReusedContainers(): Promise<void> {
  const kept = new Set(existsSync(reuseDir()) ? readdirSync(reuseDir()) : []);
  const ours = (await reusedContainers()).filter((c) => kept.has(`${c.Id}.json`));
  for (const runId of new Set(ours.map((c) => c.Labels[LABELS.run]))) await removeContainers(runId);
}

async function measureStoreSets(context: EnvironmentContext): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i <= PROVISIONED_SETS; i++) {
    const { ms, value: env } = await timed(() => setupTestEnvironment({ context }));
    if (i > 0) samples.push(ms); // the first one warms up the code paths
    await env.close();
  }
  return summary(samples);
}

interface LoadRun {
  startsPerSecond: number;
  passed: boolean;
  slowestStep: string;
  slowestStepP99: number;
  total: Percentiles;
}

/**
 * The 1000-call run is the concurrency suite itself, run here by Jest in a child process (it starts
 * its own environment) at a given start rate; its report gives the slowest step's p99 and the whole
 * call's percentiles, and its pass or failure is the requirement (every step's p99 under 200 ms).
 */
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
async function measureLoad(flavour: AwsFlavour): Promise<{ atDefault: LoadRun; highestPassing?: LoadRun }> {
  const atDefault = await loadRun(flavour, 50);
  log(
    `1000 calls, ${flavour}, 50/s: ${atDefault.passed ? "pass" : "FAIL"}, slowest p99 ${atDefault.slowestStepP99.toFixed(1)} ms`,
  );
  let highestPassing = atDefault.passed ? atDefault : undefined;
  for (let rate = 100; highestPassing && rate <= MAX_STARTS_PER_SECOND; rate *= 2) {
    const r = await loadRun(flavour, rate);
    log(
      `1000 calls, ${flavour}, ${rate}/s: ${r.passed ? "pass" : "FAIL"}, slowest p99 ${r.slowestStepP99.toFixed(1)} ms`,
    );
    if (!r.passed) break;
    highestPassing = r;
  }
  return { atDefault, highestPassing };
}

interface SuiteRun {
  /** From the command's start to the first test's start. */
  firstTestMs: number;
  /** From the command's start to its exit. */
  wallMs: number;
  /** Each file's setupTestEnvironment, in the order the files started. */
  setupMs: number[];
}

const SUITE_RUNNERS = {
  jest: [require.resolve("jest/bin/jest"), "-c", "bench/suite/jest.config.ts"],
  vitest: [
    path.join(packageRoot, "node_modules/vitest/vitest.mjs"),
    "run",
    "-c",
    "bench/suite/vitest.config.mjs",
  ],
};
type SuiteRunner = keyof typeof SUITE_RUNNERS;

/** The reference suite (bench/suite) end to end, as a user runs it: the clock starts with the command. */
async function suiteRun(
  runner: SuiteRunner,
  env: NodeJS.ProcessEnv,
  startedAt = Date.now(),
): Promise<SuiteRun> {
  const logFile = path.join(
    mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-bench-suite-")),
    "log.jsonl",
  );
  try {
    await run(process.execPath, SUITE_RUNNERS[runner], {
      cwd: packageRoot,
      env: { ...env, BENCH_SUITE_LOG: logFile, CAMPAIGN_TESTENV_QUIET: "true" },
      maxBuffer: 16 << 20,
    });
    const wallMs = Date.now() - startedAt;
    const entries = readFileSync(logFile, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as { firstTestAt: number; setupMs: number })
      .sort((a, b) => a.firstTestAt - b.firstTestAt);
    return {
      firstTestMs: entries[0].firstTestAt - startedAt,
      wallMs,
      setupMs: entries.map((e) => e.setupMs),
    };
  } finally {
    rmSync(path.dirname(logFile), { recursive: true, force: true });
  }
}

/** The compose way: the baseline brought up and initialised, then the same suite run on it with Jest. */
async function suiteOnCompose(i: number): Promise<SuiteRun> {
  const startedAt = Date.now();
  const project = `ctsuite${process.pid}x${i}`;
  let up;
  let file: string | undefined;
  try {
    up = await composeUp(options, project);
    file = writeRunFile(await composeContext(options, up));
    return await suiteRun(
      "jest",
      { ...process.env, BENCH_SUITE_COMPOSE: "1", CAMPAIGN_TESTENV_CONTEXT: file },
      startedAt,
    );
  } finally {
    if (file) removeContext(file);
    await composeDown(up ?? { project, env: { ...process.env, ...imageEnv() } }).catch((e: Error) =>
      log(`compose down failed: ${e.message}`),
    );
  }
}

const SUITE_MODES = ["cold", "reuse"] as const;
interface SuiteSide {
  name: string;
  flavour?: AwsFlavour;
  mode?: (typeof SUITE_MODES)[number];
  run: (i: number) => Promise<SuiteRun>;
}
type SuiteResult = Record<string, { firstTestMs: Summary; wallMs: Summary; laterSetupMs: Summary }>;

/** Jest and Vitest, cold and with reuse, on each flavour, against the compose way; rotating order, REPEATS each. */
async function measureSuite(): Promise<SuiteResult> {
  // Both flavours' reuse runs share the bench's one cache folder, as a user's runs share theirs: their
  // PostgreSQL, Mongo and Redis hash the same, and a run that finds such a container without its context
  // in its own folder replaces it, so one folder per flavour would time restarts, not reuse.
  const envOf = (flavour: AwsFlavour, mode: (typeof SUITE_MODES)[number]) =>
    mode === "cold" ? flavourEnv(flavour) : { ...flavourEnv(flavour), CAMPAIGN_TESTENV_REUSE: "true" };
  const sides: SuiteSide[] = [
    { name: "compose", run: suiteOnCompose },
    ...FLAVOURS.flatMap((flavour) =>
      SUITE_MODES.flatMap((mode) =>
        (Object.keys(SUITE_RUNNERS) as SuiteRunner[]).map((runner) => ({
          name: `${flavour}, ${runner} ${mode}`,
          flavour,
          mode,
          run: () => suiteRun(runner, envOf(flavour, mode)),
        })),
      ),
    ),
  ];
  const runs = Object.fromEntries(sides.map((side) => [side.name, [] as SuiteRun[]]));
  try {
    await run("npm", ["run", "build"], { cwd: packageRoot }); // the suite runs on dist/, as consumers do
    for (const flavour of FLAVOURS) await suiteRun("jest", envOf(flavour, "reuse")); // leaves it running
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
      },
    ]),
  );
}

function suiteRows(suite: SuiteResult): Row[] {
  const composeFirst = suite.compose.firstTestMs.median;
  const rows: Row[] = [];
  const sideRows = (name: string, firstTestTarget?: number): Row[] => {
    const { firstTestMs, wallMs, laterSetupMs } = suite[name];
    const ratio = firstTestMs.median / composeFirst;
    const compose = name === "compose";
    return [
      [
        `suite, ${name}: command to first test (median)`,
        compose ? ms(firstTestMs.median) : `${ms(firstTestMs.median)} (${ratio.toFixed(2)}x compose)`,
        compose ? "baseline" : firstTestTarget ? `<= ${firstTestTarget}x compose` : "",
        firstTestTarget ? ratio <= firstTestTarget : undefined,
      ],
      [`suite, ${name}: whole run (median)`, ms(wallMs.median), "", undefined],
      [
        `suite, ${name}: a later file's setup (median / p95)`,
        `${ms(laterSetupMs.median)} / ${ms(laterSetupMs.p95)}`,
        compose ? "" : `< ${TARGETS.laterSetupMs} ms median`,
        compose ? undefined : laterSetupMs.median < TARGETS.laterSetupMs,
      ],
    ];
  };
  for (const flavour of FLAVOURS) {
    for (const mode of SUITE_MODES) {
      for (const runner of Object.keys(SUITE_RUNNERS)) {
        const target = mode === "cold" ? TARGETS.flavour[flavour].firstTest : undefined;
        rows.push(...sideRows(`${flavour}, ${runner} ${mode}`, target));
      }
    }
  }
  rows.push(...sideRows("compose"));
  return rows;
}

/** Reset, store-set and 1000-call rows of one flavour; each part only when its section runs. */
function flavourRows(
  flavour: AwsFlavour,
  {
    reset,
    storeSets,
    load,
  }: { reset?: ResetResult; storeSets?: Summary; load?: Awaited<ReturnType<typeof measureLoad>> },
): Row[] {
  const rows: Row[] = [];
  if (reset) {
    const target = TARGETS.flavour[flavour].resetMs;
    rows.push([
      `${flavour}: reset, cleanTestData, all stores (median / p95)`,
      `${ms(reset.cleanTestData.median)} / ${ms(reset.cleanTestData.p95)}`,
      `< ${target} ms median`,
      reset.cleanTestData.median < target,
    ]);
    for (const [name, store] of Object.entries(reset.stores) as [ServiceName, Summary][]) {
      const hasTarget = TARGETS.storesWithResetTarget.includes(name);
      const ferret = name === "mongo" && options.flavours.mongo === "ferretdb";
      rows.push([
        `${flavour}: reset, ${name === "mongo" ? `mongo (${options.flavours.mongo})` : name} alone (median / p95)`,
        `${ms(store.median)} / ${ms(store.p95)}`,
        hasTarget
          ? `< ${TARGETS.storeResetMs} ms median`
          : ferret
            ? "none: FerretDB's own floor (MongoDB is not measured here)"
            : "report",
        hasTarget ? store.median < TARGETS.storeResetMs : undefined,
      ]);
    }
    rows.push([
      `${flavour}: reset, naive cleanup (median)`,
      `${ms(reset.naive.median)} (${(reset.naive.median / reset.cleanTestData.median).toFixed(1)}x cleanTestData)`,
      "compose era: about 2 s",
      undefined,
    ]);
  }
  if (storeSets) {
    rows.push([
      `${flavour}: a store set built from scratch (median / p95)`,
      `${ms(storeSets.median)} / ${ms(storeSets.p95)}`,
      "none: the pool's claims (suite rows)",
      undefined,
    ]);
  }
  if (load) {
    rows.push(
      [
        `${flavour}: 1000 calls at 50/s, slowest step's p99`,
        `${ms(load.atDefault.slowestStepP99)} (${load.atDefault.slowestStep})`,
        `< ${TARGETS.loadSlowestP99Ms} ms (requirement 200 ms)`,
        load.atDefault.slowestStepP99 < TARGETS.loadSlowestP99Ms,
      ],
      [
        `${flavour}: highest start rate with every p99 < 200 ms`,
        load.highestPassing
          ? `${load.highestPassing.startsPerSecond}/s (tried up to ${MAX_STARTS_PER_SECOND}/s, doubling from 50)`
          : "none: 50/s failed",
        "report",
        undefined,
      ],
    );
  }
  return rows;
}

async function main(): Promise<void> {
  // Reuse mode's contexts and locks in a folder of the bench's own, for every run it starts: its reuse runs
  // never take an environment someone keeps on this machine, and it knows its own containers to remove.
  process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-bench-"));
  try {
    await measure();
  } finally {
    rmSync(process.env.XDG_CACHE_HOME, { recursive: true, force: true });
  }
}

async function measure(): Promise<void> {
  const sections = selectedSections();
  log(`sections ${[...sections].join(", ")}; flavours ${FLAVOURS.join(", ")}`);
  log(
    `services ${options.services.join(", ")}; images ${options.services.map((s) => options.images[s]).join(", ")}`,
  );
  log(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg()[0].toFixed(2)}`,
  );
  const rows: Row[] = [];
  const result: Record<string, unknown> = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: os.totalmem() / 2 ** 30, loadAverage: os.loadavg() },
    sections: [...sections],
    services: options.services,
    images: { ...options.images, ...Object.fromEntries(FLAVOURS.map((f) => [f, optionsFor(f).images.aws])) },
    repeats: REPEATS,
  };

  if (sections.has("startup")) {
    const startup = await measureStartup();
    rows.push(...startupRows(startup));
    result.startup = startup;
  }
  if (sections.has("reuse")) {
    const reuse = await measureReuse();
    rows.push([
      "startup, reuse (median)",
      ms(reuse.median),
      `< ${TARGETS.reuseMs} ms`,
      reuse.median < TARGETS.reuseMs,
    ]);
    result.reuseMs = reuse;
  }
  const flavours: Record<string, object> = {};
  for (const flavour of FLAVOURS) {
    const measured: Parameters<typeof flavourRows>[1] = {};
    if (sections.has("reset") || sections.has("store-sets")) {
      log(`starting one ${flavour} environment in this process for the reset and store-set rows`);
      const environment = await startEnvironment({ quiet: true, awsFlavour: flavour });
      try {
        if (sections.has("reset")) measured.reset = await measureReset(environment.context, RESET_ITERATIONS);
        if (sections.has("store-sets")) measured.storeSets = await measureStoreSets(environment.context);
      } finally {
        await environment.stop();
      }
    }
    if (sections.has("load")) {
      log(`running the 1000-call suite on ${flavour}`);
      measured.load = await measureLoad(flavour);
    }
    rows.push(...flavourRows(flavour, measured));
    flavours[flavour] = measured;
  }
  result.flavours = flavours;
  if (sections.has("suite")) {
    log(
      "running the reference suite (bench/suite, 10 files) with Jest and Vitest, cold and reused, on each flavour, and the compose way",
    );
    const suite = await measureSuite();
    rows.push(...suiteRows(suite));
    result.suite = suite;
  }

  const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length), 8));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(width[c] ?? 3)).join(" | ")} |`;
  console.log();
  console.log(line(["what", "measured", "target", "met"]));
  console.log(line(["-".repeat(width[0]), "-".repeat(width[1]), "-".repeat(width[2]), "---"]));
  for (const [what, measured, target, met] of rows)
    console.log(line([what, measured, target, met === undefined ? "" : met ? "yes" : "NO"]));
  const counts = [
    sections.has("startup") || sections.has("suite") ? `${REPEATS} runs of each startup and suite side` : "",
    sections.has("reuse") ? `${REPEATS} reuse starts` : "",
    sections.has("reset") ? `${RESET_ITERATIONS} resets of each kind` : "",
    sections.has("store-sets") ? `${PROVISIONED_SETS} store sets built from scratch` : "",
  ].filter(Boolean);
  console.log(`\n${[...counts, "one noisy shared machine"].join(", ")}.`);

  const dir = path.join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  log(`written ${path.relative(packageRoot, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
