// admitCall's Redis script needs a real Redis (the integration suites run it); what is plain code here
// is how it reaches Redis: which keys and arguments, and the NOSCRIPT fallback. A stub records the calls.
import type { Redis } from "ioredis";
import { admitCall, heldSlots, releaseSlot } from "../../src/campaign/limits";

type Call = { method: string; args: unknown[] };

function stubRedis(behaviour: Partial<Record<string, (...args: unknown[]) => unknown>>) {
  const calls: Call[] = [];
  const redis = new Proxy(
    {},
    {
      get:
        (_target, method: string) =>
        async (...args: unknown[]) => {
          calls.push({ method, args });
          const fn = behaviour[method];
          if (!fn) throw new Error(`unexpected redis.${method}`);
          return fn(...args);
        },
    },
  ) as unknown as Redis;
  return { redis, calls };
}

const limits = { callsPerMinute: 30, maxConcurrentCalls: 2 };

describe("admitCall", () => {
  test("runs the cached script on the campaign's two keys, in one cluster slot, with whole-ms time", async () => {
    const { redis, calls } = stubRedis({ evalsha: () => "admitted" });
    await expect(admitCall(redis, "c1", "call-1", limits, 1_000.9)).resolves.toBe("admitted");
    expect(calls).toHaveLength(1);
    const [sha, keyCount, ...rest] = calls[0].args;
    expect(sha).toMatch(/^[0-9a-f]{40}$/);
    expect(keyCount).toBe(2);
    expect(rest).toEqual(["campaign:{c1}:rate", "campaign:{c1}:slots", 30, 2, 1000, "call-1"]);
  });

  test("a server that has not seen the script gets it whole, with the same keys and arguments", async () => {
    const { redis, calls } = stubRedis({
      evalsha: () => {
        throw new Error("NOSCRIPT No matching script. Please use EVAL.");
      },
      eval: () => "no_slot",
    });
    await expect(admitCall(redis, "c1", "call-1", limits, 5)).resolves.toBe("no_slot");
    expect(calls.map((c) => c.method)).toEqual(["evalsha", "eval"]);
    const [script, ...evalArgs] = calls[1].args;
    expect(script).toContain("redis.call('SADD', KEYS[2], ARGV[4])");
    expect(evalArgs).toEqual(calls[0].args.slice(1));
  });

  test("any other error is not retried", async () => {
    const { redis, calls } = stubRedis({
      evalsha: () => {
        throw new Error("NOAUTH Authentication required.");
      },
      eval: () => "admitted",
    });
    await expect(admitCall(redis, "c1", "call-1", limits, 5)).rejects.toThrow("NOAUTH");
    expect(calls.map((c) => c.method)).toEqual(["evalsha"]);
  });
});

describe("releaseSlot and heldSlots", () => {
  test("releaseSlot removes the call from the campaign's slot set and says whether it held one", async () => {
    const { redis, calls } = stubRedis({ srem: (_key, id) => (id === "held" ? 1 : 0) });
    await expect(releaseSlot(redis, "c9", "held")).resolves.toBe(true);
    await expect(releaseSlot(redis, "c9", "not-held")).resolves.toBe(false);
    expect(calls[0].args).toEqual(["campaign:{c9}:slots", "held"]);
  });

  test("heldSlots lists the campaign's slot set", async () => {
    const { redis, calls } = stubRedis({ smembers: () => ["a", "b"] });
    await expect(heldSlots(redis, "c9")).resolves.toEqual(["a", "b"]);
    expect(calls[0].args).toEqual(["campaign:{c9}:slots"]);
  });
});
