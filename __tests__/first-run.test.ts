// A new user's first run, on the users' path: a consumer project (the packed tarball, the preset, the
// official image names) on an engine that has none of the images, through a Docker-API proxy of our own
// that plays the registry's part (support/registry-proxy.ts: these machines reach no registry). The
// slow pulls take longer than the preset's 60 s hook timeout, and the run must still pass, naming each
// pull while it lasts. Then what goes wrong on first runs: a stalled pull, Docker Hub's rate limit, a
// refused login, and Ctrl-C in the middle of a pull.
//
// What stands in for each official image is the local image set (images/local.env), tagged under the
// official name when its pull ends. Mongo runs as FerretDB (the `ferretdb` flavour, official image name
// ghcr.io/ferretdb/ferretdb:1.24.0): no MongoDB server can be built here.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { docker, LABELS, removeContainers } from "../src/docker";
import { localImages, type RegistryProxy, startRegistryProxy } from "./support/registry-proxy";
import {
  createConsumerProject,
  inBackground,
  JEST_TOOLS,
  npx,
  runIdIn,
  TSCONFIG,
  until,
} from "./support/consumer";

const local = localImages();

/** Longer than the preset's testTimeout (60 s), which bounds each test file's beforeAll. */
const SLOW_PULL_S = 90;

let proxy: RegistryProxy;
let project: string;
/** The consumer's temp folder: where its runs keep their folders (credentials). */
let tmp: string;
const runIds: string[] = [];

/** The consumer's test files: the README's own, and one that uses all four services. */
const FILES = {
  "jest.config.js": `module.exports = { preset: "campaign-testenv" };\n`,
  "tsconfig.json": TSCONFIG,
  "__tests__/campaigns.test.ts": readFileSync(
    path.join(__dirname, "examples", "readme-test-file.test.ts"),
    "utf8",
  ),
  "__tests__/calls.test.ts": `import { SendMessageCommand } from "@aws-sdk/client-sqs";
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => (env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] })));
afterAll(() => teardownTestEnvironment(env));

test("every store answers", async () => {
  expect((await env.postgres.query("SELECT 1 AS one")).rows).toEqual([{ one: 1 }]);
  await env.mongo.collection("call_events").insertOne({ callId: "c1" });
  await env.redis.set("call:c1", "active");
  const QueueUrl = env.aws.resources.queues["dial-tasks"].url;
  await env.aws.sqs.send(new SendMessageCommand({ QueueUrl, MessageBody: "c1" }));
  expect(await env.redis.get("call:c1")).toBe("active");
});
`,
};

/** The env of a consumer run through the proxy: no setting of this run's (images, services...), as a new user has none. */
const firstRun = (env: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv => ({
  ...Object.fromEntries(
    Object.keys(process.env)
      .filter((key) => /^CAMPAIGN_TESTENV_|^RYUK_CONTAINER_IMAGE$|^TESTCONTAINERS_/.test(key))
      .map((key) => [key, undefined]),
  ),
  DOCKER_HOST: proxy.dockerHost,
  TMPDIR: tmp,
  CAMPAIGN_TESTENV_MONGO_FLAVOUR: "ferretdb",
  ...env,
});

beforeAll(async () => {
  proxy = await startRegistryProxy({
    images: {
      "postgres:15-alpine": {
        source: local.CAMPAIGN_TESTENV_POSTGRES_IMAGE,
        seconds: SLOW_PULL_S,
        bytes: 150e6,
        layers: 8,
      },
      "localstack/localstack:4.14.0": {
        source: local.CAMPAIGN_TESTENV_LOCALSTACK_IMAGE,
        seconds: SLOW_PULL_S,
        bytes: 400e6,
        layers: 10,
      },
      "redis:7-alpine": { source: local.CAMPAIGN_TESTENV_REDIS_IMAGE, seconds: 4, bytes: 16e6, layers: 6 },
      "ghcr.io/ferretdb/ferretdb:1.24.0": {
        source: local.CAMPAIGN_TESTENV_MONGO_IMAGE,
        seconds: 8,
        bytes: 40e6,
        layers: 3,
      },
      "testcontainers/ryuk:0.14.0": { source: local.RYUK_CONTAINER_IMAGE, seconds: 3, bytes: 7e6, layers: 2 },
      // For the failures: pulls that stall, hit the rate limit, are refused, or are cut short.
      "ministackorg/ministack:1.5.33": { stallAfterBytes: 3e6 },
      "mongo:7.0": { fail: "toomanyrequests" },
      "ghcr.io/acme/private-redis:7": { fail: "unauthorized" },
      "redis:6-alpine": { source: local.CAMPAIGN_TESTENV_REDIS_IMAGE, seconds: 120, bytes: 16e6, layers: 6 },
    },
  });
  tmp = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-first-run-"));
  project = createConsumerProject(FILES, [...JEST_TOOLS, "@aws-sdk/client-sqs"]);
}, 300_000);

afterAll(async () => {
  for (const runId of runIds) await removeContainers(runId);
  await proxy?.removeTags();
  await proxy?.stop();
  rmSync(tmp, { recursive: true, force: true });
  if (project) rmSync(project, { recursive: true, force: true });
});

const pullOf = (image: string) => proxy.pulls.filter((p) => p.image === image);

test(`npx jest on an engine with no image: every pull named while it lasts (${SLOW_PULL_S} s), then the run passes`, async () => {
  const jest = inBackground(npx, ["jest"], firstRun(), project);
  const code = await jest.exited;
  const { stderr } = jest.out;
  const runId = runIdIn(stderr);
  runIds.push(runId);
  console.log(`a first run's output, as a CI log shows it:\n${stderr.split("\nPASS")[0]}`);
  expect([code, stderr]).toEqual([0, expect.stringMatching(/Tests: +2 passed, 2 total/)]);

  expect(stderr).toContain("campaign-testenv: pulling 5 image(s) this Docker engine lacks");
  for (const [image, registry] of [
    ["postgres:15-alpine", "Docker Hub"],
    ["localstack/localstack:4.14.0", "Docker Hub"],
    ["redis:7-alpine", "Docker Hub"],
    ["ghcr.io/ferretdb/ferretdb:1.24.0", "ghcr.io"],
    ["testcontainers/ryuk:0.14.0", "Docker Hub"],
  ]) {
    expect(stderr).toContain(`  pulling ${image} from ${registry}\n`);
    expect(stderr).toMatch(
      new RegExp(` {2}pulled {2}${image.replace(/[./]/g, "\\$&")} in \\d+\\.\\d s \\(\\d+\\.\\d MB\\)`),
    );
    expect(pullOf(image).map((p) => p.outcome)).toEqual(["pulled"]);
  }
  // While the slow ones last, a line every 10 s or so (this is no terminal): what arrived, of how much
  // once every layer has said its size (the engine downloads three at a time).
  const progress = stderr.match(
    /^ {2}pulling localstack\/localstack:4\.14\.0 {2}[\d.]+ MB(?: of 400\.0 MB)?, \d+ of 10 layers, [\d.]+ s$/gm,
  );
  expect(progress?.length).toBeGreaterThanOrEqual(SLOW_PULL_S / 10 - 1);
  expect(stderr).not.toMatch(/Exceeded timeout|wrote nothing more/);

  // Images before waits: no container was created before the last pull ended.
  const lastPull = Math.max(...proxy.pulls.map((p) => p.endedAt!));
  expect(proxy.creations.length).toBeGreaterThanOrEqual(5); // the reaper and the four services
  expect(Math.min(...proxy.creations.map((c) => c.at))).toBeGreaterThanOrEqual(lastPull);
  // And the teardown left nothing of the run.
  const engine = await docker();
  expect(await engine.listContainers({ all: true, filters: { label: [`${LABELS.run}=${runId}`] } })).toEqual(
    [],
  );
}, 300_000);

/** `campaign-testenv pull` in the consumer project through the proxy. */
async function pull(env: NodeJS.ProcessEnv, services: string) {
  const cli = path.join(project, "node_modules", ".bin", "campaign-testenv");
  const command = inBackground(cli, ["pull", "--services", services], firstRun(env), project);
  return { code: await command.exited, stderr: command.out.stderr };
}

test("a pull that stalls fails after the stall bound, naming the image, the registry, what arrived and the fix", async () => {
  const { code, stderr } = await pull(
    { CAMPAIGN_TESTENV_AWS_FLAVOUR: "ministack", CAMPAIGN_TESTENV_PULL_STALL_TIMEOUT_MS: "3000" },
    "aws",
  );
  expect(code).toBe(1);
  expect(stderr).toMatch(
    /^campaign-testenv: could not pull ministackorg\/ministack:1\.5\.33 \(for aws\) from Docker Hub: nothing arrived for 3 s, after [\d.]+ MB of 6\.0 MB \(0 of 2 layers complete\)\.$/m,
  );
  expect(stderr).toMatch(
    /Fix: .*npx campaign-testenv pull.*pullStallTimeoutMs \/ CAMPAIGN_TESTENV_PULL_STALL_TIMEOUT_MS/,
  );
  expect(stderr).not.toMatch(/\n\s+at /);
  // The package ended the pull: the proxy saw its client leave.
  await until(
    "the stalled pull's connection to end",
    () => pullOf("ministackorg/ministack:1.5.33")[0]?.outcome === "abandoned",
    5000,
  );
}, 60_000);

test("Docker Hub's rate limit and a refused login each get their own sentence and fix", async () => {
  const limited = await pull({ CAMPAIGN_TESTENV_MONGO_FLAVOUR: "mongo" }, "mongo");
  expect(limited.code).toBe(1);
  expect(limited.stderr).toContain(
    "campaign-testenv: could not pull mongo:7.0 (for mongo) from Docker Hub: the registry's pull rate limit refused it: toomanyrequests:",
  );
  expect(limited.stderr).toMatch(/Fix: log in .*docker login.*TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX/);

  const refused = await pull({ CAMPAIGN_TESTENV_REDIS_IMAGE: "ghcr.io/acme/private-redis:7" }, "redis");
  expect(refused.code).toBe(1);
  expect(refused.stderr).toContain(
    "campaign-testenv: could not pull ghcr.io/acme/private-redis:7 (for redis) from ghcr.io: the registry refused the pull: pull access denied",
  );
  expect(refused.stderr).toMatch(
    /Fix: log in to that registry \("docker login <registry>", or DOCKER_AUTH_CONFIG\)/,
  );
}, 60_000);

test("Ctrl-C in the middle of a pull: the run ends at once and leaves no container and no run folder", async () => {
  const created = proxy.creations.length;
  const jest = inBackground(
    npx,
    ["jest"],
    firstRun({ CAMPAIGN_TESTENV_REDIS_IMAGE: "redis:6-alpine" }),
    project,
  );
  await until(
    "the pull of redis:6-alpine to be under way",
    () => (pullOf("redis:6-alpine")[0]?.bytes ?? 0) > 0,
    120_000,
  );
  jest.signal("SIGINT");
  const code = await Promise.race([
    jest.exited,
    new Promise((resolve) => setTimeout(() => resolve("still running"), 20_000).unref()),
  ]);
  expect(code).not.toBe("still running");
  expect(jest.out.stderr).toContain("SIGINT: removing the containers and files of this run");
  await until(
    "the pull's connection to end",
    () => pullOf("redis:6-alpine")[0]?.outcome === "abandoned",
    10_000,
  );
  expect(proxy.creations.length).toBe(created); // nothing was started
  expect(readdirSync(tmp).filter((name) => /^campaign-testenv-[a-z0-9]{10}$/.test(name))).toEqual([]);
}, 180_000);
