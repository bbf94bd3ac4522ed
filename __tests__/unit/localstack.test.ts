// What the LocalStack container gets, pinned here because the official image cannot be started on the
// machines this project is built on: its settings, the labels of function containers, and whether the
// engine is reached through a socket. The container built from them: localstack-container.test.ts.
import { readFileSync } from "node:fs";
import path from "node:path";
import Dockerode from "dockerode";
import { lacksOf } from "../../src/service";
import { capabilitiesOf } from "../../src/services/aws/capabilities";
import { localstackSettings, reachedThroughSocket, socketLack } from "../../src/services/aws/localstack";

const SOCKET = "/var/run/docker.sock";
const everything = capabilitiesOf({});

describe("the image's declaration of what it lacks", () => {
  test("labels campaign-testenv.lacks.<capability> give the reason; other labels are not read", () => {
    expect(
      lacksOf({
        "campaign-testenv.lacks.dynamodb": "no DynamoDB Local here",
        "campaign-testenv.build-stage": "x",
        "org.opencontainers.image.version": "4.14.0",
      }),
    ).toEqual({ dynamodb: "no DynamoDB Local here" });
    expect(lacksOf({})).toEqual({});
  });

  test("the local LocalStack image declares both, each with the way out", () => {
    const dockerfile = readFileSync(path.join(__dirname, "../../images/localstack/Dockerfile"), "utf8");
    expect(dockerfile).toMatch(/LABEL campaign-testenv\.lacks\.dynamodb="[^"]*use awsFlavour ministack/);
    expect(dockerfile).toMatch(/campaign-testenv\.lacks\.lambda="[^"]*use awsFlavour ministack/);
  });
});

describe("capabilities: { ok, reason }", () => {
  test("everything an image does not declare lacking is there", () => {
    expect(everything).toEqual({ dynamodb: { ok: true }, lambda: { ok: true } });
  });

  test("a declared lack, or one the flavour found, comes with its reason; the image's wins", () => {
    expect(capabilitiesOf({ lambda: "from the image" }, { lambda: "found", dynamodb: "found too" })).toEqual({
      dynamodb: { ok: false, reason: "found too" },
      lambda: { ok: false, reason: "from the image" },
    });
  });
});

describe("localstackSettings: the official localstack/localstack:4.14.0 (it declares nothing)", () => {
  test("a local engine: DynamoDB lazily and in memory, Lambda through the engine's socket, function containers labelled with the run", () => {
    expect(localstackSettings(everything, "run42", SOCKET, "")).toEqual({
      environment: {
        SERVICES: "s3,sqs,sns,secretsmanager,lambda",
        EAGER_SERVICE_LOADING: "1",
        LOCALSTACK_HOST: "localhost",
        STRICT_SERVICE_LOADING: "0",
        DYNAMODB_IN_MEMORY: "1",
        LAMBDA_DOCKER_FLAGS:
          "-l campaign-testenv=true -l campaign-testenv.run=run42 -l campaign-testenv.service=aws",
        LAMBDA_IGNORE_ARCHITECTURE: "1",
        LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT: "60",
        LAMBDA_KEEPALIVE_MS: "60000",
        SQS_ENDPOINT_STRATEGY: "dynamic",
      },
      socket: SOCKET,
    });
  });

  test("an engine in a VM: the socket path is the engine host's own, as Testcontainers gives its reaper", () => {
    // Docker Desktop, Colima and Podman give another path than the client's DOCKER_HOST; the bind takes it as given.
    const colima = "/Users/me/.colima/default/docker.sock";
    expect(socketLack(true, undefined)).toBeUndefined();
    expect(localstackSettings(everything, "run42", colima, "").socket).toBe(colima);
  });

  test("a remote engine (tcp or ssh DOCKER_HOST): Lambda off with the fix in its reason, no socket bound", () => {
    const lack = socketLack(false, undefined);
    expect(lack).toMatch(/reached over the network.*set TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE/);
    const settings = localstackSettings(capabilitiesOf({}, { lambda: lack }), "run42", SOCKET, "");
    expect(settings.socket).toBeUndefined();
    expect(settings.environment.SERVICES).toBe("s3,sqs,sns,secretsmanager");
    expect(settings.environment).not.toHaveProperty("LAMBDA_DOCKER_FLAGS");
    expect(settings.environment.STRICT_SERVICE_LOADING).toBe("0"); // DynamoDB needs no socket
  });

  test.each([
    ["a unix socket", "unix:///var/run/docker.sock", { socketPath: "/var/run/docker.sock" }, true],
    [
      "a Windows named pipe",
      "npipe:////./pipe/docker_engine",
      { socketPath: "//./pipe/docker_engine" },
      true,
    ],
    ["tcp", "tcp://10.0.0.5:2375", { host: "10.0.0.5", port: "2375" }, false],
    ["ssh", "ssh://me@10.0.0.5", { host: "10.0.0.5", port: "" }, false],
  ])("reached through %s (DOCKER_HOST %s): %p gives %p", (_, dockerHost, options, expected) => {
    // The options Testcontainers gives dockerode for that DOCKER_HOST. docker-modem also reads DOCKER_HOST
    // itself (a tcp one drops a socketPath), so it is set while the modem is built; that opens no connection.
    const saved = process.env.DOCKER_HOST;
    process.env.DOCKER_HOST = dockerHost;
    try {
      expect(reachedThroughSocket(new Dockerode(options).modem)).toBe(expected);
    } finally {
      if (saved === undefined) delete process.env.DOCKER_HOST;
      else process.env.DOCKER_HOST = saved;
    }
  });

  test("a remote engine whose socket path is named by TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE keeps Lambda", () => {
    expect(socketLack(false, "/var/run/docker.sock")).toBeUndefined();
  });

  test("LOCALSTACK_AUTH_TOKEN is passed through when set, and only then", () => {
    expect(localstackSettings(everything, "r", SOCKET, "ls-token").environment.LOCALSTACK_AUTH_TOKEN).toBe(
      "ls-token",
    );
    expect(localstackSettings(everything, "r", SOCKET, "").environment).not.toHaveProperty(
      "LOCALSTACK_AUTH_TOKEN",
    );
  });
});

describe("localstackSettings: the local image (it declares DynamoDB and Lambda lacking)", () => {
  test("exactly the settings it started with before: no socket, no Lambda or DynamoDB settings, strict loading", () => {
    const lacking = capabilitiesOf({ dynamodb: "no jar", lambda: "no runtime" });
    expect(localstackSettings(lacking, "run42", SOCKET, "")).toEqual({
      environment: {
        SERVICES: "s3,sqs,sns,secretsmanager",
        EAGER_SERVICE_LOADING: "1",
        LOCALSTACK_HOST: "localhost",
      },
      socket: undefined,
    });
  });
});
