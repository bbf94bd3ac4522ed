// Many runner workers at once, as a machine with many cores gets by default: a consumer project with
// more test files than the warm pool holds, run with 32 and 64 Jest workers and with 64 Vitest forks
// and threads. Every file writes the same ids into all four stores at once and, for four seconds,
// reads back only its own values; each file records the store set it held and when, and no two files
// may have held one at the same time.
import { readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { setupTestEnvironment } from "../src";
import { createConsumerProject, JEST_TOOLS, npx, run } from "./support/consumer";

/** More than the largest run's workers, so that each run really starts that many. */
const FILES = 72;
const HOLD_MS = 4000;

// One file, run by Jest (globals) and Vitest (globals: true) alike.
const testFile = (name: string) => `import { appendFileSync } from "node:fs";
import { GetObjectCommand, PutObjectCommand } from "@aws-sdk/client-s3";
import { GetQueueAttributesCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment<"postgres" | "mongo" | "redis" | "aws">;
let from = 0;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
  from = Date.now();
});
afterAll(async () => {
  const held = { file: "${name}", id: env.storeSet.id, from, to: Date.now() };
  appendFileSync(process.env.HELD_LOG!, JSON.stringify(held) + "\\n");
  await teardownTestEnvironment(env);
});

test("${name}: the same ids in every store, and only its own values read back", async () => {
  const { buckets, queues } = env.aws.resources;
  await Promise.all([
    env.postgres.query("INSERT INTO items (id, owner) VALUES (1, $1)", ["${name}"]),
    env.mongo.collection<{ _id: number; owner: string }>("items").insertOne({ _id: 1, owner: "${name}" }),
    env.redis.set("item:1", "${name}"),
    env.aws.s3.send(new PutObjectCommand({ Bucket: buckets.items, Key: "item-1", Body: "${name}" })),
    env.aws.sqs.send(new SendMessageCommand({ QueueUrl: queues.items.url, MessageBody: "${name}" })),
  ]);
  for (const until = Date.now() + ${HOLD_MS}; Date.now() < until; ) {
    const [rows, docs, key, object, queue] = await Promise.all([
      env.postgres.query("SELECT id, owner FROM items").then((r) => r.rows),
      env.mongo.collection("items").find().toArray(),
      env.redis.get("item:1"),
      env.aws.s3.send(new GetObjectCommand({ Bucket: buckets.items, Key: "item-1" })).then((o) => o.Body!.transformToString()),
      env.aws.sqs.send(new GetQueueAttributesCommand({ QueueUrl: queues.items.url, AttributeNames: ["ApproximateNumberOfMessages"] })),
    ]);
    expect({ rows, docs, key, object, queued: queue.Attributes!.ApproximateNumberOfMessages }).toEqual({
      rows: [{ id: 1, owner: "${name}" }],
      docs: [{ _id: 1, owner: "${name}" }],
      key: "${name}",
      object: "${name}",
      queued: "1",
    });
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
});
`;

const files: Record<string, string> = {
  "jest.config.js": `module.exports = { preset: "campaign-testenv", roots: ["<rootDir>/tests"], testTimeout: 120_000 };\n`,
  "vitest.config.mjs": `export default { test: { globals: true, include: ["tests/**/*.test.ts"], globalSetup: "campaign-testenv/vitest", hookTimeout: 300_000, testTimeout: 120_000 } };\n`,
  // The consumer's own small schema and specs, as a repo of the Campaign System has them.
  "db/001_items.sql": "CREATE TABLE items (id integer PRIMARY KEY, owner text NOT NULL);\n",
  "specs/mongo-collections.json": JSON.stringify({ collections: [{ name: "items" }] }),
  "specs/aws-resources.json": JSON.stringify({ buckets: [{ name: "items" }], queues: [{ name: "items" }] }),
  ...Object.fromEntries(
    Array.from({ length: FILES }, (_, i) => {
      const name = `f${String(i + 1).padStart(2, "0")}`;
      return [`tests/${name}.test.ts`, testFile(name)];
    }),
  ),
};

let project: string;
beforeAll(async () => {
  // The run's own environment first, all of it: started beside 64 workers' own, on 2 cores, its
  // containers' starts took minutes. This file needs none of it; waiting keeps the two start-ups apart.
  await (await setupTestEnvironment()).close();
  project = createConsumerProject(files, [
    ...JEST_TOOLS,
    "vitest",
    "@aws-sdk/client-s3",
    "@aws-sdk/client-sqs",
  ]);
}, 300_000);
afterAll(() => rmSync(project, { recursive: true, force: true }));

interface Held {
  file: string;
  id: number;
  from: number;
  to: number;
}

/**
 * A failed run, told in a few lines a CI log keeps: where its report begins (Jest's ●, Vitest's FAIL
 * and ⎯ rules), then every distinct error line with how many times it appears (Vitest prints an error
 * shared by many files once, after all their names). The whole output goes to `saved`.
 */
const failureOf = (output: string, saved: string) => {
  writeFileSync(saved, output);
  const first = Math.max(output.search(/^\s*(●|FAIL|⎯|Error|\[vitest)/m), 0);
  const counts = new Map<string, number>();
  for (const line of output.split("\n").map((l) => l.trim())) {
    if (/^[>|\d]/.test(line) || !/\w*Error\b|campaign-testenv:|ECONN|ETIMEDOUT|timed out/.test(line))
      continue;
    const key = line.slice(0, 300);
    counts.set(key, (counts.get(key) ?? 0) + 1);
  }
  const errors = [...counts].slice(0, 30).map(([line, n]) => `${n}x ${line}`);
  return [
    output.slice(first, first + 1500),
    "--- distinct error lines ---",
    ...errors,
    `(whole output: ${saved})`,
  ].join("\n");
};

/** Pairs of files that held the same store set at overlapping times. */
const overlaps = (held: Held[]) =>
  held.flatMap((a, i) =>
    held
      .slice(i + 1)
      .filter((b) => a.id === b.id && a.from < b.to && b.from < a.to)
      .map((b) => `${a.file} and ${b.file} on store set ${a.id}`),
  );

test.each([
  ["jest", 32, ["jest", "--maxWorkers=32"]],
  ["jest", 64, ["jest", "--maxWorkers=64"]],
  ["vitest forks", 32, ["vitest", "run", "--pool=forks", "--maxWorkers=32"]],
  ["vitest forks", 64, ["vitest", "run", "--pool=forks", "--maxWorkers=64"]],
  ["vitest threads", 32, ["vitest", "run", "--pool=threads", "--maxWorkers=32"]],
  ["vitest threads", 64, ["vitest", "run", "--pool=threads", "--maxWorkers=64"]],
] as const)(
  "%s with %d workers: every file reads back only its own values; no store set held by two files at once",
  (_runner, _workers, args) => {
    const log = path.join(project, `held-${args.join("-")}.jsonl`);
    const started = Date.now();
    const result = run(
      npx,
      [...args],
      {
        HELD_LOG: log,
        NO_COLOR: "1",
        CAMPAIGN_TESTENV_MIGRATIONS_DIR: "db",
        CAMPAIGN_TESTENV_SPECS_DIR: "specs",
        // MiniStack: the AWS emulator that builds 64 accounts' resources at once without queueing.
        CAMPAIGN_TESTENV_AWS_FLAVOUR: "ministack",
      },
      project,
    );
    const output = `${result.stdout}\n${result.stderr}`;
    // On failure, the runner's own account of it, which a CI log's tail would otherwise cut.
    expect({
      status: result.status,
      signal: result.signal,
      failure:
        result.status === 0
          ? ""
          : failureOf(output, path.join(os.tmpdir(), `many-workers-${args.join("-")}.log`)),
    }).toEqual({
      status: 0,
      signal: null,
      failure: "",
    });
    expect(output).toMatch(new RegExp(`Tests:?\\s+${FILES} passed`));
    const held = readFileSync(log, "utf8")
      .trim()
      .split("\n")
      .map((line) => JSON.parse(line) as Held);
    expect(held).toHaveLength(FILES);
    expect(overlaps(held)).toEqual([]);
    console.log(
      `${args.join(" ")}: ${FILES} files in ${((Date.now() - started) / 1000).toFixed(0)} s, ` +
        `${new Set(held.map((h) => h.id)).size} store sets used`,
    );
  },
  900_000,
);
