// The pure parts of the reliability work: the lines of the engine's log frames, telling a lost
// connection from other failures, the ServiceDownError sentence, the sweep of dead runs' folders, the
// CLI's options.
import { spawnSync } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { Readable } from "node:stream";
import Dockerode from "dockerode";
import { main } from "../../src/cli";
import { removeDeadRuns } from "../../src/context";
import { demuxLines } from "../../src/docker";
import { ServiceDownError } from "../../src/errors";
import { isConnectionError, retryingLostConnections } from "../../src/explain";
import { service } from "../../src/services";

const frame = (stream: number, text: string) => {
  const body = Buffer.from(text);
  const header = Buffer.alloc(8);
  header.writeUInt8(stream, 0);
  header.writeUInt32BE(body.length, 4);
  return Buffer.concat([header, body]);
};

describe("demuxLines", () => {
  test("the lines of stdout and stderr frames, however the stream cuts them; a line split across frames joined", async () => {
    const data = Buffer.concat([
      frame(1, "ready\n"),
      frame(2, "warn\n"),
      frame(1, "a line the engine "),
      frame(1, "split\nlast, unterminated"),
    ]);
    const cuts = [3, 20, data.length - 5]; // inside a header, inside a text, near the end
    const chunks = [0, ...cuts].map((at, i) => data.subarray(at, [...cuts, data.length][i]));
    const lines: string[] = [];
    await demuxLines(new Dockerode().modem, Readable.from(chunks), (line) => lines.push(line));
    expect(lines).toEqual(["ready", "warn", "a line the engine split", "last, unterminated"]);
  });
});

describe("isConnectionError", () => {
  const withCode = (message: string, code: string) => Object.assign(new Error(message), { code });
  test.each([
    ["refused (pg)", withCode("connect ECONNREFUSED 127.0.0.1:32987", "ECONNREFUSED")],
    ["lost in a cause", new Error("query failed", { cause: withCode("read ECONNRESET", "ECONNRESET") })],
  ])("%s: yes", (_name, error) => expect(isConnectionError(error)).toBe(true));
  // What only one service's client says when its server went away: that service knows it.
  test.each([
    [
      "postgres",
      "the server shutting down (57P01)",
      withCode("terminating connection due to administrator command", "57P01"),
    ],
    ["postgres", "the socket closed under a query", new Error("Connection terminated unexpectedly")],
    [
      "postgres",
      "the socket closed before a query",
      new Error("Client has encountered a connection error and is not queryable"),
    ],
    ["redis", "a closed connection", new Error("Connection is closed.")],
    [
      "redis",
      "retries exhausted",
      Object.assign(new Error("Reached the max retries"), { name: "MaxRetriesPerRequestError" }),
    ],
    [
      "mongo",
      "no server to select",
      Object.assign(new Error("Server selection timed out"), { name: "MongoServerSelectionError" }),
    ],
  ] as const)("%s, %s: yes for it, no for another service", (name, _what, error) => {
    expect(isConnectionError(error, service(name))).toBe(true);
    expect(isConnectionError(error, service(name === "postgres" ? "redis" : "postgres"))).toBe(false);
  });
  test.each([
    ["a SQL error", withCode('relation "x" does not exist', "42P01")],
    ["a timeout of waitFor", new Error("waitFor timed out after 5000 ms")],
    ["not an error", "ECONNREFUSED"],
  ])("%s: no", (_name, error) => expect(isConnectionError(error)).toBe(false));
});

test("ServiceDownError names the service, the container, the exit code, the step and the fix, then the log tail", () => {
  const cause = new Error("connect ECONNREFUSED 127.0.0.1:32987");
  const error = new ServiceDownError(
    "postgres",
    "0123456789abcdef",
    137,
    "a call to postgres",
    cause,
    false,
    ["LOG:  database system is ready to accept connections"],
  );
  expect(error.message).toBe(
    "campaign-testenv: the postgres container 0123456789ab exited with code 137 during the run, so a call to " +
      "postgres failed (connect ECONNREFUSED 127.0.0.1:32987); something outside this run stopped it (docker " +
      "kill/stop/rm, campaign-testenv prune, or the engine restarting), then start the run again.\n" +
      "Last 1 log lines of the postgres container:\n  | LOG:  database system is ready to accept connections",
  );
  expect(
    new ServiceDownError("redis", "fedcba9876543210", undefined, "the health check", cause).message,
  ).toMatch(
    /^campaign-testenv: the redis container fedcba987654 was removed during the run, so the health check failed/,
  );
  expect(new ServiceDownError("redis", "fedcba9876543210", 137, "x", cause, true).message).toMatch(
    /exited with code 137 \(out of memory\) during the run, .*; give the engine more memory, then/,
  );
});

test("a store set's preparation is tried again after lost connections, and only after those, for a bounded time", async () => {
  // No container ids: nothing to ask the engine, so the failures stay as they are.
  const context = { runId: "r", startedAt: "", services: ["redis" as const], storeSets: "" };
  const refused = Object.assign(new Error("connect ECONNREFUSED 172.17.0.1:32771"), { code: "ECONNREFUSED" });
  let calls = 0;
  const flaky = () => (++calls < 3 ? Promise.reject(refused) : Promise.resolve("prepared"));
  expect(await retryingLostConnections(context, "redis", "preparing store set 9", flaky)).toBe("prepared");
  expect(calls).toBe(3);

  calls = 0;
  const wrong = () => (++calls, Promise.reject(new Error("WRONGPASS invalid username-password pair")));
  await expect(retryingLostConnections(context, "redis", "preparing", wrong)).rejects.toThrow("WRONGPASS");
  expect(calls).toBe(1);

  calls = 0;
  const down = () => (++calls, Promise.reject(refused));
  await expect(
    retryingLostConnections(context, "redis", "preparing store set 9", down, 1000),
  ).rejects.toMatchObject({
    message:
      "campaign-testenv: redis kept refusing or dropping connections for 1 s while preparing store set 9 " +
      "(last: connect ECONNREFUSED 172.17.0.1:32771), though its container runs; the machine may be " +
      "overloaded: run with fewer runner workers (--maxWorkers), or read the container's log.",
    cause: refused,
  });
  expect(calls).toBe(3); // at 0, 250 and 750 ms; after the next pause (1 s) the 1 s budget is spent
});

test("removeDeadRuns removes the folders of runs whose process is gone, and only those", () => {
  const tmp = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-"));
  try {
    const deadPid = spawnSync(process.execPath, ["-e", ""]).pid!; // exited: its pid is free
    const folders = { dead: "campaign-testenv-dead000001", alive: "campaign-testenv-alive00001" };
    for (const [state, name] of Object.entries(folders)) {
      mkdirSync(path.join(tmp, name));
      const pid = state === "dead" ? deadPid : process.pid;
      writeFileSync(
        path.join(tmp, name, "context.json"),
        JSON.stringify({ pid, context: { runId: name.slice(-10) }, state: {} }),
      );
    }
    mkdirSync(path.join(tmp, "campaign-testenv-consumer-abc123")); // not a run folder: never touched
    mkdirSync(path.join(tmp, "campaign-testenv-writing001")); // no context yet: being written
    // A file with no owner at its top (a format this version does not know): left alone.
    mkdirSync(path.join(tmp, "campaign-testenv-unknown001"));
    writeFileSync(
      path.join(tmp, "campaign-testenv-unknown001", "context.json"),
      JSON.stringify({ context: {} }),
    );

    expect(removeDeadRuns(tmp)).toEqual([path.join(tmp, folders.dead)]);
    expect(removeDeadRuns(tmp)).toEqual([]);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

describe("the command line", () => {
  test("--env-file (which Node.js claims) fails at once with the new name, before anything starts", async () => {
    await expect(main(["up", "--env-file", ".env.test"])).rejects.toThrow(
      /^campaign-testenv up: Unknown option '--env-file' \(campaign-testenv up --env-file was renamed --write-env \(Node\.js claims --env-file\)\); run "campaign-testenv help" for the options\.$/,
    );
  });

  test("logs with no environment running and no engine to find a reused one: one sentence, exit 1, no stack", () => {
    const tmp = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-"));
    try {
      const cli = path.join(__dirname, "..", "..", "src", "cli.ts");
      // A tcp:// DOCKER_HOST that refuses: Testcontainers then finds no engine (for a unix:// one that
      // does not exist, it would fall back to the default socket).
      const result = spawnSync(process.execPath, ["-r", "ts-node/register/transpile-only", cli, "logs"], {
        encoding: "utf8",
        env: { ...process.env, TMPDIR: tmp, CAMPAIGN_TESTENV_CONTEXT: "", DOCKER_HOST: "tcp://127.0.0.1:1" },
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toMatch(
        /^campaign-testenv: no Docker engine answers at DOCKER_HOST=tcp:\/\/127\.0\.0\.1:1; start Docker .*\.\n$/,
      );
    } finally {
      rmSync(tmp, { recursive: true, force: true });
    }
  });
});
