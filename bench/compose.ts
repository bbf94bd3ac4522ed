// The baseline: the compose era's services (compose.baseline.yml), started the compose way and waited on
// the way the old setup.sh did (one CLI check per service, in turn, retried every second), then
// initialised with the package's own functions, one step after another as a shell script runs them.
// The compose era had these four services and no other: a service the registry gains later is not part
// of the baseline (it is left out, and said so), and the baseline needs no change for it.
import path from "node:path";
import { MongoClient } from "mongodb";
import { Client } from "pg";
import type { ResolvedOptions, ServiceName } from "../src";
import { awsClients, destroyAwsClients } from "../src/services/aws/clients";
import { createAwsResources, resetAwsResources } from "../src/services/aws/resources";
import { loadAwsResourcesSpec } from "../src/services/aws/spec";
import { loadMigrations, migrate } from "../src/services/postgres/migrations";
import { createCollections, loadCollectionsSpec } from "../src/services/mongo";
import { poll } from "../src/poll";
import { run } from "./lib";
import { log } from "./settings";

const FILE = path.join(__dirname, "compose.baseline.yml");
const PASSWORD = "campaign"; // the compose era's fixed credentials
const AWS_ACCOUNT = "000000000000";

interface Address {
  host: string;
  port: number;
}

interface Lookup {
  container(): Promise<string>;
  address(): Promise<Address>;
}

/** One service as the compose era ran it. */
interface EraService {
  /** The port its container listens on (published on a free host port). */
  port: number;
  /** The old setup.sh's check: a "not yet" is a false or a failure. */
  ready(service: Lookup): Promise<boolean>;
  /** Its initialisation, as the package does it, but straight into the main store (no template). */
  init?(at: Address, options: ResolvedOptions): Promise<void>;
  /** Its connection details, as the env vars the tests read (the recipe's, bench/recipe). */
  env(at: Address): Record<string, string>;
}

/** The compose era's services, in the order setup.sh waited on them. */
const ERA = {
  postgres: {
    port: 5432,
    // Over TCP: the entrypoint's temporary init server listens on the socket only.
    ready: async ({ container }) =>
      run("docker", ["exec", await container(), "pg_isready", "-h", "127.0.0.1", "-U", "campaign"]).then(
        () => true,
      ),
    async init({ host, port }, options) {
      const client = new Client({ host, port, user: "campaign", password: PASSWORD, database: "campaign" });
      await client.connect();
      try {
        await migrate(client, loadMigrations(options.migrationsDir));
      } finally {
        await client.end();
      }
    },
    env: ({ host, port }) => ({ DATABASE_URL: `postgres://campaign:${PASSWORD}@${host}:${port}/campaign` }),
  },
  redis: {
    port: 6379,
    ready: async ({ container }) =>
      (
        await run("docker", [
          "exec",
          await container(),
          "redis-cli",
          "-a",
          PASSWORD,
          "--no-auth-warning",
          "ping",
        ])
      ).stdout.includes("PONG"),
    env: ({ host, port }) => ({ REDIS_URL: `redis://:${PASSWORD}@${host}:${port}` }),
  },
  mongo: {
    port: 27017,
    async ready({ address }) {
      const { host, port } = await address();
      const client = new MongoClient(`mongodb://${host}:${port}`, { serverSelectionTimeoutMS: 1000 });
      try {
        return (await client.db("admin").command({ ping: 1 })).ok === 1;
      } finally {
        await client.close();
      }
    },
    async init({ host, port }, options) {
      const client = await new MongoClient(`mongodb://${host}:${port}`).connect();
      try {
        const validators = options.flavours.mongo === "mongo";
        await createCollections(client.db("campaign"), loadCollectionsSpec(options.specsDir), validators);
      } finally {
        await client.close();
      }
    },
    env: ({ host, port }) => ({ MONGO_URL: `mongodb://${host}:${port}`, MONGO_DATABASE: "campaign" }),
  },
  aws: {
    port: 4566,
    async ready({ address }) {
      const { host, port } = await address();
      const { services } = (await (await fetch(`http://${host}:${port}/_localstack/health`)).json()) as {
        services: Record<string, string>;
      };
      return ["s3", "sqs", "sns", "secretsmanager"].every((s) =>
        ["available", "running"].includes(services[s]),
      );
    },
    async init({ host, port }, options) {
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
          account: AWS_ACCOUNT,
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
    },
    env: ({ host, port }) => ({
      AWS_ENDPOINT_URL: `http://${host}:${port}`,
      AWS_REGION: "us-east-1",
      AWS_ACCESS_KEY_ID: "test",
      AWS_SECRET_ACCESS_KEY: "test",
    }),
  },
} satisfies Partial<Record<ServiceName, EraService>>;
type EraName = keyof typeof ERA;

// A promise, so that calls made while the lookup (or the install) runs wait for the same one.
let composeCmd: Promise<string[]> | undefined;

/**
 * `docker compose` when the plugin is there, else docker-compose (installed from Debian if missing and
 * allowed). Sections call it before their clocks start, so that an install is not timed as a start.
 */
export const findComposeOnce = (): Promise<string[]> => (composeCmd ??= findCompose());

async function compose(project: string, env: NodeJS.ProcessEnv, ...args: string[]): Promise<string> {
  const [cmd, ...pre] = await findComposeOnce();
  const { stdout } = await run(cmd, [...pre, "-p", project, "-f", FILE, ...args], { env });
  return stdout.trim();
}

async function findCompose(): Promise<string[]> {
  const works = (cmd: string, ...args: string[]) =>
    run(cmd, args).then(
      () => true,
      () => false,
    );
  if (await works("docker", "compose", "version")) return ["docker", "compose"];
  if (await works("docker-compose", "version")) return ["docker-compose"];
  log("installing docker-compose from Debian (scripts/apt-install.sh docker-compose)");
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
  /** Every service's connection details, as the env vars the reference suite's recipe helpers read. */
  testEnv: Record<string, string>;
}

/** The selected services the compose era had; the others are said to be left out, once. */
let leftOut: string | undefined;
function eraServices(options: ResolvedOptions): EraName[] {
  const names = options.services.filter((name): name is EraName => name in ERA);
  const others = options.services.filter((name) => !(name in ERA)).join(", ");
  if (others && leftOut !== others)
    log(`compose way: ${(leftOut = others)} had no compose-era setup; left out`);
  return names;
}

/** Starts the baseline and returns once every service is healthy and initialised; on a failure, removes it. */
export async function composeUp(options: ResolvedOptions, project: string): Promise<ComposeRun> {
  const names = eraServices(options);
  const env = { ...process.env };
  for (const name of names) env[`CAMPAIGN_TESTENV_${name.toUpperCase()}_IMAGE`] = options.images[name];
  try {
    await compose(project, env, "up", "-d", ...names);
    const lookup = (name: EraName): Lookup => ({
      container: () => compose(project, env, "ps", "-q", name),
      async address() {
        const [host, port] = (await compose(project, env, "port", name, String(ERA[name].port))).split(":");
        return { host: host === "0.0.0.0" ? "127.0.0.1" : host, port: Number(port) };
      },
    });
    for (const name of names) await until(name, () => ERA[name].ready(lookup(name)));
    for (const name of names) {
      const service: EraService = ERA[name];
      if (service.init) await service.init(await lookup(name).address(), options);
    }
    const containerIds = (await compose(project, env, "ps", "-q")).split("\n").filter(Boolean);
    const testEnv = Object.assign(
      {},
      ...(await Promise.all(names.map(async (name) => ERA[name].env(await lookup(name).address())))),
    ) as Record<string, string>;
    return { project, env, containerIds, testEnv };
  } catch (error) {
    await composeDown({ project, env }).catch((e: Error) => log(`compose down failed: ${e.message}`));
    throw error;
  }
}

export async function composeDown(up: Pick<ComposeRun, "project" | "env">): Promise<void> {
  await compose(up.project, up.env, "down", "-v", "-t", "2");
}
