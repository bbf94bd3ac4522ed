import { createHash } from "node:crypto";
import path from "node:path";
import { FunctionFailedError } from "../../errors";
import { randomToken } from "../../random";
import { type Service, type ServiceContext, SPECS_DIR } from "../../service";
import { type AwsCapabilities, type AwsStarted } from "./capabilities";
import { type AwsEndpoint, awsClients, destroyAwsClients } from "./clients";
import { localstack } from "./localstack";
import { ministack } from "./ministack";
import type { AwsResources, AwsTarget } from "./resources";
import { type AwsResourcesSpec, loadAwsResourcesSpec } from "./spec";
import { fillSecrets, servicesInSecrets } from "./secrets";
import { AwsStore } from "./store";

// Loaded on first use: the SDK's commands, which only the runner's parent and the CLI send.
const resources = (): typeof import("./resources") => require("./resources");

/** The emulator filling the AWS role: LocalStack (the default) or MiniStack. */
export type AwsFlavour = "localstack" | "ministack";

export interface AwsContext extends AwsEndpoint, ServiceContext {
  flavour: AwsFlavour;
  /** What the emulator serves here, each with the reason when not; tests check it rather than assume. */
  capabilities: AwsCapabilities;
  /** The resources every account gets (the main one at start-up, each store set's at setup). */
  spec: AwsResourcesSpec;
  /** Where the spec was read from: function sources are relative to it. */
  specsDir: string;
  /** The secrets' values, placeholders filled from the other services' context. */
  secretValues: Record<string, Record<string, string>>;
}

/** The account of unisolated use (`campaign-testenv up`, the main context): LocalStack's default. */
const MAIN_ACCOUNT = "000000000000";
/** Store set N is AWS account N: a 12-digit access key is an account to both emulators. */
const storeSetAccount = (id: number): string => String(id).padStart(12, "0");
/** S3 bucket names are one namespace across accounts (as in AWS), so only they carry the store set. */
const storeSetBucketPrefix = (id: number): string => `s${id}-`;

const target = (context: AwsContext, account: string, bucketPrefix: string): AwsTarget => ({
  account,
  bucketPrefix,
  secretValues: context.secretValues,
  specsDir: context.specsDir,
  tables: context.capabilities.dynamodb.ok,
  functions: context.capabilities.lambda.ok,
});

/** The spec, plus the bytes of every function's source: a changed handler is a changed environment. */
function specFingerprint(specsDir: string): string {
  const spec = loadAwsResourcesSpec(specsDir);
  const { zipFolder } = require("./zip") as typeof import("./zip");
  const sources = spec.functions.map((fn) =>
    createHash("sha256")
      .update(zipFolder(path.join(specsDir, fn.source)))
      .digest("hex"),
  );
  return [JSON.stringify(spec), ...sources].join("\n");
}

/** What the spec asks of each capability: a lacking one is worth a startup note only if the spec uses it. */
const needs = (spec: AwsResourcesSpec): Record<keyof AwsCapabilities, boolean> => ({
  dynamodb: spec.tables.length > 0,
  lambda: spec.functions.length > 0,
});

export const aws: Service<{
  name: "aws";
  context: AwsContext;
  prepared: AwsResources;
  store: AwsStore;
  client: AwsStore;
  names: { awsAccount: string; awsBucketPrefix: string };
  accessors: { aws: AwsStore };
  flavour: AwsFlavour;
  options: { specsDir: string };
  started: AwsStarted;
}> = {
  name: "aws",
  startedByDefault: true,
  flavours: { localstack, ministack },
  options: { specsDir: SPECS_DIR },
  fingerprint: (settings) =>
    [settings.image, settings.flavour, specFingerprint(settings.specsDir)].join("\n"),
  // The secrets hold other services' connection details, so a change to those services is a change here.
  peers: (settings) =>
    servicesInSecrets(loadAwsResourcesSpec(settings.specsDir)).filter((s) => settings.services.includes(s)),

  async start(run) {
    const { flavour, specsDir } = run.settings;
    const { createAwsResources, createSecrets, resetAwsResources } = resources();
    const spec = await run.step("reading the AWS resources spec", async () => loadAwsResourcesSpec(specsDir));
    const { endpoint, capabilities } = await aws.flavours[flavour].start(run);
    for (const [name, capability] of Object.entries(capabilities)) {
      if (!capability.ok && needs(spec)[name as keyof AwsCapabilities])
        run.note(`no ${name} on ${flavour}: ${capability.reason}`);
    }
    const context: AwsContext = {
      image: run.image,
      flavour,
      capabilities,
      endpoint,
      region: "us-east-1",
      accessKeyId: MAIN_ACCOUNT,
      secretAccessKey: randomToken(40),
      spec,
      specsDir,
      secretValues: {},
    };
    const clients = awsClients(context);
    try {
      // Everything but the secrets first, while the services whose details the secrets hold still start.
      const creating = run.step("creating buckets, queues, topics, tables and functions", async () => {
        const created = await createAwsResources(clients, spec, target(context, MAIN_ACCOUNT, "")).catch(
          (error: unknown) => {
            // What runs cannot run functions after all (LocalStack without a usable engine): say so,
            // and give every account the rest.
            if (!(error instanceof FunctionFailedError)) throw error;
            context.capabilities.lambda = {
              ok: false,
              reason: `${flavour} could not run functions: ${error.message}`,
            };
            run.note(`no lambda on ${flavour}: ${context.capabilities.lambda.reason}`);
            return createAwsResources(clients, spec, target(context, MAIN_ACCOUNT, ""));
          },
        );
        await resetAwsResources({ ...clients, resources: created }, spec);
      });
      creating.catch(() => undefined); // awaited below, where its failure is thrown: not unhandled meanwhile
      context.secretValues = await run.step("filling secrets", async () => {
        const contexts = Object.fromEntries(
          await Promise.all(
            servicesInSecrets(spec).map(async (name) => [name, await run.peer(name)] as const),
          ),
        );
        return fillSecrets(spec, contexts, run.note);
      });
      await creating;
      await run.step("creating secrets", () => createSecrets(clients, spec, context.secretValues));
    } finally {
      destroyAwsClients(clients);
    }
    return context;
  },

  names: { awsAccount: storeSetAccount, awsBucketPrefix: storeSetBucketPrefix },

  async prepare(context, id, previous) {
    const { awaitFunctionsIdle, createAwsResources, resetAwsResources } = resources();
    const clients = awsClients({ ...context, accessKeyId: storeSetAccount(id) });
    try {
      if (previous) {
        // The account has its resources from the set's last round: emptying them is a third of the
        // requests of creating them again, which matters on LocalStack while tests run beside it.
        await awaitFunctionsIdle({ ...clients, resources: previous }, context.spec);
        const reset = await resetAwsResources({ ...clients, resources: previous }, context.spec).then(
          () => true,
          () => false, // a test deleted one: create them again below
        );
        if (reset) return previous;
      }
      const created = await createAwsResources(
        clients,
        context.spec,
        target(context, storeSetAccount(id), storeSetBucketPrefix(id)),
      );
      await resetAwsResources({ ...clients, resources: created }, context.spec);
      return created;
    } finally {
      destroyAwsClients(clients);
    }
  },

  // No SDK client is made here: each is made when a test first reads it.
  connect: async (context, id, created) =>
    new AwsStore({ ...context, accessKeyId: storeSetAccount(id) }, created, context.spec),

  client: (store) => store,

  explaining(store, explain) {
    store.explainFailures(explain);
    return store;
  },

  reset: (store) => store.reset(),

  close: async (store) => store.close(),

  accessors: { aws: (store) => store },

  async check(context, timeoutMs) {
    const { ListQueuesCommand } = require("@aws-sdk/client-sqs") as typeof import("@aws-sdk/client-sqs");
    const clients = awsClients(context);
    try {
      await clients.sqs.send(new ListQueuesCommand({}), { abortSignal: AbortSignal.timeout(timeoutMs) });
    } finally {
      destroyAwsClients(clients);
    }
  },

  address: ({ endpoint }) => endpoint,

  variables: (c) => ({
    AWS_ENDPOINT_URL: c.endpoint,
    AWS_REGION: c.region,
    AWS_ACCESS_KEY_ID: c.accessKeyId,
    AWS_SECRET_ACCESS_KEY: c.secretAccessKey,
  }),

  fix(text) {
    if (!/License activation failed|LOCALSTACK_AUTH_TOKEN|exit(ed)? (with )?code:? ?55/i.test(text))
      return undefined;
    return (
      "LocalStack releases after 4.14.0 need an account: set LOCALSTACK_AUTH_TOKEN, or use " +
      "localstack/localstack:4.14.0 (the default), or awsFlavour ministack."
    );
  },
};
