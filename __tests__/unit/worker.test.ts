// Where a store set's data lives: each service names its store from the store set's id.
import { SERVICE_NAMES, service } from "../../src/services";

// The names read nothing of the context for these four services; a set's names follow from its id alone.
const namesOf = (id: number) =>
  Object.fromEntries(
    SERVICE_NAMES.flatMap((name) =>
      Object.entries(service(name).names).map(([key, nameOf]) => [key, nameOf(id, undefined as never)]),
    ),
  );

describe("store-set names", () => {
  test("name each store after the store set's id", () => {
    expect(namesOf(1)).toEqual({
      postgresDatabase: "campaign_s1",
      mongoDatabase: "campaign_s1",
      redisDb: 1,
      awsAccount: "000000000001",
      awsBucketPrefix: "s1-",
    });
    expect(namesOf(512)).toMatchObject({
      postgresDatabase: "campaign_s512",
      redisDb: 512,
      awsBucketPrefix: "s512-",
    });
  });

  test("different store sets never share a store, up to the capacity", () => {
    const sets = Array.from({ length: 512 }, (_, i) => namesOf(i + 1));
    for (const key of ["postgresDatabase", "mongoDatabase", "redisDb", "awsAccount", "awsBucketPrefix"])
      expect(new Set(sets.map((s) => s[key])).size).toBe(512);
  });
});
