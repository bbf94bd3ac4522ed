import type { StartedRedisContainer } from "@testcontainers/redis";
import type { Redis } from "ioredis";
import { explaining } from "../../explaining";
import { randomToken } from "../../random";
import { STORE_SET_CAPACITY, type Service, type ServiceContext } from "../../service";

export interface RedisContext extends ServiceContext {
  flavour: "redis";
  host: string;
  port: number;
  password: string;
  url: string;
}

// Loaded on first use (docs/ARCHITECTURE.md, "Loaded on first use").
const ioredis = (): typeof import("ioredis") => require("ioredis");

/** A client of logical database `db`; with lazyConnect it connects on its first command. */
function clientOf({ host, port, password }: RedisContext, db: number): Redis {
  // A command waits through at most 3 reconnections (under a second): with ioredis's default of 20
  // and its backoff, a test's call on a stopped container hung for over a minute before failing.
  const client = new (ioredis().Redis)({
    host,
    port,
    password,
    db,
    lazyConnect: true,
    maxRetriesPerRequest: 3,
  });
  // Reconnection errors (a stopped container) reach the failing command; no "Unhandled error event".
  client.on("error", () => undefined);
  return client;
}

export const redis: Service<{
  name: "redis";
  context: RedisContext;
  prepared: null;
  store: Redis;
  client: Redis;
  names: { redisDb: number };
  accessors: { redis: Redis };
  flavour: "redis";
  options: Record<never, never>;
  started: StartedRedisContainer;
}> = {
  name: "redis",
  startedByDefault: true,
  flavours: {
    redis: {
      image: "redis:7-alpine",
      start(run) {
        const { RedisContainer } = require("@testcontainers/redis") as typeof import("@testcontainers/redis");
        return run.startContainer(
          new RedisContainer(run.image).withPassword(randomToken()).withCommand([
            "redis-server",
            // Database 0 for unisolated use, then one per store set (the store set's id).
            ...["--databases", String(STORE_SET_CAPACITY + 1)],
            // No persistence: a test cache, and saving only costs time.
            ...["--save", "", "--appendonly", "no"],
          ]),
        );
      },
    },
  },
  fingerprint: (settings) => settings.image,

  async start(run) {
    const container = await redis.flavours.redis.start(run);
    const host = container.getHost();
    const port = container.getPort();
    const password = container.getPassword();
    return {
      image: run.image,
      flavour: "redis",
      capabilities: {},
      host,
      port,
      password,
      url: `redis://:${password}@${host}:${port}`,
    };
  },

  names: { redisDb: (id) => id },

  async prepare(context, id) {
    const client = clientOf(context, id);
    try {
      await client.flushdb();
    } finally {
      client.disconnect();
    }
    return null;
  },

  // No handshake here: a claim from the warm pool waits for nothing.
  connect: async (context, id) => clientOf(context, id),

  client: (client) => client,

  explaining: (client, explain) => explaining(client, explain),

  async reset(client) {
    await client.flushdb();
  },

  async close(client) {
    client.disconnect();
  },

  accessors: { redis: (client) => client },

  async check({ host, port, password }, timeoutMs) {
    const client = new (ioredis().Redis)({
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

  variables: (c) => ({ REDIS_URL: c.url }),

  // ioredis gave up reconnecting, or refuses commands on a closed connection.
  lostConnection: ({ name, message }) =>
    name === "MaxRetriesPerRequestError" ||
    (typeof message === "string" && message.startsWith("Connection is closed")),
};
