import { workerStores } from "../../src/worker";

describe("workerStores", () => {
  test("names each store after the worker id", () => {
    expect(workerStores(1)).toEqual({
      id: 1,
      postgresDatabase: "campaign_w1",
      mongoDatabase: "campaign_w1",
      redisDb: 1,
      awsPrefix: "w1-",
    });
    expect(workerStores(63)).toMatchObject({
      postgresDatabase: "campaign_w63",
      redisDb: 63,
      awsPrefix: "w63-",
    });
  });

  test("different workers never share a store", () => {
    const stores = Array.from({ length: 63 }, (_, i) => workerStores(i + 1));
    for (const key of ["postgresDatabase", "mongoDatabase", "redisDb", "awsPrefix"] as const)
      expect(new Set(stores.map((s) => s[key])).size).toBe(63);
  });

  test("database names are plain identifiers (quoteIdent relies on it)", () => {
    for (const id of [1, 9, 63]) expect(workerStores(id).postgresDatabase).toMatch(/^[a-z0-9_]+$/);
  });

  test.each([0, -1, 64, 100, 1.5, Number.NaN])("worker id %p is out of range 1..63", (id) => {
    expect(() => workerStores(id)).toThrow(
      `campaign-testenv: worker id ${id} is out of range 1..63; run Jest with fewer workers (--maxWorkers).`,
    );
  });
});
