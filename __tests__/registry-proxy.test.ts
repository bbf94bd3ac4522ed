// The registry proxy (support/registry-proxy.ts) with the clients that pull: the docker CLI and
// Testcontainers (its reaper included) find official names absent, pull them with layer progress and
// run them; a stalled pull holds its connection until the client leaves; the registry's refusals read
// as the engine writes them; afterwards no official name is left on the engine.
import { spawn } from "node:child_process";
import http from "node:http";
import { setTimeout as sleep } from "node:timers/promises";
import { GenericContainer, Wait } from "testcontainers";
import { waitFor } from "../src";
import { FAILURES, parseReference, TICK_MS } from "./support/pull-stream";
import { localImages, type RegistryProxy, startRegistryProxy } from "./support/registry-proxy";

const local = localImages();
let proxy: RegistryProxy;
beforeAll(async () => {
  proxy = await startRegistryProxy({
    images: {
      "postgres:15-alpine": {
        source: local.CAMPAIGN_TESTENV_POSTGRES_IMAGE,
        seconds: 2,
        bytes: 40e6,
        layers: 5,
      },
      "redis:7-alpine": { source: local.CAMPAIGN_TESTENV_REDIS_IMAGE, seconds: 1, bytes: 8e6, layers: 3 },
      "testcontainers/ryuk:0.14.0": { source: local.RYUK_CONTAINER_IMAGE, seconds: 1, bytes: 6e6, layers: 2 },
      "localstack/localstack:4.14.0": {
        source: local.CAMPAIGN_TESTENV_LOCALSTACK_IMAGE,
        seconds: 1.5,
        bytes: 200e6,
        layers: 4,
      },
      "ministackorg/ministack:1.5.33": { stallAfterBytes: 3e6 },
      "mongo:7.0": { fail: "toomanyrequests" },
      "ghcr.io/ferretdb/ferretdb:1.24.0": { fail: "unauthorized" },
      "postgres:16-alpine": { fail: "notfound" },
      "redis:6-alpine": { fail: "toomanyrequests", failAs: "stream" },
    },
  });
});
afterAll(async () => {
  await proxy?.removeTags();
  await proxy?.stop();
});

const pullsOf = (image: string) => proxy.pulls.filter((pull) => pull.image === image);

/** The docker CLI through the proxy (in a 200-column terminal if `tty`): its exit code and output. */
function docker(args: string[], tty = false): Promise<{ code: number | null; output: string }> {
  const env = { ...process.env, DOCKER_HOST: proxy.dockerHost };
  const child = tty
    ? spawn("script", ["-qec", `stty cols 200; docker ${args.join(" ")}`, "/dev/null"], { env })
    : spawn("docker", args, { env });
  let output = "";
  child.stdout.on("data", (chunk) => (output += chunk));
  child.stderr.on("data", (chunk) => (output += chunk));
  return new Promise((resolve) => child.on("close", (code) => resolve({ code, output })));
}

/** A pull through the proxy's API, as a program makes it: the status, the body, each chunk's arrival time. */
function apiPull(image: string): Promise<{ status: number; body: string; arrivals: number[] }> {
  const { hostname, port } = new URL(proxy.dockerHost);
  const colon = image.lastIndexOf(":");
  const query = `fromImage=${encodeURIComponent(image.slice(0, colon))}&tag=${image.slice(colon + 1)}`;
  return new Promise((resolve, reject) => {
    const request = http.request(
      { host: hostname, port, method: "POST", path: `/v1.41/images/create?${query}` },
      (answer) => {
        let body = "";
        const arrivals: number[] = [];
        answer.on("data", (chunk) => {
          body += chunk;
          arrivals.push(Date.now());
        });
        answer.on("end", () => resolve({ status: answer.statusCode ?? 0, body, arrivals }));
      },
    );
    request.on("error", reject).end();
  });
}

test("the docker CLI pulls postgres:15-alpine through the proxy with layer progress, then runs it", async () => {
  const pull = await docker(["pull", "postgres:15-alpine"], true);
  expect(pull.code).toBe(0);
  expect(pull.output).toContain("15-alpine: Pulling from library/postgres");
  expect(pull.output).toMatch(/[0-9a-f]{12}: Downloading \[=*> *\] +[\d.]+[kM]?B\/[\d.]+MB/);
  expect(pull.output).toMatch(/[0-9a-f]{12}: Extracting \[=*> *\] +[\d.]+[kM]?B\/[\d.]+MB/);
  expect(pull.output.match(/[0-9a-f]{12}: Pull complete/g)).toHaveLength(5);
  expect(pull.output).toContain("Status: Downloaded newer image for postgres:15-alpine");
  const [record] = pullsOf("postgres:15-alpine");
  expect(record).toMatchObject({
    requested: "docker.io/library/postgres:15-alpine",
    outcome: "pulled",
    bytes: 40e6,
  });
  expect(record.endedAt! - record.startedAt).toBeGreaterThanOrEqual(2000 - TICK_MS);

  const run = await docker(["run", "--rm", "postgres:15-alpine", "psql", "--version"]);
  expect(run).toMatchObject({ code: 0, output: expect.stringMatching(/^psql \(PostgreSQL\) 15\./) });
  const again = await docker(["pull", "postgres:15-alpine"]);
  expect(again.output).toContain("Status: Image is up to date for postgres:15-alpine");
});

test("a pull's stream is the engine's: JSON lines, each layer's steps in order, at a steady pace", async () => {
  const started = Date.now();
  const { status, body, arrivals } = await apiPull("localstack/localstack:4.14.0");
  expect(status).toBe(200);
  expect(body).toMatch(/^(\{.*\}\r\n)+$/);
  const lines = body
    .trimEnd()
    .split("\r\n")
    .map((line) => JSON.parse(line));
  expect(lines[0]).toEqual({ status: "Pulling from localstack/localstack", id: "4.14.0" });
  expect(lines.at(-2).status).toMatch(/^Digest: sha256:[0-9a-f]{64}$/);
  expect(lines.at(-1)).toEqual({ status: "Status: Downloaded newer image for localstack/localstack:4.14.0" });

  const layers = [...new Set(lines.slice(1, -2).map((line) => line.id as string))];
  expect(layers).toHaveLength(4);
  let total = 0;
  for (const [i, id] of layers.entries()) {
    expect(id).toMatch(/^[0-9a-f]{12}$/);
    const own = lines.filter((line) => line.id === id);
    const steps = own.map((line) => line.status).filter((step, j, all) => step !== all[j - 1]);
    expect(steps).toEqual([
      "Pulling fs layer",
      ...(i >= 3 ? ["Waiting"] : []), // the engine downloads 3 layers at a time
      "Downloading",
      "Verifying Checksum",
      "Download complete",
      "Extracting",
      "Pull complete",
    ]);
    for (const step of ["Downloading", "Extracting"]) {
      const moves = own.filter((line) => line.status === step);
      const size = moves[0].progressDetail.total;
      expect(moves.map((line) => line.progressDetail.current)).toEqual(
        [...moves.map((line) => line.progressDetail.current)].sort((a, b) => a - b),
      );
      expect(moves.at(-1).progressDetail).toEqual({ current: size, total: size });
      expect(moves.at(-1).progress).toMatch(/^\[={50}>\] +[\d.]+MB\/[\d.]+MB$/);
    }
    total += own.find((line) => line.status === "Downloading").progressDetail.total;
  }
  expect(total).toBe(200e6);
  // One write per tick: 1.5 s at TICK_MS, the first at once.
  expect(arrivals.length).toBeGreaterThanOrEqual(1500 / TICK_MS);
  expect(arrivals.at(-1)! - started).toBeGreaterThanOrEqual(1500 - TICK_MS);
  expect(Math.max(...arrivals.slice(1).map((at, i) => at - arrivals[i]))).toBeLessThan(4 * TICK_MS);
  expect((await docker(["image", "inspect", "localstack/localstack:4.14.0"])).code).toBe(0);
});

test("each refusal is the engine's answer: its HTTP status and message, or an error line in the stream", async () => {
  const refusals = [
    ["mongo:7.0", "toomanyrequests"],
    ["ghcr.io/ferretdb/ferretdb:1.24.0", "unauthorized"],
    ["postgres:16-alpine", "notfound"],
  ] as const;
  for (const [image, failure] of refusals) {
    const { status: code, message } = FAILURES[failure];
    expect(await apiPull(image)).toMatchObject({
      status: code,
      body: `${JSON.stringify({ message: message(parseReference(image)) })}\n`,
    });
    expect(await docker(["pull", image])).toEqual({
      code: 1,
      output: `Error response from daemon: ${message(parseReference(image))}\n`,
    });
  }
  const inStream = await docker(["pull", "redis:6-alpine"]);
  expect(inStream.code).toBe(1);
  expect(inStream.output).toMatch(
    /^6-alpine: Pulling from library\/redis\n([0-9a-f]{12}: Pulling fs layer\n){2}/,
  );
  expect(inStream.output).toMatch(
    /\ntoomanyrequests: You have reached your unauthenticated pull rate limit\. https:\/\/www\.docker\.com\/increase-rate-limit\n$/,
  );
  expect(proxy.pulls.filter((pull) => pull.outcome === "failed")).toHaveLength(7);
});

test("a stalled pull holds its connection, sending nothing, until the client leaves; then nothing is left", async () => {
  const child = spawn("docker", ["pull", "ministackorg/ministack:1.5.33"], {
    env: { ...process.env, DOCKER_HOST: proxy.dockerHost },
  });
  const exited = new Promise((resolve) => child.on("exit", resolve));
  const record = await waitFor(
    () => pullsOf("ministackorg/ministack:1.5.33").find((pull) => pull.bytes >= 3e6),
    { timeoutMs: 10_000, message: "the stall" },
  );
  await sleep(1500);
  expect(record).toEqual({
    image: "ministackorg/ministack:1.5.33",
    requested: "docker.io/ministackorg/ministack:1.5.33",
    startedAt: expect.any(Number),
    bytes: 3e6,
  });
  expect(child.exitCode).toBeNull();

  child.kill("SIGINT"); // Ctrl-C
  await exited;
  await waitFor(() => record.outcome === "abandoned", {
    timeoutMs: 10_000,
    message: "the pull ends as abandoned",
  });
  await waitFor(() => proxy.openConnections() === 0, {
    timeoutMs: 10_000,
    message: "every connection closed",
  });
  expect((await docker(["image", "inspect", "ministackorg/ministack:1.5.33"])).code).toBe(1);
});

test("Testcontainers pulls redis:7-alpine and its reaper's image through the proxy, waits on the log, execs", async () => {
  process.env.DOCKER_HOST = proxy.dockerHost;
  process.env.RYUK_CONTAINER_IMAGE = "testcontainers/ryuk:0.14.0";
  const container = await new GenericContainer("redis:7-alpine")
    .withExposedPorts(6379)
    .withWaitStrategy(Wait.forLogMessage("Ready to accept connections"))
    .start();
  try {
    expect(await container.exec(["redis-cli", "ping"])).toMatchObject({ exitCode: 0, output: "PONG\n" });
  } finally {
    await container.stop();
  }
  expect(pullsOf("redis:7-alpine")).toEqual([expect.objectContaining({ outcome: "pulled", bytes: 8e6 })]);
  expect(pullsOf("testcontainers/ryuk:0.14.0")).toEqual([expect.objectContaining({ outcome: "pulled" })]);
});

test("afterwards the proxy removes only the names it tagged: the official names are gone, the local images stay", async () => {
  const tagged = [
    "postgres:15-alpine",
    "localstack/localstack:4.14.0",
    "redis:7-alpine",
    "testcontainers/ryuk:0.14.0",
  ];
  expect((await proxy.removeTags()).sort()).toEqual(tagged.sort());
  for (const image of tagged) expect((await docker(["image", "inspect", image])).code).toBe(1);
  for (const image of Object.values(local).filter((value) => value.includes("/"))) {
    expect((await docker(["image", "inspect", image])).code).toBe(0);
  }
});
