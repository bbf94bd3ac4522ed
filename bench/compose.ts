// The baseline: the same images started the compose way and waited on the way the old setup.sh did
// (one CLI check per service, in turn, retried every second), then initialised with the package's own
// functions, one step after another as a shell script runs them.
import path from "node:path";
import { MongoClient } from "mongodb";
import { Client } from "pg";
import type { EnvironmentContext, ResolvedOptions, ServiceName } from "../src";
import { runDir } from "../src/context";
import { capabilitiesOf } from "../src/services/aws/capabilities";
import { awsClients, destroyAwsClients } from "../src/services/aws/clients";
import { createAwsResources, loadAwsResourcesSpec, resetAwsResources } from "../src/services/aws/resources";
import { loadMigrations, migrate } from "../src/services/postgres/migrations";
import { installResetTracking } from "../src/services/postgres/reset";
import { createCollections, loadCollectionsSpec } from "../src/services/mongo";
import { poll } from "../src/poll";
import { run } from "./lib";

const FILE = path.join(__dirname, "compose.baseline.yml");
const PASSWORD = "campaign"; // the compose era's fixed credentials
const PORTS: Record<ServiceName, number> = { postgres: 5432, mongo: 27017, redis: 6379, aws: 4566 };

// A promise, so that calls made while the lookup (or the install) runs wait for the same one.
let composeCmd: Promise<string[]> | undefined;

/** `docker compose` when the plugin is there, else docker-compose (installed from Debian if missing and allowed). */
async function compose(project: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  composeCmd ??= findCompose();
  const [cmd, ...pre] = await composeCmd;
  const { stdout } = await run(cmd, [...pre, "-p", project, "-f", FILE, ...args], { env });
  return stdout.trim();
}

async function findCompose(): Promise<string[]> {
  if (
    await run("docker", ["compose", "version"]).then(
      () => true,
      () => false,
    )
  )
    return ["docker", "compose"];
  if (
    await run("docker-compose", ["version"]).then(
      () => true,
      () => false,
    )
  )
    return ["docker-compose"];
  console.log("bench: installing docker-compose from Debian (scripts/apt-install.sh docker-compose)");
  await run("bash", [path.join(__dirname, "..", "scripts", "apt-install.sh"), "docker-compose"]).catch(
    (error: Error) => {
      throw new Error(
        `bench: neither \`docker compose\` nor docker-compose is installed, and installing docker-compose ` +
          `failed (${error.message.trim()}); install one to measure the compose baseline.`,
      );
    },
  );
  return ["docker-compose"];
}

/**
 * Runs `check` every second until it passes, like `until check; do sleep 1; done`: a failing check
 * (the CLI's non-zero exit) is a "not yet", as in the shell.
 */
const until = (what: string, check: () => Promise<boolean>, timeoutMs = 180_000): Promise<void> =>
  poll(
    async () => ((await check().catch(() => false)) ? { done: true, value: undefined } : { done: false }),
    { timeoutMs, intervalMs: 1000 },
    () => new Error(`bench: compose baseline: ${what} not ready after ${timeoutMs} ms`),
  );

export interface ComposeRun {
  project: string;
  env: NodeJS.ProcessEnv;
  containerIds: string[];
  /** Where each service listens, for a context that points tests at the baseline. */
  addresses: Partial<Record<ServiceName, { host: string; port: number }>>;
}

/** Starts the baseline and returns once every service is healthy and initialised. */
export async function composeUp(options: ResolvedOptions, project: string): Promise<ComposeRun> {
  const env = { ...process.env };
  for (const name of options.services)
    env[`CAMPAIGN_TESTENV_${name.toUpperCase()}_IMAGE`] = options.images[name];
  await compose(project, env, "up", "-d", ...options.services);
  const container = async (name: ServiceName) => compose(project, env, "ps", "-q", name);
  const address = async (name: ServiceName) => {
    const [host, port] = (await compose(project, env, "port", name, String(PORTS[name]))).split(":");
    return { host: host === "0.0.0.0" ? "127.0.0.1" : host, port: Number(port) };
  };
  const has = (name: ServiceName) => options.services.includes(name);

  if (has("postgres")) {
    const id = await container("postgres");
    // Over TCP: the entrypoint's temporary init server listens on the socket only.
    await until("postgres", async () =>
      run("docker", ["exec", id, "pg_isready", "-h", "127.0.0.1", "-U", "campaign"]).then(() => true),
    );
  }
  if (has("redis")) {
    const id = await container("redis");
    await until("redis", async () =>
      (
        await run("docker", ["exec", id, "redis-cli", "-a", PASSWORD, "--no-auth-warning", "ping"])
      ).stdout.includes("PONG"),
    );
  }
  if (has("mongo")) {
    const { host, port } = await address("mongo");
    await until("mongo", async () => {
      const client = new MongoClient(`mongodb://${host}:${port}`, { serverSelectionTimeoutMS: 1000 });
      try {
        return (await client.db("admin").command({ ping: 1 })).ok === 1;
      } finally {
        await client.close();
      }
    });
  }
  if (has("aws")) {
    const { host, port } = await address("aws");
    await until("aws", async () => {
      const { services } = (await (await fetch(`http://${host}:${port}/_localstack/health`)).json()) as {
        services: Record<string, string>;
      };
      return ["s3", "sqs", "sns", "secretsmanager"].every((s) =>
        ["available", "running"].includes(services[s]),
      );
    });
  }

  // Initialisation, as the package does it, but straight into the main stores (no template).
  if (has("postgres")) {
    const { host, port } = await address("postgres");
    const client = new Client({ host, port, user: "campaign", password: PASSWORD, database: "campaign" });
    await client.connect();
    try {
      await migrate(client, loadMigrations(options.migrationsDir));
    } finally {
      await client.end();
    }
  }
  if (has("mongo")) {
    const { host, port } = await address("mongo");
    const client = await new MongoClient(`mongodb://${host}:${port}`).connect();
    try {
      await createCollections(
        client.db("campaign"),
        loadCollectionsSpec(options.specsDir),
        options.flavours.mongo === "mongo",
      );
    } finally {
      await client.close();
    }
  }
  if (has("aws")) {
    const { host, port } = await address("aws");
    const spec = loadAwsResourcesSpec(options.specsDir);
    const clients = awsClients({
      endpoint: `http://${host}:${port}`,
      region: "us-east-1",
      accessKeyId: "test",
      secretAccessKey: "test",
    });
    try {
      // Secret values as written in the spec (placeholders unfilled): the same number of secrets is created.
      const secretValues = Object.fromEntries(spec.secrets.map((s) => [s.name, s.value]));
      const target = {
        account: "000000000000",
        bucketPrefix: "",
        secretValues,
        specsDir: options.specsDir,
        tables: false,
        functions: false,
      };
      const resources = await createAwsResources(clients, spec, target);
      await resetAwsResources({ ...clients, resources }, spec);
    } finally {
      destroyAwsClients(clients);
    }
  }
  const containerIds = (await compose(project, env, "ps", "-q")).split("\n").filter(Boolean);
  const addresses = Object.fromEntries(
    await Promise.all(options.services.map(async (name) => [name, await address(name)] as const)),
  );
  return { project, env, containerIds, addresses };
}

/**
 * A context for the baseline, so the reference suite runs on it unchanged: its fixed credentials, and
 * a template database copied from the migrated one (the compose era had none; workers clone it here).
 */
export async function composeContext(options: ResolvedOptions, up: ComposeRun): Promise<EnvironmentContext> {
  const { postgres, mongo, redis, aws } = up.addresses;
  const context: EnvironmentContext = {
    runId: up.project,
    startedAt: new Date().toISOString(),
    services: options.services,
    // In the run's folder, as an environment's: removing the context removes the claims too.
    storeSets: path.join(runDir(up.project), "store-sets"),
  };
  if (postgres) {
    const admin = new Client({ ...postgres, user: "campaign", password: PASSWORD, database: "postgres" });
    await admin.connect();
    try {
      await admin.query("CREATE DATABASE campaign_tpl TEMPLATE campaign");
    } finally {
      await admin.end();
    }
    // The suite's cleanTestData calls the reset the package installs into its template.
    const template = new Client({
      ...postgres,
      user: "campaign",
      password: PASSWORD,
      database: "campaign_tpl",
    });
    await template.connect();
    try {
      await installResetTracking(template);
    } finally {
      await template.end();
    }
    const url = `postgres://campaign:${PASSWORD}@${postgres.host}:${postgres.port}/campaign`;
    context.postgres = {
      image: options.images.postgres,
      flavour: "postgres",
      capabilities: {},
      ...postgres,
      user: "campaign",
      password: PASSWORD,
      database: "campaign",
      templateDatabase: "campaign_tpl",
      url,
      resetTracking: true,
    };
  }
  if (mongo) {
    const uri = `mongodb://${mongo.host}:${mongo.port}`;
    // The compose era's settings: what each Mongo flavour was known to do, not probed.
    const known = options.flavours.mongo === "mongo" ? { ok: true } : { ok: false, reason: "FerretDB v1" };
    const spec = loadCollectionsSpec(options.specsDir);
    context.mongo = {
      image: options.images.mongo,
      flavour: options.flavours.mongo,
      capabilities: { validators: known, transactions: known },
      ...mongo,
      uri,
      database: "campaign",
      spec,
    };
  }
  if (redis) {
    context.redis = {
      image: options.images.redis,
      flavour: "redis",
      capabilities: {},
      ...redis,
      password: PASSWORD,
      url: `redis://:${PASSWORD}@${redis.host}:${redis.port}`,
    };
  }
  if (aws) {
    const spec = loadAwsResourcesSpec(options.specsDir);
    context.aws = {
      image: options.images.aws,
      flavour: "localstack",
      // The compose era created neither the locks table nor the function.
      capabilities: capabilitiesOf({ dynamodb: "not in the compose era", lambda: "not in the compose era" }),
      endpoint: `http://${aws.host}:${aws.port}`,
      region: "us-east-1",
      accessKeyId: "000000000000",
      secretAccessKey: "test",
      spec,
      specsDir: options.specsDir,
      secretValues: Object.fromEntries(spec.secrets.map((s) => [s.name, s.value])),
    };
  }
  return context;
}

export async function composeDown(up: Pick<ComposeRun, "project" | "env">): Promise<void> {
  await compose(up.project, up.env, "down", "-v", "-t", "2");
}
