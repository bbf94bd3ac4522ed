/** Turns an error a client's call failed with into the one to show (a ServiceDownError, say). */
export type Explain = (error: unknown) => Promise<unknown>;

/**
 * The client, unchanged except that a promise any of its methods returns is rejected with `explain`'s
 * error. Objects its methods return are wrapped the same way where `deeper` says so (a Mongo database's
 * collections and cursors); otherwise one level deep: `pool.query(...)`, `redis.get(...)`. Methods run
 * on the client itself, never on the proxy.
 */
export function explaining<T extends object>(
  client: T,
  explain: Explain,
  deeper: (value: object) => boolean = () => false,
): T {
  return new Proxy(client, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(target, args);
        // A thenable, not `instanceof Promise`: under Jest the client's promises come from another realm.
        if (typeof (result as PromiseLike<unknown> | undefined)?.then === "function") {
          return Promise.resolve(result).catch(async (error: unknown) => {
            throw await explain(error);
          });
        }
        if (typeof result === "object" && result !== null && deeper(result))
          return explaining(result, explain, deeper);
        return result;
      };
    },
  });
}
