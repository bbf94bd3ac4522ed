import { DockerUnavailableError, guessFix, ServiceError } from "../../src/errors";

/** Sets (or unsets, with undefined) an env var for the length of `fn`. */
function withEnv<T>(name: string, value: string | undefined, fn: () => T): T {
  const before = process.env[name];
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env[name];
    else process.env[name] = before;
  }
}

describe("guessFix", () => {
  const image = "localstack/localstack:latest";

  test.each([
    ["an exit code 55 in the error", new Error("container exited with code 55"), []],
    ["an exit code 55 written tersely", new Error("exit code: 55"), []],
    ["the token named in the log", new Error("Container not ready"), ["LOCALSTACK_AUTH_TOKEN is not set"]],
    ["a licence failure in the log", "failed", ["License activation failed! 🔑"]],
  ])("LocalStack's account requirement: %s", (_case, cause, logTail) => {
    const fix = guessFix(cause, image, 60_000, logTail);
    expect(fix).toContain("LOCALSTACK_AUTH_TOKEN");
    expect(fix).toContain("localstack/localstack:4.14.0");
  });

  test.each([
    "(HTTP code 404) no such image - no such image: postgres:99",
    "manifest for mongo:99 not found: manifest unknown",
    "pull access denied for privateorg/redis, repository does not exist",
    "Get https://registry-1.docker.io/v2/: dial tcp: i/o timeout",
  ])("an image that cannot be had: %s", (message) => {
    const fix = withEnv("RYUK_CONTAINER_IMAGE", undefined, () =>
      guessFix(new Error(message), "postgres:99", 60_000, []),
    );
    expect(fix).toContain("the image postgres:99 is neither present nor pullable");
    expect(fix).toContain("testcontainers/ryuk (Testcontainers' default)");
    expect(fix).toContain("npm run images:build");
  });

  test("the pull fix names the reaper image that is configured", () => {
    const fix = withEnv("RYUK_CONTAINER_IMAGE", "local/ryuk:0.11", () =>
      guessFix(new Error("pull access denied"), "postgres:15", 1000, []),
    );
    expect(fix).toContain("reaper image local/ryuk:0.11");
  });

  test.each([
    "Timed out after 60000ms while waiting for container to be ready",
    "timeout waiting for log line",
    'Log message "Ready." not received after 60000ms',
    "Container not healthy after 60000ms",
  ])("a container that was too slow: %s", (message) => {
    const fix = guessFix(new Error(message), "mongo:7.0", 45_000, []);
    expect(fix).toContain("not ready within 45000 ms");
    expect(fix).toContain("CAMPAIGN_TESTENV_STARTUP_TIMEOUT_MS");
  });

  test("anything else: read the log, turn on the verbose output", () => {
    const fix = guessFix(new Error("relation users already exists"), "postgres:15", 1000, ["FATAL: x"]);
    expect(fix).toBe(
      "read the container's log below; run with CAMPAIGN_TESTENV_VERBOSE=true and DEBUG=testcontainers* for more.",
    );
  });

  test("LocalStack's account comes before a timeout, a pull error before a timeout", () => {
    expect(guessFix(new Error("timed out; exited with code 55"), image, 1, [])).toContain(
      "LOCALSTACK_AUTH_TOKEN",
    );
    expect(guessFix(new Error("timeout pulling image"), image, 1, [])).toContain(
      "neither present nor pullable",
    );
  });

  test("a timeout whose container log mentions a registry is still a timeout", () => {
    const fix = guessFix(new Error("Container not healthy after 500ms"), image, 500, [
      "using registry mirror",
    ]);
    expect(fix).toContain("not ready within 500 ms");
  });
});

describe("ServiceError", () => {
  test("names the service, image, step and reason, then the fix, then the log tail", () => {
    const cause = new Error("connection refused");
    const error = new ServiceError(
      "run1",
      "postgres",
      "postgres:15-alpine",
      "connecting",
      cause,
      "start it",
      ["line one", "line two"],
    );
    expect(error.message).toBe(
      "campaign-testenv: postgres (image postgres:15-alpine) failed while connecting: connection refused\n" +
        "Fix: start it\n" +
        "Last 2 log lines of the postgres container:\n" +
        "  | line one\n" +
        "  | line two",
    );
    expect(error).toBeInstanceOf(Error);
    expect(error.name).toBe("ServiceError");
    expect(error.cause).toBe(cause);
    expect(error).toMatchObject({
      runId: "run1",
      service: "postgres",
      image: "postgres:15-alpine",
      step: "connecting",
      fix: "start it",
      logTail: ["line one", "line two"],
    });
  });

  test("no log lines, no log section; a cause that is not an Error is quoted as text", () => {
    const error = new ServiceError("run1", "redis", "redis:7-alpine", "starting the container", 503, "wait");
    expect(error.message).toBe(
      "campaign-testenv: redis (image redis:7-alpine) failed while starting the container: 503\nFix: wait",
    );
    expect(error.logTail).toEqual([]);
  });
});

describe("DockerUnavailableError", () => {
  test("names DOCKER_HOST when it is set, and how to start an engine", () => {
    const error = withEnv("DOCKER_HOST", "tcp://10.0.0.9:2375", () => new DockerUnavailableError("nope"));
    expect(error.name).toBe("DockerUnavailableError");
    expect(error.message).toContain("no Docker engine answers at DOCKER_HOST=tcp://10.0.0.9:2375");
    expect(error.message).toContain("bash scripts/ensure-docker.sh");
    expect(error.cause).toBe("nope");
  });

  test("says 'on this machine' without DOCKER_HOST", () => {
    const error = withEnv("DOCKER_HOST", undefined, () => new DockerUnavailableError(new Error("x")));
    expect(error.message).toContain("no Docker engine answers on this machine");
  });
});
