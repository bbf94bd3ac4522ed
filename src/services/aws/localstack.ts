import type { LocalstackContainer } from "@testcontainers/localstack";
import type Dockerode from "dockerode";
import { LABELS, tcInternals, testcontainers } from "../../docker";
import type { Flavour } from "../../service";
import { type AwsCapabilities, type AwsStarted, capabilitiesOf } from "./capabilities";
import { awsClients, destroyAwsClients } from "./clients";

/**
 * A LocalStack ready hook (Python files in ready.d run inside LocalStack). Its ~900k start-up objects
 * (service specs, modules) stay alive for good, yet every full garbage collection walked them all:
 * 0.4 to 0.8 s with LocalStack frozen, about every 1100 SQS sends plus SNS publishes on these 2-core
 * machines, which is what broke the 1000-call run's p99. Frozen, they are left out of collections.
 * Every AWS account (one per store set) then adds its own service backends, and full collections walked
 * those again (1000-call p99 300 ms instead of 25 ms): so full collections are also made rare; the
 * young generations, where short-lived garbage goes, are still collected as usual. A test container
 * lives minutes, so the cycles that reach the old generation may wait.
 */
const GC_FREEZE_HOOK = {
  target: "/etc/localstack/init/ready.d/campaign-testenv-gc-freeze.py",
  content: "import gc\ngc.freeze()\ngc.set_threshold(700, 10, 1_000_000)\n",
};

/** Where LocalStack's Docker executor looks for the engine. */
const SOCKET_IN_CONTAINER = "/var/run/docker.sock";

/** What the container gets: pure, so a unit test pins it for the official image, which cannot run here. */
export interface LocalstackSettings {
  environment: Record<string, string>;
  /** The engine's socket on the engine's host, bound for Lambda's Docker executor; none without Lambda. */
  socket?: string;
}

/**
 * The container settings for what the image can serve (capabilities it declares lacking get nothing,
 * so the local image starts exactly as it did before DynamoDB and Lambda were there to have).
 */
export function localstackSettings(
  capabilities: AwsCapabilities,
  runId: string,
  socket: string,
  token = process.env.LOCALSTACK_AUTH_TOKEN,
): LocalstackSettings {
  const environment: Record<string, string> = {
    // Lambda is loaded with Secrets Manager either way (a dependency of it); listed, it is eager too.
    SERVICES: ["s3", "sqs", "sns", "secretsmanager", ...(capabilities.lambda.ok ? ["lambda"] : [])].join(","),
    // Load them before "Ready.", while the other services start, rather than on the first request of
    // each (about 3 s of imports on 2 cores, which would follow every other step).
    EAGER_SERVICE_LOADING: "1",
    // Also set by @testcontainers/localstack's hook, which reuse mode skips (LocalstackWithoutSessionHook).
    LOCALSTACK_HOST: "localhost",
  };
  if (capabilities.dynamodb.ok) {
    // Not eager: DynamoDB Local is a JVM, started by the first CreateTable while the other resources
    // are being created, instead of delaying "Ready.". In memory: nothing of a test is worth a disk.
    environment.STRICT_SERVICE_LOADING = "0";
    environment.DYNAMODB_IN_MEMORY = "1";
  }
  if (capabilities.lambda.ok) {
    Object.assign(environment, {
      // Function containers carry the run's labels: teardown, Ctrl-C, the sentinel and prune remove them.
      LAMBDA_DOCKER_FLAGS: `-l ${LABELS.package}=true -l ${LABELS.run}=${runId} -l ${LABELS.service}=aws`,
      // The native runtime image on arm64 hosts; room for a cold start on a loaded machine (default 20 s).
      LAMBDA_IGNORE_ARCHITECTURE: "1",
      LAMBDA_RUNTIME_ENVIRONMENT_TIMEOUT: "60",
      // Idle function containers (one per store set's account) do not linger.
      LAMBDA_KEEPALIVE_MS: "60000",
      // Queue URLs name the host the caller used, so they work from the host and from functions alike.
      SQS_ENDPOINT_STRATEGY: "dynamic",
    });
  }
  if (token) environment.LOCALSTACK_AUTH_TOKEN = token;
  return { environment, socket: capabilities.lambda.ok ? socket : undefined };
}

/**
 * Whether the engine is dialled through a unix socket or a Windows named pipe, rather than over tcp or
 * ssh: docker-modem keeps the path it dials only then (its types leave the field out).
 */
export function reachedThroughSocket(modem: Dockerode["modem"]): boolean {
  return (modem as { socketPath?: unknown }).socketPath !== undefined;
}

/**
 * Why LocalStack cannot run functions on this engine, if it cannot: its Docker executor needs the
 * engine's socket bound in, and an engine reached over the network (a tcp or ssh DOCKER_HOST) has no
 * socket path known here, unless TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE names it on the engine's host.
 */
export function socketLack(throughSocket: boolean, override: string | undefined): string | undefined {
  if (throughSocket || override) return undefined;
  return (
    "the Docker engine is reached over the network, and LocalStack runs functions through the engine's " +
    "socket, whose path on the engine's host is not known here; set TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE " +
    "to it (often /var/run/docker.sock), or use awsFlavour ministack"
  );
}

/**
 * The container as configured before the run labels and starts it: built without the engine, so a
 * unit test pins it for the official image, which cannot run here.
 */
export function localstackContainer(
  image: string,
  settings: LocalstackSettings,
  reuse: boolean,
): LocalstackContainer {
  // Reuse mode: LocalStack outlives the run, and its warm function containers must too; the module's
  // hook would label them with this run's reaper session, and the reaper would remove them.
  const { LocalstackWithoutSessionHook } = tcInternals();
  const { LocalstackContainer } =
    require("@testcontainers/localstack") as typeof import("@testcontainers/localstack");
  const container = new (reuse ? LocalstackWithoutSessionHook : LocalstackContainer)(image)
    .withCopyContentToContainer([GC_FREEZE_HOOK])
    .withEnvironment(settings.environment);
  if (settings.socket) container.withBindMounts([{ source: settings.socket, target: SOCKET_IN_CONTAINER }]);
  return container;
}

/** LocalStack 4.14 community, through @testcontainers/localstack: the last release without an account. */
export const localstack: Flavour<AwsStarted> = {
  image: "localstack/localstack:4.14.0",
  async start(run) {
    const { getContainerRuntimeClient } = testcontainers();
    const { info, container: engine } = await getContainerRuntimeClient();
    const lack = socketLack(
      reachedThroughSocket(engine.dockerode.modem),
      process.env.TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE,
    );
    const capabilities = capabilitiesOf(await run.declaredLacks(), lack ? { lambda: lack } : {});
    // The engine's socket as its host sees it: what Testcontainers binds into its reaper (it honours
    // TESTCONTAINERS_DOCKER_SOCKET_OVERRIDE and is right on Docker Desktop, Colima and Podman). Where
    // it is still wrong, the first function fails with LocalStack's reason (see index.ts).
    const socket = info.containerRuntime.remoteSocketPath;
    const settings = localstackSettings(capabilities, run.runId, socket);
    const started = await run.startContainer(localstackContainer(run.image, settings, run.settings.reuse));
    const endpoint = started.getConnectionUri();
    await run.step("attaching each service with one request", () => attachServices(endpoint, capabilities));
    return { endpoint, capabilities };
  },
};

/**
 * One request to each service before any burst of requests. LocalStack 4.14 attaches a service's
 * request handlers on its first request, marking it attached before it adds them (localstack-core's
 * ServiceLoader): a second request to the same service arriving meanwhile got "501 no handler for
 * operation 'CreateBucket' on service 's3'" when the resources were created in parallel. The services
 * are attached side by side: the ServiceLoader locks each service on its own. DynamoDB is left to its
 * first CreateTable (one per account, and it starts a JVM): nothing races it.
 */
async function attachServices(endpoint: string, capabilities: AwsCapabilities): Promise<void> {
  const { ListFunctionsCommand } =
    require("@aws-sdk/client-lambda") as typeof import("@aws-sdk/client-lambda");
  const { ListBucketsCommand } = require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
  const { ListSecretsCommand } =
    require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager");
  const { ListTopicsCommand } = require("@aws-sdk/client-sns") as typeof import("@aws-sdk/client-sns");
  const { ListQueuesCommand } = require("@aws-sdk/client-sqs") as typeof import("@aws-sdk/client-sqs");
  const clients = awsClients({
    endpoint,
    region: "us-east-1",
    accessKeyId: "000000000000",
    secretAccessKey: "x",
  });
  try {
    await Promise.all([
      clients.s3.send(new ListBucketsCommand({})),
      clients.sqs.send(new ListQueuesCommand({})),
      clients.sns.send(new ListTopicsCommand({})),
      clients.secrets.send(new ListSecretsCommand({})),
      capabilities.lambda.ok && clients.lambda.send(new ListFunctionsCommand({})),
    ]);
  } finally {
    destroyAwsClients(clients);
  }
}
