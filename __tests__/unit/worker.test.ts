// Where a worker's data lives: each service names its store from the worker id (service.store).
import { SERVICE_NAMES, service } from "../../src/services";

// store() reads nothing of the context for these four services; a worker's names follow from its id alone.
const storesOf = (id: number) =>
  Object.assign({}, ...SERVICE_NAMES.map((name) => service(name).store(undefined, id))) as Record<
    string,
    string | number
  >;

describe("worker stores", () => {
  test("names each store after the worker id", () => {
    expect(storesOf(1)).toEqual({
      postgresDatabase: "campaign_w1",
      mongoDatabase: "campaign_w1",
      redisDb: 1,
      awsAccount: "000000000001",
      awsBucketPrefix: "w1-",
    });
    expect(storesOf(63)).toMatchObject({
      postgresDatabase: "campaign_w63",
      redisDb: 63,
      awsAccount: "000000000063",
      awsBucketPrefix: "w63-",
    });
  });

  test("different workers never share a store", () => {
    const stores = Array.from({ length: 63 }, (_, i) => storesOf(i + 1));
    for (const key of ["postgresDatabase", "mongoDatabase", "redisDb", "awsAccount", "awsBucketPrefix"])
      expect(new Set(stores.map((s) => s[key])).size).toBe(63);
  });

  test.each([0, -1, 64, 100, 1.5, Number.NaN])(
    "worker id %p is out of range 1..63 (Redis has 64 databases)",
    (id) => {
      expect(() => storesOf(id)).toThrow(
        `campaign-testenv: worker id ${id} is out of range 1..63; run Jest with fewer workers (--maxWorkers).`,
      );
    },
  );
});
