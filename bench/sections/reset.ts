// Section `reset`: on each AWS flavour's environment, cleanTestData of every store, each store's own reset,
// and the compose era's statement-by-statement cleanup, each right after a test that wrote a few rows in
// every store.
import { PutObjectCommand } from "@aws-sdk/client-s3";
import { PurgeQueueCommand, SendMessageCommand } from "@aws-sdk/client-sqs";
import { testData } from "../../fixtures/test-data";
import {
  type AwsFlavour,
  cleanTestData,
  type EnvironmentContext,
  seedTestData,
  type ServiceName,
  setupTestEnvironment,
  type TestEnvironment,
} from "../../src";
import { resetStore } from "../../src/worker";
import { inThisProcess } from "../environments";
import { rotate, summary, type Summary, timed } from "../lib";
import { FLAVOURS, options } from "../settings";
import { ms, type Row, type SectionResult } from "../table";

const ITERATIONS = Number(process.env.BENCH_RESET_ITERATIONS ?? 50);

const TARGETS = {
  /** Each store's own reset, except Mongo's: FerretDB stands in for MongoDB here. */
  storeResetMs: 2,
  storesWithResetTarget: ["postgres", "redis", "aws"] as ServiceName[],
  cleanTestDataMs: { localstack: 10, ministack: 5 } satisfies Record<AwsFlavour, number>,
};

/** Rounds run first to warm the connections up, and dropped. */
const WARM_UP_ROUNDS = 3;

/** Fixtures in PostgreSQL and Mongo, plus one Redis key, one queued message and one extra S3 object. */
async function seedAll(env: TestEnvironment): Promise<void> {
  await Promise.all([
    seedTestData(env),
    env.context.redis && env.redis.set("campaign:bench", "1"),
    env.context.aws &&
      env.aws.sqs.send(
        new SendMessageCommand({ QueueUrl: env.aws.resources.queues["dial-tasks"].url, MessageBody: "{}" }),
      ),
    env.context.aws &&
      env.aws.s3.send(
        new PutObjectCommand({ Bucket: env.aws.resources.buckets["uploads"], Key: "bench.txt", Body: "x" }),
      ),
  ]);
}

/** The compose era's cleanup: one statement per table, collection and queue, one after another. */
async function naiveClean(env: TestEnvironment): Promise<void> {
  const { context } = env;
  if (context.postgres) {
    for (const table of Object.keys(testData.tables).reverse())
      await env.postgres.query(`DELETE FROM ${table}`);
  }
  if (context.mongo) {
    for (const { name } of context.mongo.spec.collections) await env.mongo.collection(name).deleteMany({});
  }
  if (context.redis) await env.redis.flushall();
  if (context.aws) {
    for (const { url } of Object.values(env.aws.resources.queues)) {
      await env.aws.sqs.send(new PurgeQueueCommand({ QueueUrl: url })).catch((error: Error) => {
        if (error.name !== "PurgeQueueInProgress") throw error;
      });
    }
  }
}

interface ResetResult {
  cleanTestData: Summary;
  naive: Summary;
  /** Each store's own reset, through the service registry, as cleanTestData calls it. */
  stores: Partial<Record<ServiceName, Summary>>;
}

/**
 * `iterations` rounds of each way, interleaved in a rotating order. Each round writes in every store
 * first; in the per-store round the stores are then reset one after another, each timed alone.
 */
async function measureReset(context: EnvironmentContext, iterations: number): Promise<ResetResult> {
  const env = await setupTestEnvironment({ context });
  try {
    const total: number[] = [];
    const naive: number[] = [];
    const stores = Object.fromEntries(env.services.map((name) => [name, [] as number[]]));
    const timeInto = async (samples: number[] | undefined, fn: () => Promise<void>) => {
      const { ms } = await timed(fn);
      samples?.push(ms);
    };
    for (let i = -WARM_UP_ROUNDS; i < iterations; i++) {
      const keep = i >= 0;
      const rounds = [
        () => timeInto(keep ? total : undefined, () => cleanTestData(env)),
        () => timeInto(keep ? naive : undefined, () => naiveClean(env)),
        async () => {
          for (const name of rotate(env.services, i)) {
            await timeInto(keep ? stores[name] : undefined, () => resetStore(env, name));
          }
        },
      ];
      for (const round of rotate(rounds, i)) {
        await seedAll(env);
        await round();
      }
    }
    return {
      cleanTestData: summary(total),
      naive: summary(naive),
      stores: Object.fromEntries(Object.entries(stores).map(([name, ms]) => [name, summary(ms)])),
    };
  } finally {
    await env.close();
  }
}

function rows(flavour: AwsFlavour, reset: ResetResult): Row[] {
  const target = TARGETS.cleanTestDataMs[flavour];
  const mongo = `mongo (${options.flavours.mongo})`;
  return [
    [
      `${flavour}: reset, cleanTestData, all stores (median / p95)`,
      `${ms(reset.cleanTestData.median)} / ${ms(reset.cleanTestData.p95)}`,
      `< ${target} ms median`,
      reset.cleanTestData.median < target,
    ],
    ...(Object.entries(reset.stores) as [ServiceName, Summary][]).map(([name, store]): Row => {
      const hasTarget = TARGETS.storesWithResetTarget.includes(name);
      const ferret = name === "mongo" && options.flavours.mongo === "ferretdb";
      return [
        `${flavour}: reset, ${name === "mongo" ? mongo : name} alone (median / p95)`,
        `${ms(store.median)} / ${ms(store.p95)}`,
        hasTarget
          ? `< ${TARGETS.storeResetMs} ms median`
          : ferret
            ? "none: FerretDB's own floor (MongoDB is not measured here)"
            : "report",
        hasTarget ? store.median < TARGETS.storeResetMs : undefined,
      ];
    }),
    [
      `${flavour}: reset, naive cleanup (median)`,
      `${ms(reset.naive.median)} (${(reset.naive.median / reset.cleanTestData.median).toFixed(1)}x cleanTestData)`,
      "compose era: about 2 s",
      undefined,
    ],
  ];
}

export async function reset(): Promise<SectionResult> {
  const data: Partial<Record<AwsFlavour, ResetResult>> = {};
  const all: Row[] = [];
  for (const flavour of FLAVOURS) {
    const result = await inThisProcess(flavour, (context) => measureReset(context, ITERATIONS));
    data[flavour] = result;
    all.push(...rows(flavour, result));
  }
  return { rows: all, data, samples: `${ITERATIONS} resets of each kind` };
}
