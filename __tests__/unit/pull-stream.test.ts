// What the registry proxy writes for a pull (support/pull-stream.ts), against the engine's own
// formatting: moby's pkg/jsonmessage and go-units' tests give the expected texts.
import { FAILURES, parseReference, progressText, pullTicks, TICK_MS } from "../support/pull-stream";

test("the progress text is the engine's: a 50-column bar, then the sizes in decimal units", () => {
  // moby v20.10.24 pkg/jsonmessage/jsonmessage_test.go, TestProgressString (its long form)
  expect(progressText(50, 100)).toBe("[=========================>                         ]      50B/100B");
  expect(progressText(50, 40)).toBe("[==================================================>]      50B");
  // go-units size_test.go, TestHumanSize: 1.024kB, 1.049MB, 2MB
  expect(progressText(1024, 1048576)).toBe(`[>${" ".repeat(50)}]  1.024kB/1.049MB`);
  expect(progressText(2e6, 2e6)).toBe(`[${"=".repeat(50)}>]      2MB/2MB`);
});

test("a name reads as the engine reads it: docker.io/library/ for a bare name, latest for no tag", () => {
  const postgres = { domain: "docker.io", path: "library/postgres", tag: "15-alpine" };
  expect(parseReference("postgres:15-alpine")).toEqual(postgres);
  expect(parseReference("docker.io/library/postgres", "15-alpine")).toEqual(postgres); // the docker CLI's form
  expect(parseReference("postgres", "15-alpine")).toEqual(postgres); // dockerode's
  expect(parseReference("index.docker.io/library/postgres:15-alpine")).toEqual(postgres);
  expect(parseReference("redis")).toEqual({ domain: "docker.io", path: "library/redis", tag: "latest" });
  expect(parseReference("ghcr.io/ferretdb/ferretdb:1.24.0")).toEqual({
    domain: "ghcr.io",
    path: "ferretdb/ferretdb",
    tag: "1.24.0",
  });
  expect(parseReference("localhost:5000/app")).toEqual({
    domain: "localhost:5000",
    path: "app",
    tag: "latest",
  });
});

test("a refusal is worded as the engine words it", () => {
  expect(FAILURES.unauthorized.message(parseReference("ghcr.io/ferretdb/ferretdb:1.24.0"))).toBe(
    "pull access denied for ghcr.io/ferretdb/ferretdb, repository does not exist or may require 'docker login': " +
      "denied: requested access to the resource is denied",
  );
  expect(FAILURES.notfound.message(parseReference("postgres:16-alpine"))).toBe(
    "manifest for postgres:16-alpine not found: manifest unknown: manifest unknown",
  );
  expect([FAILURES.toomanyrequests.status, FAILURES.unauthorized.status, FAILURES.notfound.status]).toEqual([
    500, 404, 404,
  ]);
});

test("a pull lasts its seconds, one tick per TICK_MS, and moves every layer through the engine's steps", () => {
  const ticks = pullTicks(parseReference("postgres:15-alpine"), 40e6, 5, 2);
  expect(ticks).toHaveLength(1 + 2000 / TICK_MS);
  expect(ticks.at(-1)!.downloaded).toBe(40e6);
  expect(ticks.map((tick) => tick.downloaded)).toEqual(
    [...ticks.map((tick) => tick.downloaded)].sort((a, b) => a - b),
  );
  const lines = ticks.flatMap((tick) =>
    tick.lines
      .split("\r\n")
      .filter(Boolean)
      .map((line) => JSON.parse(line)),
  );
  expect(lines[0]).toEqual({ status: "Pulling from library/postgres", id: "15-alpine" });
  const ids = [...new Set(lines.slice(1).map((line) => line.id))];
  expect(ids.map((id) => lines.filter((line) => line.id === id && line.status === "Waiting").length)).toEqual(
    [0, 0, 0, 1, 1],
  );
  for (const id of ids) {
    const own = lines.filter((line) => line.id === id);
    const last = own.at(-1);
    expect(last).toEqual({ status: "Pull complete", progressDetail: {}, id });
    // Field order as the engine writes them: status, progressDetail, progress, id.
    const moving = own.find((line) => line.status === "Downloading");
    expect(Object.keys(moving)).toEqual(["status", "progressDetail", "progress", "id"]);
  }
  expect(() => pullTicks(parseReference("redis"), 3, 3, 1)).toThrow("3 bytes cannot fill 3 layers");
});
