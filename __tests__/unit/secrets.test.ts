import type { AwsResourcesSpec } from "../../src/services/aws/spec";
import { fillSecrets, servicesInSecrets } from "../../src/services/aws/secrets";

const spec: AwsResourcesSpec = {
  buckets: [],
  queues: [],
  topics: [],
  tables: [],
  functions: [],
  secrets: [
    { name: "db", value: { url: "{{postgres.url}}", note: "user {{postgres.user}} on {{postgres.host}}" } },
    { name: "cache", value: { url: "{{redis.url}}" } },
    { name: "keys", value: { api: "not-a-placeholder" } },
  ],
};

test("servicesInSecrets: each service a placeholder reads, once", () => {
  expect(servicesInSecrets(spec)).toEqual(["postgres", "redis"]);
});

test("fillSecrets fills every placeholder from the services' context", () => {
  const notes: string[] = [];
  const filled = fillSecrets(
    spec,
    { postgres: { url: "postgres://u:p@h:1/db", user: "u", host: "h" }, redis: { url: "redis://:p@h:2" } },
    (n) => notes.push(n),
  );
  expect(filled).toEqual({
    db: { url: "postgres://u:p@h:1/db", note: "user u on h" },
    cache: { url: "redis://:p@h:2" },
    keys: { api: "not-a-placeholder" },
  });
  expect(notes).toEqual([]);
});

test("a secret that needs a service not started is left out, and said so without its value", () => {
  const notes: string[] = [];
  const filled = fillSecrets(
    spec,
    { postgres: { url: "postgres://u:secretpw@h:1/db", user: "u", host: "h" } },
    (n) => notes.push(n),
  );
  expect(Object.keys(filled)).toEqual(["db", "keys"]);
  expect(notes).toEqual([
    "secret cache is not created: {{redis.url}} has no value (is that service started?)",
  ]);
  expect(notes.join("\n")).not.toContain("secretpw");
});
