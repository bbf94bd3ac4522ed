import { RedisContainer } from "@testcontainers/redis";
import { randomToken } from "../random";
import type { Service } from "./service";

/** Logical databases: 0 for unisolated use, 1..N for Jest workers (JEST_WORKER_ID). */
export const REDIS_DATABASES = 64;

export const redis: Service<"redis"> = {
  name: "redis",
  fingerprint: (options) => options.images.redis,
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
    return {
      image: run.image,
      host,
      port,
      password,
      url: `redis://:${password}@${host}:${port}`,
    };
  },
};
