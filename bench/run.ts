// npm run bench: startup (compose baseline, cold, reuse), per-test reset, one more worker's stores,
// the 1000-call run and container memory, measured in one run on this machine with the same images.
// Prints a table next to the targets of DESIGN.md and writes bench/results/<timestamp>.json.
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
import { composeDown, composeUp } from "./compose";
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
const RESET_WORKER = 44; // worker ids 44..63: never a real Jest worker's on this machine
const FIRST_EXTRA_WORKER = 45;
const LAST_WORKER = 63;

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

async function measureStartup() {
  const compose: number[] = [];
  const cold: number[] = [];
  const composeMemory: number[] = [];
  const coldMemory: number[] = [];
  for (let i = 0; i < REPEATS; i++) {
    // Alternating order, so neither side always runs on a machine the other just warmed or loaded.
    const order = i % 2 === 0 ? ["compose", "cold"] : ["cold", "compose"];
    for (const which of order) {
      if (which === "compose") {
        const r = await composeOnce(i);
        compose.push(r.ms);
        composeMemory.push(r.memoryMiB);
        log(
          `startup ${i + 1}/${REPEATS}: compose way ${(r.ms / 1000).toFixed(1)} s, ${r.memoryMiB.toFixed(0)} MiB`,
        );
      } else {
        const r = await startInChild("cold");
        cold.push(r.ms);
        coldMemory.push(r.memory?.totalMiB ?? NaN);
        log(
          `startup ${i + 1}/${REPEATS}: campaign-testenv cold ${(r.ms / 1000).toFixed(1)} s, ${r.memory?.totalMiB.toFixed(0)} MiB`,
        );
      }
    }
  }
  return {
    compose: summary(compose),
    cold: summary(cold),
    composeMemory: summary(composeMemory),
    coldMemory: summary(coldMemory),
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
    for (const table of Object.keys(testData.tables).reverse()) await env.pg.query(`DELETE FROM ${table}`);
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
  const env = await setupTestEnvironment({ workerId: RESET_WORKER, context });
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
  for (let id = FIRST_EXTRA_WORKER; id <= LAST_WORKER; id++) {
    const { ms, value: env } = await timed(() => setupTestEnvironment({ workerId: id, context }));
    if (id > FIRST_EXTRA_WORKER) samples.push(ms); // the first one warms up the code paths
    await env.close();
  }
  return summary(samples);
}

/**
 * The 1000-call run is the concurrency suite itself, run here by Jest in a child process (it starts
 * its own environment); its report gives the slowest step's p99 and the whole call's percentiles.
 */
async function measureLoad(): Promise<{ slowestStep: string; slowestStepP99: number; total: Percentiles }> {
  const file = path.join(packageRoot, "reports", "concurrency.json");
  rmSync(file, { force: true });
  await run(process.execPath, [require.resolve("jest/bin/jest"), "__tests__/concurrency.test.ts"], {
    cwd: packageRoot,
    env: { ...process.env, CAMPAIGN_TESTENV_QUIET: "true" },
    maxBuffer: 16 << 20,
  }).catch((error: Error) => log(`the concurrency suite failed; its report is still read: ${error.message}`));
  const report = JSON.parse(readFileSync(file, "utf8")) as LoadReport;
  const [slowestStep, slowest] = Object.entries(report.steps).sort(([, a], [, b]) => b.p99 - a.p99)[0];
  return { slowestStep, slowestStepP99: slowest.p99, total: report.total };
}

const ms = (n: number) => (n >= 1000 ? `${(n / 1000).toFixed(2)} s` : `${n.toFixed(1)} ms`);

async function main(): Promise<void> {
  log(
    `services ${options.services.join(", ")}; images ${options.services.map((s) => options.images[s]).join(", ")}`,
  );
  log(
    `machine: ${os.cpus().length} cores, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, load ${os.loadavg()[0].toFixed(2)}`,
  );
  const startup = await measureStartup();
  const reuse = await measureReuse();

  log("starting one environment in this process for the reset and provisioning rows");
  const environment = await startEnvironment({ quiet: true });
  let reset, provisioning;
  try {
    reset = await measureReset(environment.context);
    provisioning = await measureProvisioning(environment.context);
  } finally {
    await environment.stop();
  }
  log("running the 1000-call suite");
  const load = await measureLoad();

  const startupRatio = startup.cold.median / startup.compose.median;
  const rows: [string, string, string, boolean | undefined][] = [
    ["startup, compose way (median)", ms(startup.compose.median), "baseline", undefined],
    [
      "startup, campaign-testenv cold (median)",
      `${ms(startup.cold.median)} (${startupRatio.toFixed(2)}x compose)`,
      "<= 0.5x compose",
      startupRatio <= 0.5,
    ],
    ["startup, reuse (median)", ms(reuse.median), "< 1 s", reuse.median < 1000],
    [
      "reset, cleanTestData (median / p95)",
      `${ms(reset.cleanTestData.median)} / ${ms(reset.cleanTestData.p95)}`,
      "< 25 ms median",
      reset.cleanTestData.median < 25,
    ],
    [
      "reset, naive cleanup (median / p95)",
      `${ms(reset.naive.median)} / ${ms(reset.naive.p95)} (${(reset.naive.median / reset.cleanTestData.median).toFixed(1)}x cleanTestData)`,
      "compose era: about 2 s",
      undefined,
    ],
    [
      "one more worker's stores (median / p95)",
      `${ms(provisioning.median)} / ${ms(provisioning.p95)}`,
      "< 150 ms",
      provisioning.median < 150,
    ],
    [
      "1000 calls, slowest step's p99",
      `${ms(load.slowestStepP99)} (${load.slowestStep})`,
      "< 100 ms (requirement 200 ms)",
      load.slowestStepP99 < 100,
    ],
    [
      "1000 calls, whole call (p50 / p95 / p99 / max)",
      [load.total.p50, load.total.p95, load.total.p99, load.total.max].map(ms).join(" / "),
      "see reports/concurrency.md",
      undefined,
    ],
    [
      "memory, campaign-testenv (idle, median)",
      `${startup.coldMemory.median.toFixed(0)} MiB`,
      "< 1.2 GB",
      startup.coldMemory.median < 1200,
    ],
    [
      "memory, compose way (idle, median)",
      `${startup.composeMemory.median.toFixed(0)} MiB`,
      "compose era: about 2.5 GB",
      undefined,
    ],
  ];
  const width = [0, 1, 2].map((c) => Math.max(...rows.map((r) => String(r[c]).length), 8));
  const line = (cells: string[]) => `| ${cells.map((cell, c) => cell.padEnd(width[c] ?? 3)).join(" | ")} |`;
  console.log();
  console.log(line(["what", "measured", "target", "met"]));
  console.log(line(["-".repeat(width[0]), "-".repeat(width[1]), "-".repeat(width[2]), "---"]));
  for (const [what, measured, target, met] of rows)
    console.log(line([what, measured, target, met === undefined ? "" : met ? "yes" : "NO"]));
  console.log(
    `\n${REPEATS} startups each, ${RESET_ITERATIONS} resets each, ${LAST_WORKER - FIRST_EXTRA_WORKER} worker setups; one noisy shared machine.`,
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
    startup: {
      composeMs: startup.compose,
      coldMs: startup.cold,
      coldToComposeRatio: startupRatio,
      reuseMs: reuse,
    },
    resetMs: { ...reset, ratio: reset.naive.median / reset.cleanTestData.median },
    oneMoreWorkerMs: provisioning,
    loadRun: load,
    memoryMiB: { campaignTestenv: startup.coldMemory, compose: startup.composeMemory },
  };
  writeFileSync(file, JSON.stringify(result, null, 2) + "\n");
  log(`written ${path.relative(packageRoot, file)}`);
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
