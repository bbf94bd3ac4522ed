import { execFile } from "node:child_process";
import { once } from "node:events";
import { type AddressInfo, createServer } from "node:net";
import path from "node:path";
import { envLines } from "../../src/cli";
import { type EnvironmentContext, removeContext, writeRunFile } from "../../src/context";
import type { AwsContext } from "../../src/services/aws";

const postgres = {
  image: "postgres:15-alpine",
  flavour: "postgres" as const,
  capabilities: {},
  host: "127.0.0.1",
  port: 32768,
  user: "campaign",
  password: "pgpw",
  database: "campaign",
  templateDatabase: "campaign_tpl_abc",
  url: "postgres://campaign:pgpw@127.0.0.1:32768/campaign",
  resetTracking: true,
};
const mongo = {
  image: "mongo:7.0",
  flavour: "mongo" as const,
  host: "127.0.0.1",
  port: 32769,
  uri: "mongodb://campaign:mpw@127.0.0.1:32769/?authSource=admin&directConnection=true",
  database: "campaign",
  capabilities: { validators: { ok: true }, transactions: { ok: true } },
  spec: { collections: [] },
};
const redis = {
  image: "redis:7-alpine",
  flavour: "redis" as const,
  capabilities: {},
  host: "127.0.0.1",
  port: 32770,
  password: "rpw",
  url: "redis://:rpw@127.0.0.1:32770",
};
const aws: AwsContext = {
  image: "localstack/localstack:4.14.0",
  flavour: "localstack",
  capabilities: { dynamodb: { ok: true }, lambda: { ok: true } },
  endpoint: "http://127.0.0.1:32771",
  region: "us-east-1",
  accessKeyId: "000000000000",
  secretAccessKey: "secret",
  spec: { buckets: [], queues: [], topics: [], secrets: [], tables: [], functions: [] },
  specsDir: "/specs",
  secretValues: {},
};
const base = { runId: "r1", startedAt: "2024-07-15T12:00:00.000Z", storeSets: "/tmp/sets" };

describe("envLines", () => {
  test("every service's settings, after the context file", () => {
    const context: EnvironmentContext = {
      ...base,
      services: ["postgres", "mongo", "redis", "aws"],
      postgres,
      mongo,
      redis,
      aws,
    };
    expect(envLines(context, "/tmp/ctx.json")).toEqual([
      "CAMPAIGN_TESTENV_CONTEXT=/tmp/ctx.json",
      "DATABASE_URL=postgres://campaign:pgpw@127.0.0.1:32768/campaign",
      "PGHOST=127.0.0.1",
      "PGPORT=32768",
      "PGUSER=campaign",
      "PGPASSWORD=pgpw",
      "PGDATABASE=campaign",
      "MONGO_URL=mongodb://campaign:mpw@127.0.0.1:32769/?authSource=admin&directConnection=true",
      "MONGO_DATABASE=campaign",
      "REDIS_URL=redis://:rpw@127.0.0.1:32770",
      "AWS_ENDPOINT_URL=http://127.0.0.1:32771",
      "AWS_REGION=us-east-1",
      "AWS_ACCESS_KEY_ID=000000000000",
      "AWS_SECRET_ACCESS_KEY=secret",
    ]);
  });

  test("only the started services", () => {
    const lines = envLines({ ...base, services: ["redis", "aws"], redis, aws }, "/tmp/ctx.json");
    expect(lines.map((l) => l.split("=")[0])).toEqual([
      "CAMPAIGN_TESTENV_CONTEXT",
      "REDIS_URL",
      "AWS_ENDPOINT_URL",
      "AWS_REGION",
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
    ]);
    const onlyMongo = envLines({ ...base, services: ["mongo"], mongo }, "f");
    expect(onlyMongo.map((l) => l.split("=")[0])).toEqual([
      "CAMPAIGN_TESTENV_CONTEXT",
      "MONGO_URL",
      "MONGO_DATABASE",
    ]);
  });

  test("no services: only the context file", () => {
    expect(envLines({ ...base, services: [] }, "/x/context.json")).toEqual([
      "CAMPAIGN_TESTENV_CONTEXT=/x/context.json",
    ]);
  });
});

describe("health", () => {
  let contextFile: string;
  beforeAll(async () => {
    // A port nothing listens on: the check fails at once, no engine needed.
    const server = createServer().listen(0, "127.0.0.1");
    await once(server, "listening");
    const { port } = server.address() as AddressInfo;
    server.close();
    const closed = { ...redis, port, url: `redis://:rpw@127.0.0.1:${port}` };
    contextFile = writeRunFile({ ...base, runId: "unit-cli-health", services: ["redis"], redis: closed });
  });
  afterAll(() => removeContext(contextFile));

  const health = (env: NodeJS.ProcessEnv) =>
    new Promise<{ code: number | null; stdout: string }>((resolve) => {
      const cli = path.join(__dirname, "..", "..", "src", "cli.ts");
      const args = ["-r", "ts-node/register/transpile-only", cli, "health"];
      const colours = { FORCE_COLOR: undefined, NO_COLOR: undefined };
      const child = execFile(
        process.execPath,
        args,
        { env: { ...process.env, ...colours, CAMPAIGN_TESTENV_CONTEXT: contextFile, ...env } },
        (_error, stdout) => resolve({ code: child.exitCode, stdout }),
      );
    });

  test("a failed check: exit 1, its status in red where FORCE_COLOR asks for colours, plain into a pipe", async () => {
    const [piped, forced] = await Promise.all([health({}), health({ FORCE_COLOR: "1" })]);
    expect(piped.code).toBe(1);
    expect(piped.stdout).toMatch(/^redis {5}UNHEALTHY +\d+ ms {2}127\.0\.0\.1:\d+: /);
    expect(forced.stdout).toMatch(/^redis {5}\S+UNHEALTHY\S+ /);
    expect(forced.stdout).toContain("\x1b[31mUNHEALTHY\x1b[39m");
  });
});
