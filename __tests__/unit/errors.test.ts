import {
  CampaignTestenvError,
  DockerUnavailableError,
  fromWire,
  guessFix,
  MissingServiceError,
  ServiceError,
  StartupError,
  toWire,
} from "../../src/errors";
import * as errors from "../../src/errors";
import * as api from "../../src";
import { aws } from "../../src/services/aws";

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
  test.each([
    ["an exit code 55 in the error", new Error("container exited with code 55"), []],
    ["an exit code 55 written tersely", new Error("exit code: 55"), []],
    ["the token named in the log", new Error("Container not ready"), ["LOCALSTACK_AUTH_TOKEN is not set"]],
    ["a licence failure in the log", "failed", ["License activation failed! 🔑"]],
  ])("LocalStack's account requirement (the AWS service's own fix): %s", (_case, cause, logTail) => {
    const fix = guessFix(cause, 60_000, logTail, aws.fix);
    expect(fix).toContain("LOCALSTACK_AUTH_TOKEN");
    expect(fix).toContain("localstack/localstack:4.14.0");
  });

  test.each([
    "(HTTP code 404) no such image - no such image: postgres:99",
    "manifest for mongo:99 not found: manifest unknown",
    "pull access denied for privateorg/redis, repository does not exist",
    "Get https://registry-1.docker.io/v2/: dial tcp: i/o timeout",
  ])("an image that cannot be had: %s", (message) => {
    const fix = withEnv("RYUK_CONTAINER_IMAGE", undefined, () => guessFix(new Error(message), 60_000, []));
    expect(fix).toContain("the image is neither present nor pullable");
    expect(fix).toContain("testcontainers/ryuk (Testcontainers' default)");
    expect(fix).toContain("TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX");
    // Only what the published package ships: no script of this repository.
    expect(fix).not.toMatch(/npm run|scripts\//);
  });

  test("the pull fix names the reaper image that is configured", () => {
    const fix = withEnv("RYUK_CONTAINER_IMAGE", "local/ryuk:0.11", () =>
      guessFix(new Error("pull access denied"), 1000, []),
    );
    expect(fix).toContain("reaper image local/ryuk:0.11");
  });

  test.each([
    "Timed out after 60000ms while waiting for container to be ready",
    "timeout waiting for log line",
    'Log message "Ready." not received after 60000ms',
    "Container not healthy after 60000ms",
  ])("a container that was too slow: %s", (message) => {
    const fix = guessFix(new Error(message), 45_000, []);
    expect(fix).toContain("not ready within 45000 ms");
    expect(fix).toContain("CAMPAIGN_TESTENV_STARTUP_TIMEOUT_MS");
  });

  test("anything else: read the log, turn on the verbose output", () => {
    const fix = guessFix(new Error("relation users already exists"), 1000, ["FATAL: x"]);
    expect(fix).toBe(
      "read the container's log below; run with CAMPAIGN_TESTENV_VERBOSE=true and DEBUG=testcontainers* for more.",
    );
  });

  test("the service's own fix comes first, then a pull error, then a timeout", () => {
    expect(guessFix(new Error("timed out; exited with code 55"), 1, [], aws.fix)).toContain(
      "LOCALSTACK_AUTH_TOKEN",
    );
    expect(guessFix(new Error("timeout pulling image"), 1, [], aws.fix)).toContain(
      "neither present nor pullable",
    );
  });

  test("a timeout whose container log mentions a registry is still a timeout", () => {
    const fix = guessFix(new Error("Container not healthy after 500ms"), 500, ["using registry mirror"]);
    expect(fix).toContain("not ready within 500 ms");
  });
});

describe("ServiceError", () => {
  test("names the service, image, step and reason, then the fix, then the log tail", () => {
    const cause = new Error("connection refused");
    const error = new ServiceError({
      runId: "run1",
      service: "postgres",
      image: "postgres:15-alpine",
      step: "connecting",
      reason: cause.message,
      fix: "start it",
      logTail: ["line one", "line two"],
      cause,
    });
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

  test("no log lines, no log section", () => {
    const error = new ServiceError({ ...failure("redis"), step: "starting the container", reason: "503" });
    expect(error.message).toBe(
      "campaign-testenv: redis (image redis:7-alpine) failed while starting the container: 503\nFix: wait",
    );
    expect(error.logTail).toEqual([]);
  });
});

const failure = (service: string) => ({
  runId: "run1",
  service,
  image: `${service}:7-alpine`,
  step: "connecting",
  reason: "refused",
  fix: "wait",
  logTail: [],
});

describe("errors across processes (toWire, through JSON, fromWire)", () => {
  const across = (error: unknown) => fromWire(JSON.parse(JSON.stringify(toWire(error))));

  test("a ServiceError comes back as a ServiceError with its message and every field", () => {
    const sent = new ServiceError({
      ...failure("postgres"),
      logTail: ["FATAL: x"],
      cause: new Error("refused"),
    });
    const got = across(sent);
    expect(got).toBeInstanceOf(ServiceError);
    expect(got).toBeInstanceOf(CampaignTestenvError);
    expect(got.name).toBe("ServiceError");
    expect(got.message).toBe(sent.message);
    expect(got).toMatchObject({ ...failure("postgres"), logTail: ["FATAL: x"] });
  });

  test("a StartupError keeps each failure as a ServiceError", () => {
    const sent = new StartupError("run1", [
      new ServiceError(failure("mongo")),
      new ServiceError(failure("aws")),
    ]);
    const got = across(sent) as StartupError;
    expect(got).toBeInstanceOf(StartupError);
    expect(got.message).toBe(sent.message);
    expect(got.failures.map((f) => [f instanceof ServiceError, f.service])).toEqual([
      [true, "mongo"],
      [true, "aws"],
    ]);
  });

  test("every class of the package crosses whole: the same class, message and fields", () => {
    const samples: Record<string, CampaignTestenvError> = {
      CampaignTestenvError: new CampaignTestenvError("x"),
      OptionsError: new errors.OptionsError("bad option"),
      DockerUnavailableError: new DockerUnavailableError(),
      ServiceError: new ServiceError(failure("redis")),
      ServiceDownError: new errors.ServiceDownError(
        "mongo",
        "abc123def456",
        137,
        "a call to mongo",
        new Error("x"),
        false,
        ["bye"],
      ),
      PeerFailedError: new errors.PeerFailedError("postgres"),
      StartupError: new StartupError("run1", [new ServiceError(failure("mongo"))]),
      ContextError: new errors.ContextError("no context"),
      MissingServiceError: new MissingServiceError(["mongo"], ["redis"], { runner: "jest" }),
      StoreSetError: new errors.StoreSetError("all in use"),
      ImagePullError: new errors.ImagePullError([
        {
          image: "redis:7-alpine",
          neededBy: "redis",
          registry: "Docker Hub",
          reason: "stalled",
          fix: "retry",
        },
      ]),
      FunctionFailedError: new errors.FunctionFailedError("no runtime"),
    };
    const classes = Object.entries(errors).filter(
      ([, value]) =>
        typeof value === "function" &&
        (value === CampaignTestenvError || value.prototype instanceof CampaignTestenvError),
    );
    expect(Object.keys(samples).sort()).toEqual(classes.map(([name]) => name).sort());
    for (const [name, sent] of Object.entries(samples)) {
      const got = across(sent);
      // toBe, not toEqual: toEqual finds any two classes' prototypes equal (no own enumerable keys).
      expect([name, Object.getPrototypeOf(got) === Object.getPrototypeOf(sent)]).toEqual([name, true]);
      expect(got.name).toBe(sent.name);
      expect(got.message).toBe(sent.message);
      const fields = { ...sent } as Record<string, unknown>;
      delete fields.cause;
      expect(got).toMatchObject(JSON.parse(JSON.stringify(fields)));
    }
  });

  test("an error of another kind keeps its name and message, as the package's base class", () => {
    const got = across(new TypeError("x is not a function"));
    expect(got).toBeInstanceOf(CampaignTestenvError);
    expect([got.name, got.message]).toEqual(["TypeError", "x is not a function"]);
  });

  test("the missing-service error names the config of the runner in use", () => {
    expect(new MissingServiceError(["mongo"], ["redis"], { runner: "vitest" }).message).toContain(
      "test.provide.campaignTestenv",
    );
    expect(new MissingServiceError(["mongo"], ["redis"], { runner: "jest" }).message).toContain(
      "globals.campaignTestenv",
    );
  });
});

describe("DockerUnavailableError", () => {
  test("names DOCKER_HOST when it is set, and how to start an engine", () => {
    const error = withEnv("DOCKER_HOST", "tcp://10.0.0.9:2375", () => new DockerUnavailableError("nope"));
    expect(error.name).toBe("DockerUnavailableError");
    expect(error.message).toContain("no Docker engine answers at DOCKER_HOST=tcp://10.0.0.9:2375");
    expect(error.message).toContain('"sudo dockerd &"');
    expect(error.message).not.toContain("scripts/");
    expect(error.cause).toBe("nope");
  });

  test("says 'on this machine' without DOCKER_HOST", () => {
    const error = withEnv("DOCKER_HOST", undefined, () => new DockerUnavailableError(new Error("x")));
    expect(error.message).toContain("no Docker engine answers on this machine");
  });
});

test("every error class of the package is exported from campaign-testenv", () => {
  const classes = Object.entries(errors).filter(
    ([, value]) =>
      typeof value === "function" &&
      (value === CampaignTestenvError || value.prototype instanceof CampaignTestenvError),
  );
  expect(classes.length).toBeGreaterThanOrEqual(10);
  for (const [name, value] of classes)
    expect([name, (api as Record<string, unknown>)[name]]).toEqual([name, value]);
});
