// Reliability, process by process: the packed package's `up` and a consumer's Jest run, started as a
// user would, stopped with real signals (to the whole process group, as a terminal's Ctrl-C is), and
// what they leave counted by this package's container labels and by the files in their own TMPDIR.
// Every output of these tests (but the settings `up` prints on purpose) is searched for passwords.
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import type { ChildProcess } from "node:child_process";
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Client } from "pg";
import {
  type EnvironmentContext,
  ServiceDownError,
  checkServicesHealth,
  setupTestEnvironment,
  startEnvironment,
} from "../src";
import { readContext, writeRunFile } from "../src/context";
import { docker, LABELS, removeContainers } from "../src/docker";
import { createConsumerProject, inBackground, npx, run, runIdIn, until } from "./support/consumer";

const scratch = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-reliability-"));
/** Every output of these tests, searched for passwords at the end. */
const outputs: string[] = [];
const passwords = new Set<string>();
/** Runs started here: whatever a failing test leaves, afterAll removes exactly these. */
const runIds = new Set<string>();
/** Processes started in the background: one a failing test leaves running would keep Jest from exiting. */
const children = new Set<ChildProcess>();
const measured: Record<string, string> = {};

const WAITING_TEST = `const { writeFileSync } = require("node:fs");
const { setupTestEnvironment, teardownTestEnvironment } = require("campaign-testenv");

test("holds the environment until it is interrupted", async () => {
  const env = await setupTestEnvironment({ services: ["postgres", "redis"] });
  await env.postgres.query("SELECT 1");
  writeFileSync(process.env.READY_FILE, "ready");
  await new Promise((resolve) => setTimeout(resolve, 300000));
  await teardownTestEnvironment(env);
}, 400000);
`;

/**
 * A runner's parent that launched a run (its context file names the services it is starting and the
 * time by which they are due) and then stalled, or died: what a test file meets when the start never
 * ends. PARENT=dead names a process that has exited as the context's owner.
 */
const STALLED_SETUP = `const { spawnSync } = require("node:child_process");
const { mkdirSync, writeFileSync } = require("node:fs");
const path = require("node:path");
module.exports = async () => {
  const dir = path.join(process.env.TMPDIR, "campaign-testenv-stalledrun");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, "context.json");
  const pid = process.env.PARENT === "dead" ? spawnSync(process.execPath, ["-e", ""]).pid : process.pid;
  writeFileSync(file, JSON.stringify({
    context: {
      runId: "stalledrun",
      startedAt: new Date().toISOString(),
      services: ["postgres", "redis"],
      storeSets: path.join(dir, "store-sets"),
    },
    pid,
    state: { readyBy: Date.now() + Number(process.env.BOUND_MS), steps: { postgres: "applying 3 migrations" } },
  }));
  process.env.CAMPAIGN_TESTENV_CONTEXT = file;
};
`;

const WAITING_FOR_STALLED = (name: string) => `const { setupTestEnvironment } = require("campaign-testenv");

test("${name} waits for postgres", async () => {
  await setupTestEnvironment({ services: ["postgres"] });
});
`;

let project: string;
/**
 * The installed command itself: what `npx campaign-testenv` runs. Its exit code is the command's own
 * (npx, after a signal, reports the signal whatever its child did).
 */
const cli = () => path.join(project, "node_modules", ".bin", "campaign-testenv");
beforeAll(() => {
  project = createConsumerProject({
    "jest.config.js": `module.exports = { preset: "campaign-testenv" };\n`,
    "waiting/wait.test.js": WAITING_TEST,
    "stalled/jest.config.js": `module.exports = { preset: "campaign-testenv", globalSetup: "./setup.js", rootDir: __dirname, testTimeout: 60000 };\n`,
    "stalled/setup.js": STALLED_SETUP,
    ...Object.fromEntries(
      ["one", "two", "three"].map((name) => [`stalled/${name}.test.js`, WAITING_FOR_STALLED(name)]),
    ),
  });
}, 300_000);

afterAll(async () => {
  for (const child of children)
    if (child.exitCode === null && child.signalCode === null) process.kill(-child.pid!, "SIGKILL");
  for (const runId of runIds) await removeContainers(runId);
  rmSync(scratch, { recursive: true, force: true });
  if (project) rmSync(project, { recursive: true, force: true });
  console.log(`reliability figures: ${JSON.stringify(measured, null, 2)}`);
});

/** A command in the consumer project, in its own process group; killed at the end if still running. */
function background(cmd: string, args: string[], env: NodeJS.ProcessEnv) {
  const started = inBackground(cmd, args, env, project);
  children.add(started.child);
  return started;
}

/** This package's containers (by its labels) of the given runs, as "service state". */
async function containersOf(...runs: string[]): Promise<string[]> {
  const listed = await (
    await docker()
  ).listContainers({
    all: true,
    filters: { label: [`${LABELS.package}=true`] },
  });
  return listed
    .filter((c) => runs.includes(c.Labels[LABELS.run]))
    .map((c) => `${c.Labels[LABELS.service]} ${c.State}`);
}

const runIdOf = (stderr: string) => {
  const runId = runIdIn(stderr);
  runIds.add(runId);
  return runId;
};

/** The run folders (context with credentials) and pointer files this package wrote in a TMPDIR. */
const filesIn = (tmp: string) => readdirSync(tmp).filter((f) => f.startsWith("campaign-testenv-"));

const keepPasswords = (context: EnvironmentContext) => {
  if (context.postgres) passwords.add(context.postgres.password);
  if (context.redis) passwords.add(context.redis.password);
};

test("up keeps running past the reaper's grace, answers health and logs; SIGINT removes its containers and files within 5 s", async () => {
  const tmp = mkdtempSync(path.join(scratch, "up-"));
  const envFile = path.join(tmp, ".env.test");
  const env = { TMPDIR: tmp, CAMPAIGN_TESTENV_SERVICES: "postgres,redis" };
  const up = background(cli(), ["up", "--write-env", envFile], env);
  await until("up is running", () => up.out.stderr.includes("running; press Ctrl-C"), 120_000);
  const runId = runIdOf(up.out.stderr);
  passwords.add(/^PGPASSWORD=(.+)$/m.exec(up.out.stdout)![1]); // printed on purpose, so not searched
  passwords.add(/^REDIS_URL=redis:\/\/:([^@]+)@/m.exec(up.out.stdout)![1]);
  expect(readFileSync(envFile, "utf8")).toBe(up.out.stdout);
  expect(statSync(envFile).mode & 0o777).toBe(0o600);

  await new Promise((resolve) => setTimeout(resolve, 20_000)); // the reaper removes an orphan's containers after 10 s
  expect(up.child.exitCode).toBeNull();
  expect((await containersOf(runId)).sort()).toEqual(["postgres running", "redis running"]);
  const health = run(npx, ["campaign-testenv", "health"], env, project);
  outputs.push(health.stdout, health.stderr);
  expect({ status: health.status, stdout: health.stdout }).toMatchObject({ status: 0 });
  expect(health.stdout).toMatch(/^postgres +healthy/m);
  expect(health.stdout).toContain(`:${/^PGPORT=(\d+)$/m.exec(up.out.stdout)![1]}`); // up's, not another run's
  const logs = run(npx, ["campaign-testenv", "logs", "postgres"], env, project);
  outputs.push(logs.stdout, logs.stderr);
  expect(logs.stdout).toContain("database system is ready to accept connections");
  // A reader that stops early: `head` exits after one line, and the next line PostgreSQL logs (a
  // refused login, made here until one lands after head is gone) meets a closed pipe, which must end
  // `logs` with 0, not a stack trace.
  const followed = background(
    "bash",
    ["-o", "pipefail", "-c", `"${cli()}" logs -f postgres | head -n 1`],
    env,
  );
  const { host, port, user, database } = readContext(
    /^CAMPAIGN_TESTENV_CONTEXT=(.+)$/m.exec(up.out.stdout)![1],
  ).postgres!;
  const refusedLogin = () =>
    new Client({ host, port, user, database, password: "not-the-password" }).connect().then(
      () => Promise.reject(new Error("a wrong password was accepted")),
      (error: Error) => expect(error.message).toMatch(/password authentication failed/),
    );
  await until(
    "logs -f | head -n 1 ended",
    async () => followed.child.exitCode !== null || (await refusedLogin(), false),
    30_000,
  );
  expect(await followed.exited).toBe(0);
  expect(followed.out.stdout).toMatch(/^[^\n]+\n$/);
  expect(followed.out.stderr).toBe("");

  up.signal("SIGINT");
  const ms = await until(
    "no container and no file of up left",
    async () => (await containersOf(runId)).length === 0 && filesIn(tmp).length === 0 && !existsSync(envFile),
    5000,
  );
  expect(await up.exited).toBe(0);
  outputs.push(up.out.stderr);
  measured["up: SIGINT to 0 containers and 0 files"] = `${ms} ms`;
}, 200_000);

/** A consumer's `npx jest` holding the environment inside a test; resolves once that test runs. */
async function interruptibleJest(name: string) {
  const tmp = mkdtempSync(path.join(scratch, `${name}-`));
  const ready = path.join(tmp, "ready");
  const jest = background(npx, ["jest", "--roots", "waiting"], {
    TMPDIR: tmp,
    READY_FILE: ready,
    CAMPAIGN_TESTENV_SERVICES: "postgres,redis",
  });
  await until("the consumer's test runs", () => existsSync(ready) || jest.child.exitCode !== null, 120_000);
  expect(jest.out.stderr).toContain("environment ready");
  const runId = runIdOf(jest.out.stderr);
  const runFolder = path.join(tmp, `campaign-testenv-${runId}`);
  keepPasswords(readContext(path.join(runFolder, "context.json")));
  expect((await containersOf(runId)).sort()).toEqual(["postgres running", "redis running"]);
  return { tmp, jest, runId, runFolder };
}

test("Ctrl-C of a consumer's Jest run: its containers and its context folder are gone within 5 s", async () => {
  const { jest, runId, runFolder } = await interruptibleJest("sigint");
  jest.signal("SIGINT");
  const ms = await until(
    "no container and no context folder of the Jest run left",
    async () => (await containersOf(runId)).length === 0 && !existsSync(runFolder),
    5000,
  );
  await jest.exited;
  expect(jest.out.stderr).toContain(
    "campaign-testenv: SIGINT: removing the containers and files of this run",
  );
  outputs.push(jest.out.stdout, jest.out.stderr);
  measured["jest: SIGINT to 0 containers and 0 files"] = `${ms} ms`;
}, 200_000);

test("SIGKILL of a consumer's Jest run: its containers and its context folder are gone within 20 s", async () => {
  const { jest, runId, runFolder } = await interruptibleJest("sigkill");
  jest.signal("SIGKILL");
  const ms = await until(
    "no container and no context folder of the killed run left",
    async () => (await containersOf(runId)).length === 0 && !existsSync(runFolder),
    20_000,
  );
  await jest.exited;
  outputs.push(jest.out.stdout, jest.out.stderr);
  measured["jest: SIGKILL to 0 containers and 0 files"] = `${ms} ms`;
}, 200_000);

test("two reuse-mode runs started at once share one container per service", async () => {
  const cache = mkdtempSync(path.join(scratch, "cache-"));
  const ups = ["a", "b"].map((name) =>
    background(cli(), ["up"], {
      TMPDIR: mkdtempSync(path.join(scratch, `reuse-${name}-`)),
      XDG_CACHE_HOME: cache,
      CAMPAIGN_TESTENV_REUSE: "true",
      CAMPAIGN_TESTENV_SERVICES: "postgres,redis",
    }),
  );
  for (const up of ups)
    await until("up is running", () => up.out.stderr.includes("running; press Ctrl-C"), 180_000);
  const runs = ups.map((up) => runIdOf(up.out.stderr));
  const urls = ups.map((up) => /^DATABASE_URL=(.+)$/m.exec(up.out.stdout)![1]);
  passwords.add(/^PGPASSWORD=(.+)$/m.exec(ups[0].out.stdout)![1]);
  expect(urls[1]).toBe(urls[0]);
  expect((await containersOf(...runs)).sort()).toEqual(["postgres running", "redis running"]);
  for (const up of ups) up.signal("SIGINT");
  for (const up of ups) expect(await up.exited).toBe(0);
  outputs.push(...ups.map((up) => up.out.stderr));
  expect((await containersOf(...runs)).length).toBe(2); // reuse mode keeps them for the next run
}, 300_000);

test("a container killed during a test: the failing call, checkServicesHealth and `health` name the service and say it exited", async () => {
  const environment = await startEnvironment({ services: ["postgres", "redis"], quiet: true });
  const { context } = environment;
  runIds.add(context.runId);
  keepPasswords(context);
  const env = await setupTestEnvironment({ context });
  const contextFile = writeRunFile(context);
  try {
    await env.postgres.query("SELECT 1");
    const engine = await docker();
    await engine.getContainer(context.containers!.postgres!).kill();

    const failure = (await env.postgres.query("SELECT 1").catch((error: Error) => error)) as Error;
    outputs.push(failure.message);
    expect(failure.message).toMatch(
      /^campaign-testenv: the postgres container [0-9a-f]{12} exited with code 137 during the run, so a call to postgres failed \(.+\); something outside this run stopped it/,
    );
    expect(failure).toBeInstanceOf(ServiceDownError);
    expect(failure.message).toContain("Last ");

    const health = await checkServicesHealth(context);
    outputs.push(JSON.stringify(health));
    expect(health.map((h) => [h.service, h.healthy])).toEqual([
      ["postgres", false],
      ["redis", true],
    ]);
    expect(health[0].detail).toMatch(/the postgres container [0-9a-f]{12} exited with code 137/);

    await engine.getContainer(context.containers!.redis!).kill();
    const redisFailure = (await env.redis.get("x").catch((error: Error) => error)) as Error;
    outputs.push(redisFailure.message);
    expect(redisFailure.message).toMatch(
      /the redis container [0-9a-f]{12} exited with code 137 during the run/,
    );

    // The CLI against the dead environment: a line per service, no stack trace, no ioredis noise.
    const cli = run(npx, ["campaign-testenv", "health"], { CAMPAIGN_TESTENV_CONTEXT: contextFile }, project);
    outputs.push(cli.stdout, cli.stderr);
    expect(cli.status).toBe(1);
    expect(cli.stdout).toMatch(
      /^postgres +UNHEALTHY .*the postgres container [0-9a-f]{12} exited with code 137/m,
    );
    expect(cli.stdout).toMatch(/^redis +UNHEALTHY .*the redis container [0-9a-f]{12} exited with code 137/m);
    expect(`${cli.stdout}${cli.stderr}`).not.toMatch(/\n\s+at |Unhandled error event/);
  } finally {
    rmSync(path.dirname(contextFile), { recursive: true, force: true });
    await env.close().catch(() => undefined);
    await environment.stop();
  }
}, 120_000);

test("Mongo and AWS too: a call through env.mongo's collections or env.aws's clients on a stopped container names it", async () => {
  const environment = await startEnvironment({ services: ["mongo", "aws"], quiet: true });
  const { context } = environment;
  runIds.add(context.runId);
  const env = await setupTestEnvironment({ context });
  try {
    await env.mongo.collection("call_events").insertOne({ callId: "c1" });
    await env.aws.sqs.send(new ListQueuesCommand({}));
    const engine = await docker();
    await engine.getContainer(context.containers!.mongo!).kill();
    await engine.getContainer(context.containers!.aws!).kill();

    const mongoFailure = (await env.mongo
      .collection("call_events")
      .find({ callId: "c1" })
      .toArray()
      .catch((error: Error) => error)) as Error;
    outputs.push(mongoFailure.message);
    expect(mongoFailure).toBeInstanceOf(ServiceDownError);
    expect(mongoFailure.message).toMatch(
      /^campaign-testenv: the mongo container [0-9a-f]{12} exited with code 137 during the run, so a call to mongo failed/,
    );
    const awsFailure = (await env.aws.sqs
      .send(new ListQueuesCommand({}))
      .catch((error: Error) => error)) as Error;
    outputs.push(awsFailure.message);
    expect(awsFailure).toBeInstanceOf(ServiceDownError);
    expect(awsFailure.message).toMatch(
      /^campaign-testenv: the aws container [0-9a-f]{12} exited with code 137 during the run, so a call to aws failed/,
    );
  } finally {
    await env.close().catch(() => undefined);
    await environment.stop();
  }
}, 120_000);

test.each([
  [
    "stalls",
    "alive",
    /waited \d+ s for postgres of run stalledrun to be ready \(the start's timeout plus a margin; postgres at "applying 3 migrations"\)/,
  ],
  ["dies", "dead", /the process that was starting postgres \(pid \d+\) is gone/],
] as const)(
  "a parent that %s before its services are ready: every waiting file fails within the bound, with the sentence",
  (_what, parent, sentence) => {
    const tmp = mkdtempSync(path.join(scratch, `stalled-${parent}-`));
    const boundMs = 6000;
    const started = Date.now();
    const result = run(
      npx,
      ["jest", "--config", "stalled/jest.config.js", "--maxWorkers=3"],
      { TMPDIR: tmp, PARENT: parent, BOUND_MS: String(boundMs) },
      project,
    );
    const seconds = (Date.now() - started) / 1000;
    outputs.push(result.stdout, result.stderr);
    expect(result.status).toBe(1);
    expect(result.stderr).toMatch(/Tests:\s+3 failed, 3 total/);
    expect(result.stderr.match(new RegExp(sentence.source, "g"))).toHaveLength(3);
    // Jest's own start and the three files' waits, at most the bound and some start-up time.
    expect(seconds).toBeLessThan(boundMs / 1000 + 30);
    measured[`a parent that ${parent === "dead" ? "died" : "stalled"}: 3 waiting files failed after`] =
      `${seconds.toFixed(1)} s (bound ${boundMs / 1000} s)`;
  },
  120_000,
);

test("no output of these tests holds a password", () => {
  expect(passwords.size).toBeGreaterThanOrEqual(8); // from each up, each Jest run and the killed environment
  expect(outputs.join("").length).toBeGreaterThan(1000);
  const leaks = [...passwords].filter((password) => outputs.some((output) => output.includes(password)));
  expect(leaks).toEqual([]);
});
