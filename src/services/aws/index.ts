import { createHash } from "node:crypto";
import path from "node:path";
import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { randomToken } from "../../random";
import type { Service } from "../../service";
import type { AwsCapability, AwsEmulator } from "./emulator";
import { localstack } from "./localstack";
import { ministack } from "./ministack";
import {
  type AwsClients,
  type AwsEndpoint,
  type AwsResources,
  type AwsResourcesSpec,
  type AwsTarget,
  awsClients,
  createAwsResources,
  destroyAwsClients,
  loadAwsResourcesSpec,
  resetAwsResources,
} from "./resources";
import { fillSecrets, servicesInSecrets } from "./secrets";
import { zipFolder } from "./zip";

/** The AWS role's flavours: one emulator each, the first the default. */
const EMULATORS = { localstack, ministack } satisfies Record<string, AwsEmulator>;
export type AwsFlavour = keyof typeof EMULATORS;
export const AWS_FLAVOURS = Object.keys(EMULATORS) as AwsFlavour[];

export interface AwsContext extends AwsEndpoint {
  image: string;
  flavour: AwsFlavour;
  /** What this flavour cannot do, each with the reason; tests check it rather than assume. */
  unavailable: Partial<Record<AwsCapability, string>>;
  /** The resources every account gets (the main one at start-up, each worker's at setup). */
  spec: AwsResourcesSpec;
  /** Where the spec was read from: function sources are relative to it. */
  specsDir: string;
  /** The secrets' values, placeholders filled from the other services' context. */
  secretValues: Record<string, Record<string, string>>;
}

/** A worker's AWS store: SDK clients signed as the worker's account, and its resources by spec name. */
export type AwsStore = AwsClients & { resources: AwsResources };

/** The account of unisolated use (`campaign-testenv up`, the main context): LocalStack's default. */
const MAIN_ACCOUNT = "000000000000";
/** Worker N is AWS account N: a 12-digit access key is an account to both emulators. */
export const workerAccount = (workerId: number): string => String(workerId).padStart(12, "0");
/** S3 bucket names are one namespace across accounts (as in AWS), so only they carry the worker. */
export const workerBucketPrefix = (workerId: number): string => `w${workerId}-`;

const target = (context: AwsContext, bucketPrefix: string): AwsTarget => ({
  bucketPrefix,
  secretValues: context.secretValues,
  specsDir: context.specsDir,
  tables: !context.unavailable.dynamodb,
  functions: !context.unavailable.lambda,
});

/** The spec, plus the bytes of every function's source: a changed handler is a changed environment. */
function specFingerprint(specsDir: string): string {
  const spec = loadAwsResourcesSpec(specsDir);
  const sources = spec.functions.map((fn) =>
    createHash("sha256")
      .update(zipFolder(path.join(specsDir, fn.source)))
      .digest("hex"),
  );
  return [JSON.stringify(spec), ...sources].join("\n");
}

export const aws: Service<"aws", AwsContext, AwsStore, AwsFlavour> = {
  name: "aws",
  images: { localstack: localstack.image, ministack: ministack.image },
  fingerprint: (settings) =>
    [settings.image, settings.flavour, specFingerprint(settings.specsDir)].join("\n"),
  // The secrets hold other services' connection details, so a change to those services is a change here.
  peers: (settings) =>
    servicesInSecrets(loadAwsResourcesSpec(settings.specsDir)).filter((s) => settings.services.includes(s)),

  async start(run) {
    const { flavour, specsDir } = run.settings;
    const emulator = EMULATORS[flavour];
    const spec = await run.step("reading the AWS resources spec", async () => loadAwsResourcesSpec(specsDir));
    const endpoint = await emulator.start(run);
    const unavailable = Object.fromEntries(
      Object.entries(emulator.unavailable).filter(([capability]) =>
        capability === "dynamodb" ? spec.tables.length > 0 : spec.functions.length > 0,
      ),
    );
    for (const [capability, reason] of Object.entries(unavailable))
      run.note(`no ${capability} on ${flavour}: ${reason}`);
    const secretValues = await run.step("filling secrets", async () => {
      const contexts = Object.fromEntries(
        await Promise.all(servicesInSecrets(spec).map(async (name) => [name, await run.peer(name)] as const)),
      );
      return fillSecrets(spec, contexts, run.note);
    });
    const context: AwsContext = {
      image: run.image,
      flavour,
      unavailable,
      endpoint,
      region: "us-east-1",
      accessKeyId: MAIN_ACCOUNT,
      secretAccessKey: randomToken(40),
      spec,
      specsDir,
      secretValues,
    };
    const clients = awsClients(context);
    try {
      await run.step("creating buckets, queues, topics, secrets, tables and functions", async () => {
        const resources = await createAwsResources(clients, spec, target(context, ""));
        await resetAwsResources({ ...clients, resources }, spec);
      });
    } finally {
      destroyAwsClients(clients);
    }
    return context;
  },

  store: (_context, workerId) => ({
    awsAccount: workerAccount(workerId),
    awsBucketPrefix: workerBucketPrefix(workerId),
  }),

  async prepare(context, id, previous) {
    const clients = awsClients({ ...context, accessKeyId: workerAccount(id) });
    try {
      if (previous) {
        // The account has its resources from the slot's last round: emptying them is a third of the
        // requests of creating them again, which matters on LocalStack while tests run beside it.
        const resources = previous as AwsResources;
        const reset = await resetAwsResources({ ...clients, resources }, context.spec).then(
          () => true,
          () => false, // a test deleted one: create them again below
        );
        if (reset) return resources;
      }
      const resources = await createAwsResources(
        clients,
        context.spec,
        target(context, workerBucketPrefix(id)),
      );
      await resetAwsResources({ ...clients, resources }, context.spec);
      return resources;
    } finally {
      destroyAwsClients(clients);
    }
  },

  async connect(context, id, resources) {
    const clients = awsClients({ ...context, accessKeyId: workerAccount(id) });
    return { ...clients, resources: resources as AwsResources };
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
