import { writeFileSync } from "node:fs";
import path from "node:path";
import { reuseInputs } from "../../src/reuse";
import { loadAwsResourcesSpec } from "../../src/services/aws/spec";
import { specsFolder } from "./specs-folder";

const scratch = specsFolder("aws");
const setUp = scratch.options;

describe("loadAwsResourcesSpec", () => {
  test("missing sections default to empty lists", () => {
    writeFileSync(
      path.join(scratch.folder(), "aws-resources.json"),
      JSON.stringify({ buckets: [{ name: "b" }] }),
    );
    expect(loadAwsResourcesSpec(scratch.folder())).toEqual({
      buckets: [{ name: "b" }],
      queues: [],
      topics: [],
      secrets: [],
      tables: [],
      functions: [],
    });
  });

  test("an unreadable or broken spec is an error naming the file", () => {
    const file = path.join(scratch.folder(), "aws-resources.json");
    expect(() => loadAwsResourcesSpec(scratch.folder())).toThrow(
      `cannot read the AWS resources spec ${file} (ENOENT`,
    );
    writeFileSync(file, "{");
    expect(() => loadAwsResourcesSpec(scratch.folder())).toThrow(
      `cannot read the AWS resources spec ${file}`,
    );
  });

  test("the package's own spec: every dead-letter queue and subscribed queue is in it", () => {
    const spec = loadAwsResourcesSpec(path.join(__dirname, "../../fixtures"));
    const queues = new Set(spec.queues.map((q) => q.name));
    for (const q of spec.queues) if (q.deadLetterQueue) expect(queues).toContain(q.deadLetterQueue);
    for (const t of spec.topics) for (const q of t.subscribeQueues ?? []) expect(queues).toContain(q);
  });
});

describe("fingerprint (what reuse mode hashes)", () => {
  test("aws: follows the services its secrets read, only when they are started", () => {
    const options = setUp();
    writeFileSync(
      path.join(scratch.folder(), "aws-resources.json"),
      JSON.stringify({ secrets: [{ name: "db", value: { url: "{{postgres.url}}" } }] }),
    );
    const withPostgres = reuseInputs("aws", options);
    writeFileSync(path.join(scratch.folder(), "001_a.sql"), "SELECT 2;");
    expect(reuseInputs("aws", options)).not.toBe(withPostgres);

    const awsOnly = { ...options, services: ["aws" as const] };
    const before = reuseInputs("aws", awsOnly);
    writeFileSync(path.join(scratch.folder(), "001_a.sql"), "SELECT 3;");
    expect(reuseInputs("aws", awsOnly)).toBe(before);
  });
});
