import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { LocalstackContainer } from "@testcontainers/localstack";
import { randomToken } from "../../random";
import type { Service } from "../../service";
import {
  type AwsClients,
  type AwsEndpoint,
  type AwsResources,
  type AwsResourcesSpec,
  awsClients,
  createAwsResources,
  destroyAwsClients,
  loadAwsResourcesSpec,
  resetAwsResources,
} from "./resources";
import { fillSecrets, servicesInSecrets } from "./secrets";

export interface AwsContext extends AwsEndpoint {
  image: string;
  /** The resources created at startup; workers create their own copies under a prefix. */
  spec: AwsResourcesSpec;
}

/** A worker's AWS store: SDK clients and its resources by their spec name. */
export type AwsStore = AwsClients & { resources: AwsResources };

/**
 * A LocalStack ready hook (Python files in ready.d run inside LocalStack). Its ~900k start-up objects
 * (service specs, modules) stay alive for good, yet every full garbage collection walked them all:
 * 0.4 to 0.8 s with LocalStack frozen, about every 1100 SQS sends plus SNS publishes on these 2-core
 * machines, which is what broke the 1000-call run's p99. Frozen, they are left out of collections.
 */
const GC_FREEZE_HOOK = {
  target: "/etc/localstack/init/ready.d/campaign-testenv-gc-freeze.py",
  content: "import gc\ngc.freeze()\n",
};

const workerPrefix = (workerId: number) => `w${workerId}-`;

export const aws: Service<"aws", AwsContext, AwsStore> = {
  name: "aws",
  images: { localstack: "localstack/localstack:4.14.0" },
  fingerprint: (settings) =>
    [settings.image, JSON.stringify(loadAwsResourcesSpec(settings.specsDir))].join("\n"),
  // The secrets hold other services' connection details, so a change to those services is a change here.
  peers: (settings) =>
    servicesInSecrets(loadAwsResourcesSpec(settings.specsDir)).filter((s) => settings.services.includes(s)),

  async start(run) {
    const spec = await run.step("reading the AWS resources spec", async () =>
      loadAwsResourcesSpec(run.settings.specsDir),
    );
    const token = process.env.LOCALSTACK_AUTH_TOKEN;
    const container = await run.startContainer(
      new LocalstackContainer(run.image).withCopyContentToContainer([GC_FREEZE_HOOK]).withEnvironment({
        SERVICES: "s3,sqs,sns,secretsmanager",
        // Load the four providers before "Ready.", while the other services start, rather than on the
        // first request of each (about 3 s of imports on 2 cores, which would follow every other step).
        EAGER_SERVICE_LOADING: "1",
        ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}),
      }),
    );
    const context: AwsContext = {
      image: run.image,
      endpoint: container.getConnectionUri(),
      region: "us-east-1",
      accessKeyId: `AKIA${randomToken(16).toUpperCase()}`,
      secretAccessKey: randomToken(40),
      spec,
    };
    const secretValues = await run.step("filling secrets", async () => {
      const contexts = Object.fromEntries(
        await Promise.all(servicesInSecrets(spec).map(async (name) => [name, await run.peer(name)] as const)),
      );
      return fillSecrets(spec, contexts, run.note);
    });
    const clients = awsClients(context);
    try {
      await run.step("creating buckets, queues, topics and secrets", async () => {
        const resources = await createAwsResources(clients, spec, "", secretValues);
        await resetAwsResources({ ...clients, resources }, spec);
      });
    } finally {
      destroyAwsClients(clients);
    }
    return context;
  },

  store: (_context, workerId) => ({ awsPrefix: workerPrefix(workerId) }),

  async provision(context, workerId) {
    const clients = awsClients(context);
    // Secrets are read-only configuration, shared by all workers; everything tests write to is per worker.
    const { spec } = context;
    const resources = await createAwsResources(clients, { ...spec, secrets: [] }, workerPrefix(workerId));
    resources.secrets = Object.fromEntries(spec.secrets.map((s) => [s.name, s.name]));
    const store = { ...clients, resources };
    await resetAwsResources(store, spec);
    return store;
  },

  reset: (store, { spec }) => resetAwsResources(store, spec),

  async close(store) {
    destroyAwsClients(store);
  },

  async check(context, timeoutMs) {
    const clients = awsClients(context);
    try {
      await clients.sqs.send(new ListQueuesCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    } finally {
      destroyAwsClients(clients);
    }
  },

  address: ({ endpoint }) => endpoint,

  envLines: (c) => [
    `AWS_ENDPOINT_URL=${c.endpoint}`,
    `AWS_REGION=${c.region}`,
    `AWS_ACCESS_KEY_ID=${c.accessKeyId}`,
    `AWS_SECRET_ACCESS_KEY=${c.secretAccessKey}`,
  ],
};
