// The LocalStack container as `localstack.start` configures it, pinned without Docker because the official
// image cannot be started on the machines this project is built on: its environment once
// @testcontainers/localstack's own hook has run, the socket bind, the copied GC hook, the wait strategy,
// and the labels the run adds. GenericContainer keeps these in fields its types mark protected (plain
// properties at run time): this file reads them, and calls the protected hook, through a narrow cast.
//
// That hook (beforeContainerCreated) asks the engine for the reaper and reads only its sessionId, which
// it appends to LAMBDA_DOCKER_FLAGS. With no engine here, getContainerRuntimeClient and getReaper are
// replaced by stand-ins giving a fixed session id; the rest of testcontainers is the real one.
import { LABEL_TESTCONTAINERS_SESSION_ID, Wait, getReaper } from "testcontainers";
import type { LocalstackContainer } from "@testcontainers/localstack";
import { resolveOptions, serviceSettings } from "../../src/options";
import { ServiceRun } from "../../src/service";
import { capabilitiesOf } from "../../src/services/aws/capabilities";
import { localstack, localstackContainer, localstackSettings } from "../../src/services/aws/localstack";

jest.mock("testcontainers", () => ({
  ...jest.requireActual("testcontainers"),
  // A local engine, as publishesOnLoopback reads it; the hook only passes the client on to getReaper.
  getContainerRuntimeClient: jest.fn(async () => ({ info: { containerRuntime: { host: "localhost" } } })),
  getReaper: jest.fn(async () => ({ sessionId: "session-1" })),
}));

/** The GenericContainer fields and hook read here (protected in its types). */
interface Configured {
  environment: Record<string, string>;
  createOpts: { Labels?: Record<string, string> };
  hostConfig: { Binds?: string[]; PortBindings?: Record<string, { HostPort: string; HostIp?: string }[]> };
  contentsToCopy: { content: string; target: string }[];
  waitStrategy: unknown;
  beforeContainerCreated(): Promise<void>;
}
const configured = (container: LocalstackContainer) => container as unknown as Configured;

/** What `start` builds for the official image (it declares nothing lacking) on a local engine. */
const official = (reuse: boolean) =>
  localstackContainer(
    localstack.image,
    localstackSettings(capabilitiesOf({}), "run42", "/var/run/docker.sock", ""),
    reuse,
  );
const RUN_FLAGS = "-l campaign-testenv=true -l campaign-testenv.run=run42 -l campaign-testenv.service=aws";

afterEach(() => jest.mocked(getReaper).mockClear());

describe("localstackContainer: the official localstack/localstack:4.14.0", () => {
  test("its environment after the module's hook: the settings, with the reaper's session appended to the function containers' labels", async () => {
    const container = configured(official(false));
    await container.beforeContainerCreated();
    expect(container.environment).toEqual({
      SERVICES: "s3,sqs,sns,secretsmanager,lambda",
      EAGER_SERVICE_LOADING: "1",
      LOCALSTACK_HOST: "localhost",
      STRICT_SERVICE_LOADING: "0",
      DYNAMODB_IN_MEMORY: "1",
      LAMBDA_DOCKER_FLAGS: `${RUN_FLAGS} -l ${LABEL_TESTCONTAINERS_SESSION_ID}=session-1`,
      LAMBDA_IGNORE_ARCHITECTURE: "1",
      LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT: "60",
      LAMBDA_KEEPALIVE_MS: "60000",
      SQS_ENDPOINT_STRATEGY: "dynamic",
    });
  });

  test("reuse mode: the hook adds no reaper session, so warm function containers outlive the run", async () => {
    const container = configured(official(true));
    await container.beforeContainerCreated();
    expect(container.environment.LAMBDA_DOCKER_FLAGS).toBe(RUN_FLAGS);
    expect(getReaper).not.toHaveBeenCalled();
  });

  test("the engine's socket bound where LocalStack's Docker executor looks, and the GC-freeze ready hook copied in", () => {
    const container = configured(official(false));
    expect(container.hostConfig.Binds).toEqual(["/var/run/docker.sock:/var/run/docker.sock:rw"]);
    expect(container.contentsToCopy).toEqual([
      {
        target: "/etc/localstack/init/ready.d/campaign-testenv-gc-freeze.py",
        content: "import gc\ngc.freeze()\ngc.set_threshold(700, 10, 1_000_000)\n",
      },
    ]);
  });

  test("ready when its log says Ready, once", () => {
    expect(configured(official(false)).waitStrategy).toStrictEqual(Wait.forLogMessage("Ready", 1));
  });

  test("the run labels it with the package, the run and the service, and publishes 4566 on loopback only", async () => {
    const container = official(false);
    jest.spyOn(container, "start").mockRejectedValue(new Error("not started in a unit test"));
    const options = resolveOptions({}, {});
    const run = new ServiceRun(
      "aws",
      serviceSettings(options, "aws"),
      "run42",
      async () => undefined,
      () => undefined,
    );
    await expect(run.startContainer(container)).rejects.toMatchObject({
      reason: "not started in a unit test",
    });
    expect(configured(container).createOpts.Labels).toEqual({
      "campaign-testenv": "true",
      "campaign-testenv.run": "run42",
      "campaign-testenv.service": "aws",
    });
    expect(configured(container).hostConfig.PortBindings).toEqual({
      "4566/tcp": [{ HostPort: "0", HostIp: "127.0.0.1" }],
    });
  });
});

describe("localstackContainer: the local image (it declares DynamoDB and Lambda lacking)", () => {
  test("no socket bound; the module's hook still sets LAMBDA_DOCKER_FLAGS to the session label alone, unused without Lambda", async () => {
    const lacking = capabilitiesOf({ dynamodb: "no jar", lambda: "no runtime" });
    const container = configured(
      localstackContainer(
        "local/localstack",
        localstackSettings(lacking, "run42", "/var/run/docker.sock", ""),
        false,
      ),
    );
    await container.beforeContainerCreated();
    expect(container.hostConfig.Binds).toBeUndefined();
    expect(container.environment).toEqual({
      SERVICES: "s3,sqs,sns,secretsmanager",
      EAGER_SERVICE_LOADING: "1",
      LOCALSTACK_HOST: "localhost",
      LAMBDA_DOCKER_FLAGS: ` -l ${LABEL_TESTCONTAINERS_SESSION_ID}=session-1`,
    });
  });
});
