import { ListQueuesCommand } from "@aws-sdk/client-sqs";
import { Redis } from "ioredis";
import { MongoClient } from "mongodb";
import { Client } from "pg";
import { type EnvironmentContext, readContext } from "../context";
import type { ServiceName } from "../options";
import { awsClients, destroyAwsClients } from "../services/aws";

export interface ServiceHealth {
  service: ServiceName;
  healthy: boolean;
  /** Round trip of the check, ms. */
  latencyMs: number;
  /** Where it was checked, or why it failed. */
  detail: string;
}

const CHECK_TIMEOUT_MS = 5000;

/** Checks every started service with a real round trip through its client, in parallel. */
export async function checkServicesHealth(
  context: EnvironmentContext = readContext(),
): Promise<ServiceHealth[]> {
  const checks: { [K in ServiceName]: (c: NonNullable<EnvironmentContext[K]>) => Promise<void> } = {
    postgres: async ({ host, port, user, password, database }) => {
      const client = new Client({
        host,
        port,
        user,
        password,
        database,
        connectionTimeoutMillis: CHECK_TIMEOUT_MS,
      });
      try {
        await client.connect();
        await client.query("SELECT 1");
      } finally {
        await client.end().catch(() => undefined);
      }
    },
    mongo: async ({ uri }) => {
      const client = new MongoClient(uri, { serverSelectionTimeoutMS: CHECK_TIMEOUT_MS });
      try {
        await client.db("admin").command({ ping: 1 });
      } finally {
        await client.close();
      }
    },
    redis: async ({ host, port, password }) => {
      const redis = new Redis({
        host,
        port,
        password,
        lazyConnect: true,
        connectTimeout: CHECK_TIMEOUT_MS,
        maxRetriesPerRequest: 0,
      });
      try {
        await redis.connect();
        await redis.ping();
      } finally {
        redis.disconnect();
      }
    },
    aws: async (aws) => {
      const clients = awsClients(aws);
      try {
        await clients.sqs.send(new ListQueuesCommand({}), {
          abortSignal: AbortSignal.timeout(CHECK_TIMEOUT_MS),
        });
      } finally {
        destroyAwsClients(clients);
      }
    },
  };
  return Promise.all(
    context.services.map(async (service) => {
      const started = performance.now();
      const target = context[service]!;
      const where = "endpoint" in target ? target.endpoint : `${target.host}:${target.port}`;
      try {
        await (checks[service] as (c: typeof target) => Promise<void>)(target);
        return { service, healthy: true, latencyMs: performance.now() - started, detail: where };
      } catch (error) {
        const reason = error instanceof Error ? error.message : String(error);
        return {
          service,
          healthy: false,
          latencyMs: performance.now() - started,
          detail: `${where}: ${reason}`,
        };
      }
    }),
  );
}
