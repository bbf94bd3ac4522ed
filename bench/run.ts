// npm run bench: startup (compose baseline, cold, reuse), per-test reset, one more worker's stores,
// the 1000-call run and container memory, for each AWS flavour, measured in one run on this machine
// with the same images. Prints a table next to the targets of DESIGN.md and writes
// bench/results/<timestamp>.json.
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
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { PurgeQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { testData } from "../fixtures/test-data";
import {
  cleanTestData,
  resolveOptions,
  seedTestData,
  setupTestEnvironment,
  startEnvironment,
  type EnvironmentContext,
  type LoadReport,
  type Percentiles,
  type TestEnvironment,
} from "../src";
import { removeContainers } from "../src/docker";
import { packageRoot } from "../src/paths";
import { composeContext, composeDown, composeUp } from "./compose";
import { removeContext, writeContext } from "../src/context";
import {
  containersMemoryMiB,
  IDLE_SETTLE_MS,
  RESULT_PREFIX,
  run,
  sleep,
  summary,
  type Summary,
  timed,
} from "./lib";

const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);
const RESET_ITERATIONS = Number(process.env.BENCH_RESET_ITERATIONS ?? 50);
/** Store sets built from scratch, one after another, for the provisioning row. */
const PROVISIONED_SETS = 19;
const MAX_STARTS_PER_SECOND = 800;

const options = resolveOptions({ quiet: true });
const log = (line: string) => console.log(`bench: ${line}`);

interface ChildResult {
  ms: number;
  runId: string;
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

/** The AWS flavours compared; the compose way is the old environment's, LocalStack. */
const FLAVOURS = ["localstack", "ministack"] as const;
type Flavour = (typeof FLAVOURS)[number];
const flavourEnv = (flavour: Flavour) => ({ ...process.env, CAMPAIGN_TESTENV_AWS_FLAVOUR: flavour });

async function measureStartup() {
  const compose: number[] = [];
  const composeMemory: number[] = [];
  const cold = Object.fromEntries(FLAVOURS.map((f) => [f, { ms: [] as number[], memory: [] as number[] }]));
  const sides = ["compose", ...FLAVOURS] as const;
  for (let i = 0; i < REPEATS; i++) {
    // A rotating order, so no side always runs on a machine another just warmed or loaded.
    const order = sides.map((_, k) => sides[(k + i) % sides.length]);
    for (const which of order) {
      if (which === "compose") {
        const r = await composeOnce(i);
        compose.push(r.ms);
        composeMemory.push(r.memoryMiB);
        log(
          `startup ${i + 1}/${REPEATS}: compose way ${(r.ms / 1000).toFixed(1)} s, ${r.memoryMiB.toFixed(0)} MiB`,
        );
      } else {
        const r = await startInChild("cold", flavourEnv(which));
        cold[which].ms.push(r.ms);
        cold[which].memory.push(r.memory?.totalMiB ?? NaN);
        log(
          `startup ${i + 1}/${REPEATS}: campaign-testenv cold, ${which}, ${(r.ms / 1000).toFixed(1)} s, ${r.memory?.totalMiB.toFixed(0)} MiB`,
        );
      }
    }
  }
  return {
    compose: summary(compose),
    composeMemory: summary(composeMemory),
    cold: Object.fromEntries(
      FLAVOURS.map((f) => [f, { ms: summary(cold[f].ms), memory: summary(cold[f].memory) }]),
    ) as Record<Flavour, { ms: Summary; memory: Summary }>,
  };
}

/** Reuse mode: one start that leaves the environment running, then timed restarts that find it. */
async function measureReuse(): Promise<Summary> {
  // A cache folder of our own: never picks up (or replaces) an environment someone else keeps on this machine.
  const cache = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-bench-"));
  const env = { ...process.env, XDG_CACHE_HOME: cache };
  let first: ChildResult | undefined;
  try {
    first = await startInChild("reuse", env);
    log(`reuse: first start (creates) ${(first.ms / 1000).toFixed(1)} s`);
    const samples: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const r = await startInChild("reuse", env);
      samples.push(r.ms);
      log(`reuse ${i + 1}/${REPEATS}: ${r.ms.toFixed(0)} ms`);
    }
    return summary(samples);
  } finally {
    if (first) await removeContainers(first.runId);
    await removeRecordedContainers(cache);
    rmSync(cache, { recursive: true, force: true });
  }
}

/** Whatever reuse records under our private cache folder name as a container is removed too. */
async function removeRecordedContainers(cache: string): Promise<void> {
  const ids: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const file = path.join(dir, entry.name);
      if (entry.isDirectory()) walk(file);
      else if (entry.name.endsWith(".json")) {
        const id = (JSON.parse(readFileSync(file, "utf8")) as { containerId?: string }).containerId;
        if (id) ids.push(id);
      }
    }
  };
  if (existsSync(cache)) walk(cache);
  if (ids.length) await run("docker", ["rm", "-f", "-v", ...ids]).catch(() => undefined);
}

/** Fixtures in PostgreSQL and Mongo, plus one Redis key, one queued message and one extra S3 object. */
async function seedAll(env: TestEnvironment): Promise<void> {
  await Promise.all([
    seedTestData(env),
    env.context.redis && env.redis.set("campaign:bench", "1"),
    env.context.aws &&
      env.aws.sqs.send(
        new SendMessageCommand({ QueueUrl: env.aws.resources.queues["dial-tasks"].url, MessageBody: "{}" }),
      ),
    env.context.aws &&
      env.aws.s3.send(
        new PutObjectCommand({ Bucket: env.aws.resources.buckets["uploads"], Key: "bench.txt", Body: "x" }),
      ),
  ]);
}

/** The compose era's cleanup: one statement per table, collection and queue, one after another. */
async function naiveClean(env: TestEnvironment): Promise<void> {
  const { context } = env;
  if (context.postgres) {
    for (const table of Object.keys(testData.tables).reverse())
      await env.postgres.query(`DELETE FROM ${table}`);
  }
  if (context.mongo) {
    for (const { name } of context.mongo.spec.collections) await env.mongo.collection(name).deleteMany({});
  }
  if (context.redis) await env.redis.flushall();
  if (context.aws) {
    for (const { url } of Object.values(env.aws.resources.queues)) {
      await env.aws.sqs.send(new PurgeQueueCommand({ QueueUrl: url })).catch((error: Error) => {
        if (error.name !== "PurgeQueueInProgress") throw error;
      });
    }
  }
}

async function measureReset(context: EnvironmentContext) {
  const env = await setupTestEnvironment({ context });
  try {
    const fast: number[] = [];
    const naive: number[] = [];
    for (let i = -3; i < RESET_ITERATIONS; i++) {
      // Interleaved, order swapped each round; the first three rounds warm the connections up and are dropped.
      const pair: [number[], (e: TestEnvironment) => Promise<void>][] = [
        [fast, cleanTestData],
        [naive, naiveClean],
      ];
      if (i % 2 !== 0) pair.reverse();
      for (const [samples, clean] of pair) {
        await seedAll(env);
        const { ms } = await timed(() => clean(env));
        if (i >= 0) samples.push(ms);
      }
    }
    return { cleanTestData: summary(fast), naive: summary(naive) };
  } finally {
    await env.close();
  }
}

async function measureProvisioning(context: EnvironmentContext): Promise<Summary> {
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
async function loadRun(flavour: Flavour, startsPerSecond: number): Promise<LoadRun> {
  const file = path.join(packageRoot, "reports", "concurrency.json");
  rmSync(file, { force: true });
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
    () => false,
  );
  const report = JSON.parse(readFileSync(file, "utf8")) as LoadReport;
  const [slowestStep, slowest] = Object.entries(report.steps).sort(([, a], [, b]) => b.p99 - a.p99)[0];
  return { startsPerSecond, passed, slowestStep, slowestStepP99: slowest.p99, total: report.total };
}

/** The dialer's rate (50 starts a second), then doubling while the run still passes. */
async function measureLoad(flavour: Flavour): Promise<{ atDefault: LoadRun; highestPassing?: LoadRun }> {
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

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);

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

/** The reference suite (bench/suite) end to end, as a user runs it: the clock starts with the command. */
async function suiteRun(
  runner: keyof typeof SUITE_RUNNERS,
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
    file = writeContext(await composeContext(options, up));
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

/** Jest and Vitest, cold and with reuse, against the compose way; rotating order, REPEATS each. */
async function measureSuite() {
  const cache = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-bench-reuse-"));
  const reuseEnv = { ...process.env, CAMPAIGN_TESTENV_REUSE: "true", XDG_CACHE_HOME: cache };
  const sides = {
    compose: (i: number) => suiteOnCompose(i),
    "jest cold": () => suiteRun("jest", process.env),
    "vitest cold": () => suiteRun("vitest", process.env),
    "jest reuse": () => suiteRun("jest", reuseEnv),
    "vitest reuse": () => suiteRun("vitest", reuseEnv),
  };
  type Side = keyof typeof sides;
  const names = Object.keys(sides) as Side[];
  const runs = Object.fromEntries(names.map((n) => [n, [] as SuiteRun[]])) as Record<Side, SuiteRun[]>;
  try {
    await run("npm", ["run", "build"], { cwd: packageRoot }); // the suite runs on dist/, as consumers do
    await suiteRun("jest", reuseEnv); // leaves the reused environment for the reuse rows
    for (let i = 0; i < REPEATS; i++) {
      for (const name of names.map((_, k) => names[(k + i) % names.length])) {
        const r = await sides[name](i);
        runs[name].push(r);
        log(
          `suite ${i + 1}/${REPEATS}, ${name}: first test at ${ms(r.firstTestMs)}, done at ${ms(r.wallMs)}`,
        );
      }
    }
  } finally {
    await removeRecordedContainers(cache);
    rmSync(cache, { recursive: true, force: true });
  }
  return Object.fromEntries(
    names.map((n) => [
      n,
      {
        firstTestMs: summary(runs[n].map((r) => r.firstTestMs)),
        wallMs: summary(runs[n].map((r) => r.wallMs)),
        // A claim from a warm pool: the files after the first two, which start once the pool is filled.
        laterSetupMs: summary(runs[n].flatMap((r) => r.setupMs.slice(2))),
      },
    ]),
  ) as Record<Side, { firstTestMs: Summary; wallMs: Summary; laterSetupMs: Summary }>;
}

async function measureFlavour(flavour: Flavour) {
  log(`starting one ${flavour} environment in this process for the reset and provisioning rows`);
  const environment = await startEnvironment({ quiet: true, awsFlavour: flavour });
  try {
    const reset = await measureReset(environment.context);
    const provisioning = await measureProvisioning(environment.context);
    return { reset, provisioning };
  } finally {
    await environment.stop();
  }
}

async function main(): Promise<void> {
  log(
    `services ${options.services.join(", ")}; images ${options.services.map((s) => options.images[s]).join(", ")}`,
  );
  log(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg()[0].toFixed(2)}`,
  );
  const startup = await measureStartup();
  const reuse = await measureReuse();
  log(
    "running the reference suite (bench/suite, 10 files) with Jest and Vitest, cold and reused, and the compose way",
  );
  const suite = await measureSuite();
  const flavours = {} as Record<
    Flavour,
    Awaited<ReturnType<typeof measureFlavour>> & { load: Awaited<ReturnType<typeof measureLoad>> }
  >;
  for (const flavour of FLAVOURS) {
    const inProcess = await measureFlavour(flavour);
    log(`running the 1000-call suite on ${flavour}`);
    flavours[flavour] = { ...inProcess, load: await measureLoad(flavour) };
  }

  const TARGETS: Record<Flavour, { startup: number; resetMs: number; memoryMiB: number }> = {
    localstack: { startup: 0.5, resetMs: 25, memoryMiB: 1200 },
    ministack: { startup: 0.3, resetMs: 10, memoryMiB: 400 },
  };
  const rows: [string, string, string, boolean | undefined][] = [
    ["startup, compose way (median)", ms(startup.compose.median), "baseline", undefined],
    ["startup, reuse (median)", ms(reuse.median), "< 100 ms", reuse.median < 100],
    [
      "memory, compose way (idle, median)",
      `${startup.composeMemory.median.toFixed(0)} MiB`,
      "compose era: about 2.5 GB",
      undefined,
    ],
  ];
  for (const flavour of FLAVOURS) {
    const { reset, provisioning, load } = flavours[flavour];
    const target = TARGETS[flavour];
    const cold = startup.cold[flavour];
    const ratio = cold.ms.median / startup.compose.median;
    rows.push(
      [
        `${flavour}: startup cold (median)`,
        `${ms(cold.ms.median)} (${ratio.toFixed(2)}x compose)`,
        `<= ${target.startup}x compose`,
        ratio <= target.startup,
      ],
      [
        `${flavour}: reset, cleanTestData (median / p95)`,
        `${ms(reset.cleanTestData.median)} / ${ms(reset.cleanTestData.p95)}`,
        `< ${target.resetMs} ms median`,
        reset.cleanTestData.median < target.resetMs,
      ],
      [
        `${flavour}: reset, naive cleanup (median)`,
        `${ms(reset.naive.median)} (${(reset.naive.median / reset.cleanTestData.median).toFixed(1)}x cleanTestData)`,
        "compose era: about 2 s",
        undefined,
      ],
      [
        `${flavour}: a store set built from scratch (median / p95)`,
        `${ms(provisioning.median)} / ${ms(provisioning.p95)}`,
        "none: the pool's claims (suite rows)",
        undefined,
      ],
      [
        `${flavour}: 1000 calls at 50/s, slowest step's p99`,
        `${ms(load.atDefault.slowestStepP99)} (${load.atDefault.slowestStep})`,
        "< 100 ms (requirement 200 ms)",
        load.atDefault.slowestStepP99 < 100,
      ],
      [
        `${flavour}: highest start rate with every p99 < 200 ms`,
        load.highestPassing
          ? `${load.highestPassing.startsPerSecond}/s (tried up to ${MAX_STARTS_PER_SECOND}/s, doubling from 50)`
          : "none: 50/s failed",
        "report",
        undefined,
      ],
      [
        `${flavour}: memory, all containers (idle, median)`,
        `${cold.memory.median.toFixed(0)} MiB`,
        `< ${target.memoryMiB} MiB`,
        cold.memory.median < target.memoryMiB,
      ],
    );
  }
  const composeFirst = suite.compose.firstTestMs.median;
  for (const side of ["jest cold", "vitest cold", "jest reuse", "vitest reuse", "compose"] as const) {
    const { firstTestMs, wallMs, laterSetupMs } = suite[side];
    const ratio = firstTestMs.median / composeFirst;
    rows.push(
      [
        `suite, ${side}: command to first test (median)`,
        side === "compose"
          ? ms(firstTestMs.median)
          : `${ms(firstTestMs.median)} (${ratio.toFixed(2)}x compose)`,
        side === "compose" ? "baseline" : side.endsWith("cold") ? "<= 0.4x compose" : "",
        side.endsWith("cold") ? ratio <= 0.4 : undefined,
      ],
      [`suite, ${side}: whole run (median)`, ms(wallMs.median), "", undefined],
      [
        `suite, ${side}: a later file's setup (median / p95)`,
        `${ms(laterSetupMs.median)} / ${ms(laterSetupMs.p95)}`,
        side === "compose" ? "" : "< 30 ms median",
        side === "compose" ? undefined : laterSetupMs.median < 30,
      ],
    );
  }
  const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length), 8));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(width[c] ?? 3)).join(" | ")} |`;
  console.log();
  console.log(line(["what", "measured", "target", "met"]));
  console.log(line(["-".repeat(width[0]), "-".repeat(width[1]), "-".repeat(width[2]), "---"]));
  for (const [what, measured, target, met] of rows)
    console.log(line([what, measured, target, met === undefined ? "" : met ? "yes" : "NO"]));
  console.log(
    `\n${REPEATS} startups each, ${RESET_ITERATIONS} resets each, ${PROVISIONED_SETS} store sets built from scratch; one noisy shared machine.`,
  );

  const dir = path.join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const result = {
    date: new Date().toISOString(),
    machine: { cores: os.cpus().length, memoryGiB: os.totalmem() / 2 ** 30, loadAverage: os.loadavg() },
    services: options.services,
    images: options.images,
    repeats: REPEATS,
    startup: { composeMs: startup.compose, composeMemoryMiB: startup.composeMemory, reuseMs: reuse },
    suite,
    flavours: Object.fromEntries(
      FLAVOURS.map((f) => [
        f,
        {
          coldMs: startup.cold[f].ms,
          coldToComposeRatio: startup.cold[f].ms.median / startup.compose.median,
          memoryMiB: startup.cold[f].memory,
          resetMs: flavours[f].reset,
          oneMoreWorkerMs: flavours[f].provisioning,
          load: flavours[f].load,
        },
      ]),
    ),
  };
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  log(`written ${path.relative(packageRoot, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
