import { RedisContainer } from "@testcontainers/redis";
import { Redis } from "ioredis";
import { randomToken } from "../../random";
import type { Service } from "../../service";
import { OptionsError } from "../../errors";

export interface RedisContext {
  image: string;
  host: string;
  port: number;
  password: string;
  url: string;
}

/** Logical databases: 0 for unisolated use, 1..N for workers. */
export const REDIS_DATABASES = 64;

/** A worker's logical database: its id, which must fit the server's database count. */
export function redisDb(workerId: number): number {
  if (!Number.isInteger(workerId) || workerId < 1 || workerId >= REDIS_DATABASES) {
    throw new OptionsError(
      `campaign-testenv: worker id ${workerId} is out of range 1..${REDIS_DATABASES - 1}; run Jest with fewer workers (--maxWorkers).`,
    );
  }
  return workerId;
}

/** A client of logical database `workerId`; with lazyConnect it connects on its first command. */
function clientOf({ host, port, password }: RedisContext, workerId: number): Redis {
  // A command waits through at most 3 reconnections (under a second): with ioredis's default of 20
  // and its backoff, a test's call on a stopped container hung for over a minute before failing.
  const client = new Redis({
    host,
    port,
    password,
    db: redisDb(workerId),
    lazyConnect: true,
    maxRetriesPerRequest: 3,
  });
  // Reconnection errors (a stopped container) reach the failing command; no "Unhandled error event".
  client.on("error", () => undefined);
  return client;
}

export const redis: Service<"redis", RedisContext, Redis> = {
  name: "redis",
  images: { redis: "redis:7-alpine" },
  fingerprint: (settings) => settings.image,

  async start(run) {
    const password = randomToken();
    const container = await run.startContainer(
      new RedisContainer(run.image)
        .withPassword(password)
        // No persistence: a test cache, and saving only costs time.
        .withCommand([
          "redis-server",
          "--databases",
          String(REDIS_DATABASES),
          "--save",
          "",
          "--appendonly",
          "no",
        ]),
    );
    const host = container.getHost();
    const port = container.getPort();
    return { image: run.image, host, port, password, url: `redis://:${password}@${host}:${port}` };
  },

  store: (_context, workerId) => ({ redisDb: redisDb(workerId) }),

  async prepare(context, id) {
    const client = clientOf(context, id);
    try {
      await client.flushdb();
    } finally {
      client.disconnect();
    }
  },

  // No handshake here: a claim from the warm pool waits for nothing.
  connect: async (context, id) => clientOf(context, id),

  async reset(client) {
    await client.flushdb();
  },

  async close(client) {
    client.disconnect();
  },

  async check({ host, port, password }, timeoutMs) {
    const client = new Redis({
      host,
      port,
      password,
      lazyConnect: true,
      connectTimeout: timeoutMs,
      maxRetriesPerRequest: 0,
      retryStrategy: () => null, // one try: a health check reports, it does not wait
    });
    client.on("error", () => undefined); // the failed command says it; no "Unhandled error event" on stderr
    try {
      await client.connect();
      await client.ping();
    } finally {
      client.disconnect();
    }
  },

  address: ({ host, port }) => `${host}:${port}`,

  envLines: (c) => [`REDIS_URL=${c.url}`],
};
