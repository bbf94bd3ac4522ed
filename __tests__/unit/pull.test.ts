// Pull progress and pull failures, from the engine's own stream lines (the shapes of moby's
// jsonmessage), with no engine: what a first run shows, and the sentence each refusal gets.
import { PassThrough } from "node:stream";
import { pullLine, PullProgress } from "../../src/progress";
import { applyEvent, explainPullFailure, type PullState, summarise } from "../../src/pull";

/** A pull's layers after the engine's lines `events`. */
function pullOf(events: object[]) {
  const layers = new Map();
  for (const event of events) applyEvent(layers, event);
  return summarise(layers);
}

describe("pull progress from the engine's stream", () => {
  test("layers announced, downloading, complete, and already present", () => {
    const events = [
      { status: "Pulling from library/postgres", id: "15-alpine" },
      { status: "Pulling fs layer", progressDetail: {}, id: "aaaaaaaaaaaa" },
      { status: "Pulling fs layer", progressDetail: {}, id: "bbbbbbbbbbbb" },
      { status: "Already exists", progressDetail: {}, id: "cccccccccccc" },
      { status: "Waiting", progressDetail: {}, id: "bbbbbbbbbbbb" },
      { status: "Downloading", progressDetail: { current: 1000, total: 4000 }, id: "aaaaaaaaaaaa" },
    ];
    expect(pullOf(events)).toEqual({ layers: 3, done: 1, received: 1000, total: undefined });
    const more = [
      ...events,
      { status: "Downloading", progressDetail: { current: 500, total: 6000 }, id: "bbbbbbbbbbbb" },
      { status: "Verifying Checksum", progressDetail: {}, id: "aaaaaaaaaaaa" },
      { status: "Download complete", progressDetail: {}, id: "aaaaaaaaaaaa" },
      { status: "Extracting", progressDetail: { current: 2000, total: 4000 }, id: "aaaaaaaaaaaa" },
    ];
    // Every layer has said its size now: the total is known (the present one counts nothing).
    expect(pullOf(more)).toEqual({ layers: 3, done: 1, received: 4500, total: 10_000 });
    const done = [
      ...more,
      { status: "Pull complete", progressDetail: {}, id: "aaaaaaaaaaaa" },
      { status: "Download complete", progressDetail: {}, id: "bbbbbbbbbbbb" },
      { status: "Pull complete", progressDetail: {}, id: "bbbbbbbbbbbb" },
      { status: "Digest: sha256:0123" },
      { status: "Status: Downloaded newer image for postgres:15-alpine" },
    ];
    expect(pullOf(done)).toEqual({ layers: 3, done: 3, received: 10_000, total: 10_000 });
  });

  test("a pull line: what arrived of how much, the layers, the time", () => {
    const state: PullState = {
      image: "localstack/localstack:4.14.0",
      registry: "Docker Hub",
      layers: 9,
      done: 5,
      received: 312_400_000,
      total: 402_100_000,
      startedAt: 0,
    };
    expect(pullLine(state, 41_000)).toBe(
      "  pulling localstack/localstack:4.14.0  312.4 MB of 402.1 MB, 5 of 9 layers, 41.0 s",
    );
    expect(pullLine({ ...state, total: undefined }, 41_000)).toContain("312.4 MB, 5 of 9 layers");
    expect(pullLine({ ...state, layers: 0, done: 0, received: 0, total: undefined }, 500)).toBe(
      "  pulling localstack/localstack:4.14.0  0.0 MB, asking the registry, 0.5 s",
    );
  });
});

describe("PullProgress", () => {
  const state = (image: string): PullState => ({
    image,
    registry: "Docker Hub",
    layers: 2,
    done: 0,
    received: 0,
    startedAt: performance.now(),
  });
  const output = (tty: boolean) => {
    const stream = Object.assign(new PassThrough(), { isTTY: tty, columns: 60 });
    let text = "";
    stream.on("data", (chunk: Buffer) => (text += chunk.toString()));
    return { stream: stream as unknown as NodeJS.WriteStream, text: () => text };
  };

  test("in a log (no terminal): a line when a pull starts and when it ends, none in between within 10 s", () => {
    const out = output(false);
    const progress = new PullProgress({ quiet: false, stream: out.stream });
    progress.absent([{ image: "redis:7-alpine", neededBy: "redis" }]);
    const pull = state("redis:7-alpine");
    progress.started(pull);
    for (let i = 0; i < 50; i++) progress.progressed({ ...pull, received: i * 1000 });
    progress.finished({ ...pull, received: 12_300_000, done: 2 });
    const lines = out.text().trimEnd().split("\n");
    expect(lines).toHaveLength(3);
    expect(lines[0]).toMatch(/^campaign-testenv: pulling 1 image\(s\) this Docker engine lacks/);
    expect(lines[1]).toBe("  pulling redis:7-alpine from Docker Hub");
    expect(lines[2]).toMatch(/^ {2}pulled {2}redis:7-alpine in \d+\.\d s \(12\.3 MB\)$/);
    expect(out.text()).not.toContain("\x1b[");
  });

  test("on a terminal: one line per pull, redrawn in place, cut to the terminal's width; the end line stays", () => {
    const out = output(true);
    const progress = new PullProgress({ quiet: false, stream: out.stream });
    const a = state("postgres:15-alpine-with-a-long-name-that-goes-beyond-sixty-columns");
    const b = state("redis:7-alpine");
    progress.started(a);
    progress.started(b);
    progress.finished({ ...b, received: 1_000_000 });
    const text = out.text();
    expect(text).toContain("\x1b[1A\x1b[J"); // the one line drawn so far, erased and drawn again
    expect(text).toContain("\x1b[2A\x1b[J");
    expect(text).toMatch(/ {2}pulled {2}redis:7-alpine in \d+\.\d s \(1\.0 MB\)\n {2}pulling postgres/);
    const ESC = String.fromCharCode(27);
    for (const line of text.split("\n"))
      expect(line.replaceAll(new RegExp(`${ESC}\\[\\d*[AJ]`, "g"), "").length).toBeLessThanOrEqual(59);
  });

  test("quiet: nothing at all", () => {
    const out = output(true);
    const progress = new PullProgress({ quiet: true, stream: out.stream });
    progress.absent([{ image: "redis:7-alpine", neededBy: "redis" }]);
    progress.started(state("redis:7-alpine"));
    progress.finished(state("redis:7-alpine"));
    expect(out.text()).toBe("");
  });
});

describe("explainPullFailure: each refusal its own sentence and fix", () => {
  test.each([
    [
      "toomanyrequests: You have reached your pull rate limit. You may increase the limit by authenticating and upgrading: https://www.docker.com/increase-rate-limit",
      /pull rate limit/,
      /docker login.*TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX/,
    ],
    [
      "(HTTP code 404) unexpected - pull access denied for acme/private, repository does not exist or may require 'docker login': denied: requested access to the resource is denied",
      /^the registry refused the pull: pull access denied/,
      /docker login <registry>/,
    ],
    ["unauthorized: authentication required", /refused the pull/, /DOCKER_AUTH_CONFIG/],
    ["manifest for redis:99 not found: manifest unknown: manifest unknown", /no such image/, /name and tag/],
    [
      '(HTTP code 500) server error - Get "https://registry-1.docker.io/v2/": dial tcp: lookup registry-1.docker.io: no such host',
      /^the engine could not reach the registry: Get/,
      /network and proxy settings/,
    ],
  ])("%s", (message, reason, fix) => {
    const explained = explainPullFailure(message);
    expect(explained.reason).toMatch(reason);
    expect(explained.fix).toMatch(fix);
    expect(explained.reason).not.toMatch(/^\(HTTP code/);
  });
});
