// The call data path on the real stores: suppression, calling windows, rate limits and slots, the
// dead-letter queue, call and SMS records, and the whole workflow from campaign creation to a report in S3.
import { GetObjectCommand } from "@aws-sdk/client-s3";
import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { loadAwsResourcesSpec } from "../src/services/aws/spec";
import { packageRoot } from "../src/paths";
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
  waitFor,
} from "../src";
import {
  type ActiveCall,
  answerCall,
  blacklistPhone,
  callStores,
  type CallStores,
  campaignAnalytics,
  changeCampaignStatus,
  endCall,
  heldSlots,
  ingestContacts,
  parseContactsCsv,
  receiveSms,
  seedCampaign,
  sendSms,
  startCall,
  storeCampaignReport,
} from "../src/campaign";
import { makeOptOut, type CallRecordDoc, type SmsRecordDoc } from "../fixtures/test-data";

let env: TestEnvironment;
let stores: CallStores;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
  stores = callStores(env);
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

const count = async (sql: string, values: unknown[] = []) =>
  Number((await env.postgres.query(sql, values)).rows[0].count);

/** Places a call that must be admitted. */
async function placed(campaignId: string, contactId: string, now?: Date): Promise<ActiveCall> {
  const result = await startCall(stores, campaignId, contactId, { now });
  if (!result.ok) throw new Error(`expected the call to be placed, got ${result.reason}: ${result.detail}`);
  return result.call;
}

/** Receives at least `expected` messages from one of this store set's queues (cleanTestData empties them). */
async function drain(queue: string, expected: number): Promise<Message[]> {
  const url = env.aws.resources.queues[queue].url;
  const messages: Message[] = [];
  await waitFor(
    async () => {
      const { Messages = [] } = await env.aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, MaxNumberOfMessages: 10, WaitTimeSeconds: 1 }),
      );
      messages.push(...Messages);
      return messages.length >= expected;
    },
    { message: `${expected} messages in ${queue}`, timeoutMs: 10_000 },
  );
  return messages;
}

describe("blacklist and opt-outs", () => {
  test("a blacklisted number is refused with its reason and nothing is written anywhere", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    await blacklistPhone(env.postgres, contacts[0].phone, { reason: "complaint" });

    const result = await startCall(stores, campaign.id, contacts[0].id);

    expect(result).toEqual({
      ok: false,
      reason: "blacklisted",
      detail: `${contacts[0].phone} is on the blacklist`,
    });
    expect(await count("SELECT count(*) FROM calls")).toBe(0);
    expect(await env.mongo.collection("call_records").countDocuments()).toBe(0);
    expect(await heldSlots(env.redis, campaign.id)).toEqual([]);
  });

  test("a blacklist change takes effect for the very next call, however the number is written", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    const [contact] = contacts;
    const first = await placed(campaign.id, contact.id);
    await endCall(stores, first, "no_answer");

    // Written the way a person types it; normalised to the contact's E.164 number.
    const spaced = `${contact.phone.slice(0, 2)} ${contact.phone.slice(2, 5)} ${contact.phone.slice(5)}`;
    expect(await blacklistPhone(env.postgres, spaced)).toEqual({
      ok: true,
      phone: contact.phone,
      added: true,
    });
    expect(await startCall(stores, campaign.id, contact.id)).toMatchObject({
      ok: false,
      reason: "blacklisted",
    });

    await env.postgres.query("DELETE FROM blacklist WHERE phone = $1", [contact.phone]);
    const again = await placed(campaign.id, contact.id);
    expect(again.attempt).toBe(2);
  });

  test("an invalid number cannot be blacklisted, and says why", async () => {
    expect(await blacklistPhone(env.postgres, "call me maybe")).toMatchObject({
      ok: false,
      reason: "invalid_number",
    });
    expect(await count("SELECT count(*) FROM blacklist")).toBe(0);
  });

  test("opt-outs: global, this campaign's, the contact's flag; an SMS-only opt-out does not stop calls", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 4 });
    const other = await seedCampaign(env);
    await env.postgres.query("UPDATE contacts SET opted_out = true WHERE id = $1", [contacts[2].id]);
    const optOuts = [
      makeOptOut(contacts[0].phone, { channel: "voice" }),
      makeOptOut(contacts[1].phone, { campaign_id: campaign.id }),
      makeOptOut(contacts[3].phone, { channel: "sms" }),
      // Another campaign's opt-out does not concern this one.
      makeOptOut(contacts[3].phone, { campaign_id: other.campaign.id }),
    ];
    await env.postgres.query(
      "INSERT INTO opt_outs SELECT * FROM json_populate_recordset(null::opt_outs, $1)",
      [JSON.stringify(optOuts)],
    );

    const results = await Promise.all(contacts.map((c) => startCall(stores, campaign.id, c.id)));

    expect(results.map((r) => (r.ok ? "placed" : r.reason))).toEqual([
      "opted_out",
      "opted_out",
      "opted_out",
      "placed",
    ]);
  });
});

describe("calling window", () => {
  // 09:00-21:00 in New York: 14:00-02:00 UTC in winter (EST, UTC-5), 13:00-01:00 in summer (EDT, UTC-4).
  const window = {
    calling_window_start: "09:00",
    calling_window_end: "21:00",
    time_zone: "America/New_York",
  };

  test.each([
    ["2025-01-15T13:59:59Z", "08:59:59 EST", "outside_window"],
    ["2025-01-15T14:00:00Z", "09:00:00 EST", "placed"],
    ["2025-01-16T01:59:59Z", "20:59:59 EST", "placed"],
    ["2025-01-16T02:00:00Z", "21:00:00 EST: the end is excluded", "outside_window"],
    ["2025-07-15T13:00:00Z", "09:00 EDT: same UTC hour as 08:00 in winter", "placed"],
    ["2025-07-16T01:00:00Z", "21:00 EDT", "outside_window"],
    ["2025-03-09T13:30:00Z", "09:30 EDT, the morning clocks went forward", "placed"],
    ["2025-11-02T13:30:00Z", "08:30 EST, the morning clocks went back", "outside_window"],
  ])("at %s (%s): %s", async (instant, _local, expected) => {
    const { campaign, contacts } = await seedCampaign(env, { campaign: window, contacts: 1 });
    const result = await startCall(stores, campaign.id, contacts[0].id, { now: new Date(instant) });
    expect(result.ok ? "placed" : result.reason).toBe(expected);
  });

  test("the contact's own time zone wins over the campaign's", async () => {
    const { campaign, contacts } = await seedCampaign(env, {
      campaign: window,
      contacts: [{ time_zone: null }, { time_zone: "Europe/London" }, { time_zone: "Asia/Tokyo" }],
    });
    // 17:30 in New York, 22:30 in London, 07:30 the next morning in Tokyo.
    const now = new Date("2025-01-15T22:30:00Z");
    const results = await Promise.all(contacts.map((c) => startCall(stores, campaign.id, c.id, { now })));
    expect(results.map((r) => (r.ok ? "placed" : r.reason))).toEqual([
      "placed",
      "outside_window",
      "outside_window",
    ]);
    expect(results[1]).toMatchObject({
      detail: "2025-01-15T22:30:00.000Z is outside 09:00:00-21:00:00 in Europe/London",
    });
  });
});

describe("rate limits and concurrency slots", () => {
  test("the token bucket admits a minute's budget at once, then one call per refill interval", async () => {
    const { campaign, contacts } = await seedCampaign(env, {
      campaign: { calls_per_minute: 3, max_concurrent_calls: 100 },
      contacts: 6,
    });
    const t0 = new Date("2025-06-02T12:00:00Z");
    const at = (ms: number) => new Date(t0.getTime() + ms);
    const attempt = (i: number, now: Date) => startCall(stores, campaign.id, contacts[i].id, { now });

    const burst = await Promise.all([0, 1, 2, 3].map((i) => attempt(i, t0)));
    expect(burst.map((r) => r.ok).sort()).toEqual([false, true, true, true]);
    expect(burst.find((r) => !r.ok)).toMatchObject({ reason: "rate_limited" });
    // 3 per minute: one token every 20 s.
    expect(await attempt(4, at(19_999))).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await attempt(4, at(20_000))).toMatchObject({ ok: true });
    expect(await attempt(5, at(20_000))).toMatchObject({ ok: false, reason: "rate_limited" });
    expect(await count("SELECT count(*) FROM calls")).toBe(4);
  });

  test("slots: the campaign's max_concurrent_calls are in progress at most; ending one frees one", async () => {
    const { campaign, contacts } = await seedCampaign(env, {
      campaign: { max_concurrent_calls: 2 },
      contacts: 4,
    });
    const results = await Promise.all(contacts.slice(0, 3).map((c) => startCall(stores, campaign.id, c.id)));
    const calls = results.flatMap((r) => (r.ok ? [r.call] : []));
    expect(calls).toHaveLength(2);
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: "no_slot" });
    expect((await heldSlots(env.redis, campaign.id)).sort()).toEqual(calls.map((c) => c.id).sort());

    await endCall(stores, calls[0], "busy");
    await placed(campaign.id, contacts[3].id);
    expect(await heldSlots(env.redis, campaign.id)).toHaveLength(2);
  });
});

describe("dial tasks", () => {
  test("a dial task that fails every attempt lands in the dead-letter queue", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    const call = await placed(campaign.id, contacts[0].id);
    const { url } = env.aws.resources.queues["dial-tasks"];
    const spec = loadAwsResourcesSpec(`${packageRoot}/fixtures`);
    const maxReceiveCount = spec.queues.find((q) => q.name === "dial-tasks")!.maxReceiveCount!;

    for (let attempt = 1; attempt <= maxReceiveCount; attempt++) {
      // A telephony worker that fails: it receives the task and never deletes it. Visibility 0 = retry at once.
      const { Messages = [] } = await env.aws.sqs.send(
        new ReceiveMessageCommand({ QueueUrl: url, VisibilityTimeout: 0, WaitTimeSeconds: 1 }),
      );
      expect(Messages.map((m) => JSON.parse(m.Body!).callId)).toEqual([call.id]);
    }
    // As in AWS, the move happens on the next receive: the receive count would exceed the maximum.
    const { Messages } = await env.aws.sqs.send(
      new ReceiveMessageCommand({ QueueUrl: url, WaitTimeSeconds: 0 }),
    );
    expect(Messages ?? []).toEqual([]);
    const [dead] = await drain("dial-tasks-dlq", 1);
    expect(JSON.parse(dead.Body!)).toEqual({
      callId: call.id,
      campaignId: campaign.id,
      contactId: contacts[0].id,
      phone: contacts[0].phone,
      attempt: 1,
    });
  });
});

describe("call and SMS records", () => {
  test("a call's record follows it from dialing to hang-up and is queryable by campaign", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 2 });
    const t0 = new Date("2025-06-02T12:00:00Z");
    const at = (s: number) => new Date(t0.getTime() + s * 1000);
    const answered = await placed(campaign.id, contacts[0].id, t0);
    const busy = await placed(campaign.id, contacts[1].id, at(1));
    await answerCall(stores, answered, { now: at(4) });
    await endCall(stores, answered, "answered", { now: at(95.5) });
    await endCall(stores, busy, "busy", { now: at(6) });

    const records = env.mongo.collection<CallRecordDoc>("call_records");
    const byCampaign = await records
      .find({ campaignId: campaign.id }, { projection: { _id: 0 } })
      .sort({ startedAt: -1 })
      .toArray();
    expect(byCampaign.map((r) => r.callId)).toEqual([busy.id, answered.id]);
    expect(byCampaign[1]).toEqual({
      callId: answered.id,
      campaignId: campaign.id,
      contactId: contacts[0].id,
      phone: contacts[0].phone,
      attempt: 1,
      status: "completed",
      outcome: "answered",
      startedAt: t0,
      answeredAt: at(4),
      endedAt: at(95.5),
      durationSeconds: 95,
      events: [
        { type: "dialing", at: t0 },
        { type: "answered", at: at(4) },
        { type: "hangup", at: at(95.5), data: { outcome: "answered" } },
      ],
    });
    const { rows } = await env.postgres.query(
      "SELECT status, outcome, duration_seconds, answered_at FROM calls WHERE id = $1",
      [busy.id],
    );
    expect(rows[0]).toEqual({ status: "completed", outcome: "busy", duration_seconds: 5, answered_at: null });
    const events = await drain("call-events-observer", 2);
    expect(
      events
        .map((m) => JSON.parse(m.Body!))
        .map((e) => [e.type, e.callId])
        .sort(),
    ).toEqual(
      [
        ["call.dialing", answered.id],
        ["call.dialing", busy.id],
      ].sort(),
    );
  });

  test("SMS: an outbound message and a STOP reply are recorded; STOP opts the number out everywhere", async () => {
    const { campaign, contacts } = await seedCampaign(env, { campaign: { type: "hybrid" }, contacts: 1 });
    const [contact] = contacts;
    const other = await seedCampaign(env, { contacts: [{ phone: contact.phone }] });

    const sent = await sendSms(stores, {
      campaignId: campaign.id,
      contactId: contact.id,
      body: "Hi, can you help?",
    });
    expect(sent).toMatchObject({ ok: true });
    const reply = await receiveSms(stores, {
      campaignId: campaign.id,
      contactId: contact.id,
      body: " stop ",
    });
    expect(reply.optedOut).toBe(true);

    const records = await env.mongo
      .collection<SmsRecordDoc>("sms_records")
      .find({ phone: contact.phone }, { projection: { _id: 0, direction: 1, status: 1, body: 1 } })
      .sort({ createdAt: 1 })
      .toArray();
    expect(records).toEqual([
      { direction: "outbound", status: "queued", body: "Hi, can you help?" },
      { direction: "inbound", status: "received", body: " stop " },
    ]);
    expect(await count("SELECT count(*) FROM sms_messages WHERE contact_id = $1", [contact.id])).toBe(2);
    expect(
      (await env.postgres.query("SELECT source FROM blacklist WHERE phone = $1", [contact.phone])).rows,
    ).toEqual([{ source: "sms_stop" }]);
    expect(
      (
        await env.postgres.query("SELECT campaign_id, channel, source FROM opt_outs WHERE phone = $1", [
          contact.phone,
        ])
      ).rows,
    ).toEqual([{ campaign_id: null, channel: "all", source: "sms_stop" }]);
    const [event] = await drain("optout-events-observer", 1);
    expect(JSON.parse(event.Body!)).toMatchObject({
      type: "optout.created",
      phone: contact.phone,
      messageId: reply.messageId,
    });

    // Every campaign, every channel.
    expect(await startCall(stores, other.campaign.id, other.contacts[0].id)).toMatchObject({
      reason: "blacklisted",
    });
    expect(
      await sendSms(stores, { campaignId: campaign.id, contactId: contact.id, body: "Still there?" }),
    ).toMatchObject({
      ok: false,
      reason: "blacklisted",
    });
  });

  test("a reply that merely mentions stop is only recorded", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    const reply = await receiveSms(stores, {
      campaignId: campaign.id,
      contactId: contacts[0].id,
      body: "Don't stop!",
    });
    expect(reply.optedOut).toBe(false);
    expect(await count("SELECT count(*) FROM blacklist")).toBe(0);
  });
});

describe("the whole workflow", () => {
  test("campaign creation, contact import from S3, calls and outcomes, analytics and a report in S3", async () => {
    // Created as a draft: it takes contacts but does not dial yet.
    const { campaign } = await seedCampaign(env, {
      campaign: {
        status: "draft",
        time_zone: "America/New_York",
        calling_window_start: "09:00",
        calling_window_end: "21:00",
      },
    });
    const upload = async (key: string) => {
      const object = await env.aws.s3.send(
        new GetObjectCommand({ Bucket: env.aws.resources.buckets["uploads"], Key: key }),
      );
      return parseContactsCsv(await object.Body!.transformToString());
    };
    const imported = await ingestContacts(env.postgres, campaign.id, [
      ...(await upload("contacts/sample-contacts.csv")),
      ...(await upload("contacts/invalid-contacts.csv")),
    ]);
    expect(imported.inserted.map((c) => c.phone)).toEqual(["+12025550121", "+12025550122", "+447700900123"]);
    expect(imported.rejected.map((r) => [r.phone, r.reason])).toEqual([
      ["2025550124", "invalid_number"],
      ["+12025550125", "invalid_time_zone"],
    ]);
    const [liam, mia, noah] = imported.inserted.map((c) => c.id);
    // 10:00 in New York, 15:00 in London.
    const now = new Date("2025-03-04T15:00:00Z");
    const later = (s: number) => new Date(now.getTime() + s * 1000);

    expect(await startCall(stores, campaign.id, liam, { now })).toMatchObject({
      reason: "campaign_not_active",
    });
    expect(await changeCampaignStatus(env.postgres, campaign.id, "active")).toMatchObject({ ok: true });

    const [toLiam, toMia, toNoah] = await Promise.all(
      [liam, mia, noah].map((id) => placed(campaign.id, id, now)),
    );
    await Promise.all([
      answerCall(stores, toLiam, { now: later(3) }),
      answerCall(stores, toNoah, { now: later(5) }),
    ]);
    const ended = await Promise.all([
      endCall(stores, toLiam, "donation", { now: later(63), donation: { amountCents: 5000 } }),
      endCall(stores, toMia, "no_answer", { now: later(30) }),
      endCall(stores, toNoah, "answered", { now: later(125) }),
    ]);

    const analytics = await campaignAnalytics(stores, campaign.id);
    expect(analytics).toEqual({
      campaignId: campaign.id,
      calls: 3,
      outcomes: { answered: 1, no_answer: 1, busy: 0, failed: 0, donation: 1 },
      donations: 1,
      amountCents: 5000,
      records: { count: 3, byStatus: { completed: 3 }, talkSeconds: 63 + 30 + 125 },
    });
    const report = await storeCampaignReport(stores, analytics, "2025-03-04");
    const stored = await env.aws.s3.send(
      new GetObjectCommand({
        Bucket: env.aws.resources.buckets["reports"],
        Key: `daily/2025-03-04/${campaign.id}.csv`,
      }),
    );
    expect(await stored.Body!.transformToString()).toBe(report.body);
    expect(report.body).toBe(
      "campaign_id,date,calls,answered,no_answer,busy,failed,donation,amount_cents\n" +
        `${campaign.id},2025-03-04,3,1,1,0,0,1,5000\n`,
    );

    // The events each observer queue saw, and the slots all given back.
    const [dialTasks, callEvents, donationEvents] = await Promise.all([
      drain("dial-tasks", 3),
      drain("call-events-observer", 3),
      drain("donation-events-observer", 1),
    ]);
    expect(dialTasks.map((m) => JSON.parse(m.Body!).contactId).sort()).toEqual([liam, mia, noah].sort());
    expect(callEvents).toHaveLength(3);
    expect(JSON.parse(donationEvents[0].Body!)).toMatchObject({
      type: "donation.created",
      donationId: ended[0].donationId,
      callId: toLiam.id,
      amountCents: 5000,
      currency: "USD",
    });
    expect(await heldSlots(env.redis, campaign.id)).toEqual([]);
  });
});
