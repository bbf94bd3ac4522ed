// Requirement 12.1: 1000 simultaneous active calls, no step slower than 200 ms, through the full data
// path on the real stores, nothing lost or duplicated. Built on the load harness (src/load).
import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import os from "node:os";
import path from "node:path";
import { Pool } from "pg";
import { makeBlacklistEntry } from "../fixtures/test-data";
import { seedTestData, setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "../src";
import {
  answerCall,
  callStores,
  type CallStores,
  endCall,
  heldSlots,
  seedCampaign,
  type SeededCampaign,
  startCall,
} from "../src/campaign";
import { type CallHandler, type LoadReport, reportTable, runLoad, writeLoadReport } from "../src/load";
import { packageRoot } from "../src/paths";

const ACTIVE_CALLS = 1000;
const BLACKLISTED = 50;
const WARM_UP = 100;
const LIMIT_MS = 200;
// A dialer ramps up to its active calls under its calls-per-minute limit; it does not place 1000 in
// one instant. 50 a second reaches 1000 active in 20 s; the calls then end at the same pace.
// `npm run bench` raises it (BENCH_STARTS_PER_SECOND) to find the highest rate that still passes.
const STARTS_PER_SECOND = Number(process.env.BENCH_STARTS_PER_SECOND ?? 50);
// max_connections is 300 and every other Jest worker holds a pool of its own.
const POOL_SIZE = 50;

let env: TestEnvironment;
let pool: Pool;
let stores: CallStores;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
  const { host, port, user, password } = env.context.postgres!;
  pool = new Pool({ host, port, user, password, database: env.storeSet.postgresDatabase, max: POOL_SIZE });
  stores = callStores(env, { pg: pool });
});
afterAll(async () => {
  await pool?.end();
  await teardownTestEnvironment(env);
});

/** One campaign with room for every call at once: the limits are not what this run measures. */
function campaignFor(contacts: number): Promise<SeededCampaign> {
  return seedCampaign(env, {
    campaign: { max_concurrent_calls: ACTIVE_CALLS, calls_per_minute: 60 * STARTS_PER_SECOND },
    contacts,
  });
}

/** A dialer's whole call: checks, admission, dialing, answer, held while the far end talks, outcome. */
function callHandler(campaignOf: (warmUp: boolean) => SeededCampaign): CallHandler {
  return async ({ index, warmUp, step, hold }) => {
    const { campaign, contacts } = campaignOf(warmUp);
    const started = await startCall(stores, campaign.id, contacts[index].id, { step });
    if (!started.ok) return started.reason;
    await answerCall(stores, started.call, { step });
    await hold();
    const donation = index % 10 === 0;
    await endCall(stores, started.call, donation ? "donation" : "answered", {
      step,
      donation: donation ? { amountCents: 2000 } : undefined,
    });
    return "completed";
  };
}

/** Every message in a queue of this worker, received until it is empty. */
async function receiveAll(queue: string): Promise<Message[]> {
  const url = env.aws.resources.queues[queue].url;
  const messages: Message[] = [];
  for (;;) {
    const batches = await Promise.all(
      Array.from({ length: 10 }, () =>
        env.aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, VisibilityTimeout: 300 }),
        ),
      ),
    );
    const received = batches.flatMap((b) => b.Messages ?? []);
    if (received.length === 0) return messages;
    messages.push(...received);
  }
}

test(`${ACTIVE_CALLS} simultaneous active calls: p99 of every step under ${LIMIT_MS} ms, nothing lost`, async () => {
  const warmUp = await campaignFor(WARM_UP);
  // The population, and one spare contact to try a call beyond the limit with at the peak.
  const measured = await campaignFor(ACTIVE_CALLS + BLACKLISTED + 1);
  const population = ACTIVE_CALLS + BLACKLISTED;
  const spare = measured.contacts[population];
  // Blacklisted contacts spread through the population: every 21st is on the blacklist.
  const blacklisted = measured.contacts.filter((_, i) => i % 21 === 20).slice(0, BLACKLISTED);
  await seedTestData(env, {
    tables: { blacklist: blacklisted.map((c) => makeBlacklistEntry({ phone: c.phone })) },
  });

  const atPeak = { slots: 0, inProgress: 0, extraCall: "" };
  const report: LoadReport = await runLoad(
    callHandler((w) => (w ? warmUp : measured)),
    {
      name: `${ACTIVE_CALLS} simultaneous calls`,
      calls: population,
      warmUp: WARM_UP,
      startsPerSecond: STARTS_PER_SECOND,
      limitMs: LIMIT_MS,
      // The moment every admitted call is answered and holding: count what the stores say is active.
      onHold: async (held) => {
        if (held < ACTIVE_CALLS) return; // the warm-up
        const [slots, { rows }, extra] = await Promise.all([
          heldSlots(env.redis, measured.campaign.id),
          pool.query(
            "SELECT count(*)::int AS n FROM calls WHERE campaign_id = $1 AND status = 'in_progress'",
            [measured.campaign.id],
          ),
          startCall(stores, measured.campaign.id, spare.id),
        ]);
        atPeak.slots = slots.length;
        atPeak.inProgress = rows[0].n;
        atPeak.extraCall = extra.ok ? "placed" : extra.reason;
      },
      notes: [
        `Machine: ${os.cpus().length} cores (${os.cpus()[0]?.model ?? "unknown"}), every service in a container on it, ` +
          `PostgreSQL pool of ${POOL_SIZE}, one Node process driving all calls.`,
        `Whole call = the call's time in the data path, start to end, minus the time it was held.`,
      ],
    },
  );
  report.notes.push(
    `Simultaneous: every admitted call was answered and held before any ended; at that moment Redis held ` +
      `${atPeak.slots} slots, PostgreSQL counted ${atPeak.inProgress} calls in progress, and one more call got ` +
      `"${atPeak.extraCall}".`,
  );

  const files = writeLoadReport(report, path.join(packageRoot, "reports"), "concurrency");
  console.log(`${reportTable(report)}\nreport: ${files.json}, ${files.markdown}, ${files.svg}`);

  // Simultaneous, for real: every admitted call was in progress and holding its slot at one moment.
  expect(report.heldTogether).toBe(ACTIVE_CALLS);
  expect(atPeak).toEqual({ slots: ACTIVE_CALLS, inProgress: ACTIVE_CALLS, extraCall: "no_slot" });
  expect(report.errors).toEqual({ count: 0, messages: {} });
  expect(report.labels).toEqual({ completed: ACTIVE_CALLS, blacklisted: BLACKLISTED });

  // Nothing lost, nothing duplicated, no blacklisted contact dialled: PostgreSQL, Mongo, SQS, Redis.
  const campaignId = measured.campaign.id;
  const { rows: calls } = await pool.query<{ id: string; contact_id: string; status: string }>(
    "SELECT id, contact_id, status FROM calls WHERE campaign_id = $1",
    [campaignId],
  );
  const callIds = calls.map((c) => c.id).sort();
  expect(calls).toHaveLength(ACTIVE_CALLS);
  expect(new Set(calls.map((c) => c.contact_id)).size).toBe(ACTIVE_CALLS);
  expect(calls.filter((c) => c.status !== "completed")).toEqual([]);
  const blacklistedIds = new Set(blacklisted.map((c) => c.id));
  expect(calls.filter((c) => blacklistedIds.has(c.contact_id))).toEqual([]);

  const records = await env.mongo
    .collection("call_records")
    .find({ campaignId }, { projection: { _id: 0, callId: 1, status: 1 } })
    .toArray();
  expect(records.map((r) => r.callId).sort()).toEqual(callIds);
  expect(records.filter((r) => r.status !== "completed")).toEqual([]);

  const tasks = (await receiveAll("dial-tasks"))
    .map((m) => JSON.parse(m.Body!))
    .filter((t) => t.campaignId === campaignId);
  expect(tasks.map((t) => t.callId).sort()).toEqual(callIds);

  expect(await heldSlots(env.redis, campaignId)).toEqual([]);
  const { rows: donations } = await pool.query(
    "SELECT count(*)::int AS n FROM donations WHERE campaign_id = $1",
    [campaignId],
  );
  expect(donations[0].n).toBe(calls.length / 10);

  // The requirement, per step and for the whole call.
  const slow = Object.entries({ ...report.steps, "whole call": report.total }).filter(
    ([, p]) => p.p99 > LIMIT_MS,
  );
  expect(slow.map(([name, p]) => `${name}: p99 ${p.p99.toFixed(1)} ms`)).toEqual([]);
}, 300_000);
