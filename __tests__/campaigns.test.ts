// Campaigns on the real stores: the lifecycle and what each status allows, contact ingestion, the
// isolation of one campaign from another, and the constraints the schema holds the data path to.
import { cleanTestData, setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "../src";
import {
  CAMPAIGN_TRANSITIONS,
  callStores,
  type CallStores,
  changeCampaignStatus,
  endCall,
  heldSlots,
  ingestContacts,
  releaseSlot,
  seedCampaign,
  startCall,
} from "../src/campaign";
import { CAMPAIGN_STATUSES, makeCall, makeOptOut, uniquePhone } from "../fixtures/test-data";

let env: TestEnvironment;
let stores: CallStores;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
  stores = callStores(env);
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

const statusOf = async (id: string) =>
  (await env.postgres.query("SELECT status FROM campaigns WHERE id = $1", [id])).rows[0].status;

describe("lifecycle", () => {
  test("a campaign goes draft -> active -> paused -> active -> completed, and stays completed", async () => {
    const { campaign } = await seedCampaign(env, { campaign: { status: "draft" } });
    for (const to of ["active", "paused", "active", "completed"] as const) {
      expect(await changeCampaignStatus(env.postgres, campaign.id, to)).toMatchObject({ ok: true, to });
    }
    expect(await changeCampaignStatus(env.postgres, campaign.id, "active")).toEqual({
      ok: false,
      reason: "invalid_transition",
      detail: `campaign ${campaign.id}: completed -> active`,
    });
    expect(await statusOf(campaign.id)).toBe("completed");
  });

  test("every pair of statuses: only the lifecycle's transitions happen", async () => {
    const pairs = CAMPAIGN_STATUSES.flatMap((from) => CAMPAIGN_STATUSES.map((to) => [from, to] as const));
    const seeded = await Promise.all(
      pairs.map(([from]) => seedCampaign(env, { campaign: { status: from } })),
    );
    const results = await Promise.all(
      pairs.map(([, to], i) => changeCampaignStatus(env.postgres, seeded[i].campaign.id, to)),
    );
    const allowed = pairs.filter((_, i) => results[i].ok).map(([from, to]) => `${from}->${to}`);
    expect(allowed.sort()).toEqual(
      [
        "draft->active",
        "draft->cancelled",
        "active->paused",
        "active->completed",
        "active->cancelled",
        "paused->active",
        "paused->completed",
        "paused->cancelled",
      ].sort(),
    );
    expect(Object.values(CAMPAIGN_TRANSITIONS).flat()).toHaveLength(allowed.length);
  });

  test("two concurrent changes to final statuses: exactly one wins", async () => {
    const { campaign } = await seedCampaign(env, { campaign: { status: "active" } });
    const results = await Promise.all([
      changeCampaignStatus(env.postgres, campaign.id, "completed"),
      changeCampaignStatus(env.postgres, campaign.id, "cancelled"),
    ]);
    const winners = results.flatMap((r) => (r.ok ? [r.to] : []));
    expect(winners).toHaveLength(1);
    expect(await statusOf(campaign.id)).toBe(winners[0]);
    expect(results.find((r) => !r.ok)).toMatchObject({ reason: "invalid_transition" });
  });

  test.each(CAMPAIGN_STATUSES)("a %s campaign: only an active one dials", async (status) => {
    const { campaign, contacts } = await seedCampaign(env, { campaign: { status }, contacts: 1 });
    const result = await startCall(stores, campaign.id, contacts[0].id);
    if (status === "active") expect(result.ok).toBe(true);
    else
      expect(result).toEqual({
        ok: false,
        reason: "campaign_not_active",
        detail: `campaign ${campaign.id} is ${status}`,
      });
  });

  test("pausing stops new calls; the calls in progress still end and give their slots back", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 2 });
    const first = await startCall(stores, campaign.id, contacts[0].id);
    if (!first.ok) throw new Error(first.detail);
    await changeCampaignStatus(env.postgres, campaign.id, "paused");

    expect(await startCall(stores, campaign.id, contacts[1].id)).toMatchObject({
      reason: "campaign_not_active",
    });
    await endCall(stores, first.call, "answered");
    expect(await heldSlots(env.redis, campaign.id)).toEqual([]);
    await changeCampaignStatus(env.postgres, campaign.id, "active");
    expect(await startCall(stores, campaign.id, contacts[1].id)).toMatchObject({ ok: true });
  });
});

describe("contact ingestion", () => {
  test("a bulk import of 2000 contacts goes in with one insert, numbers normalised", async () => {
    const { campaign } = await seedCampaign(env, { campaign: { status: "draft" } });
    const phones = Array.from({ length: 2000 }, uniquePhone);
    // As people write them: "+1 555 0123456789".
    const inputs = phones.map((p) => ({
      phone: `${p.slice(0, 2)} ${p.slice(2, 5)} ${p.slice(5)}`,
      first_name: "Ann",
    }));
    const result = await ingestContacts(env.postgres, campaign.id, inputs);
    expect(result.rejected).toEqual([]);
    expect(result.duplicates).toEqual([]);
    expect(result.inserted.map((c) => c.phone)).toEqual(phones);
    const { rows } = await env.postgres.query(
      "SELECT count(*)::int AS n FROM contacts WHERE campaign_id = $1",
      [campaign.id],
    );
    expect(rows[0].n).toBe(2000);
  });

  test("duplicates are reported, within the batch and against the campaign; the first one wins", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    const fresh = uniquePhone();
    const result = await ingestContacts(env.postgres, campaign.id, [
      { phone: fresh, first_name: "First" },
      { phone: `00${fresh.slice(1)}`, first_name: "Second" },
      { phone: contacts[0].phone },
    ]);
    expect(result.inserted).toEqual([{ index: 0, id: expect.any(String), phone: fresh }]);
    expect(result.duplicates.map((d) => [d.index, d.reason])).toEqual([
      [1, "duplicate_in_batch"],
      [2, "already_in_campaign"],
    ]);
    const { rows } = await env.postgres.query("SELECT first_name FROM contacts WHERE phone = $1", [fresh]);
    expect(rows).toEqual([{ first_name: "First" }]);
  });

  test("invalid numbers and time zones are rejected with reasons; the valid rest goes in", async () => {
    const { campaign } = await seedCampaign(env);
    const result = await ingestContacts(env.postgres, campaign.id, [
      { phone: "+1 (202) 555-0143" },
      { phone: "202-555-0144" },
      { phone: "+12025550145", time_zone: "Mars/Olympus_Mons" },
      { phone: "+44 20 7946 0958", time_zone: "Europe/London" },
      { phone: "+1 202 CALL NOW" },
      { phone: "+123" },
      { phone: "+1234567890123456" },
      { phone: "+0 202 555 0146" },
      { phone: "" },
    ]);
    expect(result.inserted.map((c) => c.phone)).toEqual(["+12025550143", "+442079460958"]);
    expect(result.rejected.map((r) => [r.index, r.reason, r.detail])).toEqual([
      [1, "invalid_number", '"202-555-0144" has no country code (start it with + and the country code)'],
      [2, "invalid_time_zone", "Mars/Olympus_Mons is not a time zone PostgreSQL knows"],
      [4, "invalid_number", '"+1 202 CALL NOW" has characters other than digits and separators'],
      [5, "invalid_number", "+123: too short for E.164 (8 to 15 digits)"],
      [6, "invalid_number", "+1234567890123456: too long for E.164 (8 to 15 digits)"],
      [7, "invalid_number", "+02025550146: a country code never starts with 0"],
      [8, "invalid_number", "empty"],
    ]);
  });

  test("a default country reads national numbers, dropping the trunk prefix", async () => {
    const { campaign } = await seedCampaign(env);
    const us = await ingestContacts(
      env.postgres,
      campaign.id,
      [{ phone: "(202) 555-0147" }, { phone: "1 202 555 0148" }],
      {
        defaultCountryCode: "1",
      },
    );
    const uk = await ingestContacts(env.postgres, campaign.id, [{ phone: "020 7946 0959" }], {
      defaultCountryCode: "44",
    });
    expect([...us.inserted, ...uk.inserted].map((c) => c.phone)).toEqual([
      "+12025550147",
      "+12025550148",
      "+442079460959",
    ]);
  });

  test("a completed or cancelled campaign takes no contacts", async () => {
    for (const status of ["completed", "cancelled"] as const) {
      const { campaign } = await seedCampaign(env, { campaign: { status } });
      await expect(ingestContacts(env.postgres, campaign.id, [{ phone: uniquePhone() }])).rejects.toThrow(
        `campaign ${campaign.id} is ${status}: it takes no more contacts`,
      );
    }
  });
});

describe("isolation between campaigns", () => {
  test("the same person in two campaigns is two contacts; suppression of one campaign stays there", async () => {
    const phone = uniquePhone();
    const a = await seedCampaign(env, { contacts: [{ phone }] });
    const b = await seedCampaign(env, { contacts: [{ phone }] });
    await env.postgres.query(
      "INSERT INTO opt_outs SELECT * FROM json_populate_recordset(null::opt_outs, $1)",
      [JSON.stringify([makeOptOut(phone, { campaign_id: a.campaign.id })])],
    );
    expect(await startCall(stores, a.campaign.id, a.contacts[0].id)).toMatchObject({ reason: "opted_out" });
    expect(await startCall(stores, b.campaign.id, b.contacts[0].id)).toMatchObject({ ok: true });
  });

  test("a campaign at its rate limit and out of slots leaves another campaign's limits untouched", async () => {
    const limits = { calls_per_minute: 2, max_concurrent_calls: 1 };
    const a = await seedCampaign(env, { campaign: limits, contacts: 3 });
    const b = await seedCampaign(env, { campaign: limits, contacts: 2 });
    const now = new Date("2025-06-02T12:00:00Z");
    const call = (s: typeof a, i: number) => startCall(stores, s.campaign.id, s.contacts[i].id, { now });

    expect(await call(a, 0)).toMatchObject({ ok: true });
    expect(await call(a, 1)).toMatchObject({ reason: "no_slot" });
    expect(await call(b, 0)).toMatchObject({ ok: true });
    expect(await call(b, 1)).toMatchObject({ reason: "no_slot" });
    // a's slot freed, its last token taken; b still has its own second token.
    const [held] = await heldSlots(env.redis, a.campaign.id);
    await releaseSlot(env.redis, a.campaign.id, held);
    expect(await call(a, 1)).toMatchObject({ ok: true });
    expect(await call(a, 2)).toMatchObject({ reason: "rate_limited" });
    await releaseSlot(env.redis, b.campaign.id, (await heldSlots(env.redis, b.campaign.id))[0]);
    expect(await call(b, 1)).toMatchObject({ ok: true });
  });

  test("a contact of one campaign cannot be called under another", async () => {
    const a = await seedCampaign(env, { contacts: 1 });
    const b = await seedCampaign(env);
    await expect(startCall(stores, b.campaign.id, a.contacts[0].id)).rejects.toThrow(
      `contact ${a.contacts[0].id} is not a contact of campaign ${b.campaign.id}`,
    );
  });
});

describe("constraints", () => {
  test("a call row must use a contact of its own campaign", async () => {
    const a = await seedCampaign(env, { contacts: 1 });
    const b = await seedCampaign(env);
    const call = makeCall(b.campaign.id, a.contacts[0].id);
    await expect(
      env.postgres.query("INSERT INTO calls (id, campaign_id, contact_id) VALUES ($1, $2, $3)", [
        call.id,
        call.campaign_id,
        call.contact_id,
      ]),
    ).rejects.toThrow(/calls_contact_fk/);
  });

  test.each([
    [{ calling_window_start: "21:00", calling_window_end: "09:00" }, /campaigns_calling_window_order/],
    [{ time_zone: "America/NewYork" }, /campaigns_time_zone_valid/],
    [{ max_concurrent_calls: 0 }, /campaigns_max_concurrent_calls_positive/],
    [{ calls_per_minute: -1 }, /campaigns_calls_per_minute_positive/],
  ])("a campaign with %o is refused", async (overrides, constraint) => {
    await expect(seedCampaign(env, { campaign: overrides })).rejects.toThrow(constraint);
  });

  test("a call ends once; a slot is released once", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    const started = await startCall(stores, campaign.id, contacts[0].id);
    if (!started.ok) throw new Error(started.detail);
    await endCall(stores, started.call, "answered");
    await expect(endCall(stores, started.call, "failed")).rejects.toThrow("has already ended");
    expect(await releaseSlot(env.redis, campaign.id, started.call.id)).toBe(false);
    await expect(endCall(stores, started.call, "donation")).rejects.toThrow(
      /exactly when its outcome is "donation"/,
    );
  });

  test("a donation must be positive, and is stored with its call or not at all", async () => {
    const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
    const started = await startCall(stores, campaign.id, contacts[0].id);
    if (!started.ok) throw new Error(started.detail);
    await expect(endCall(stores, started.call, "donation", { donation: { amountCents: 0 } })).rejects.toThrow(
      /donations_amount_positive/,
    );
    const { rows } = await env.postgres.query("SELECT status FROM calls WHERE id = $1", [started.call.id]);
    expect(rows).toEqual([{ status: "dialing" }]);
    await endCall(stores, started.call, "donation", { donation: { amountCents: 1500, currency: "EUR" } });
    const { rows: donations } = await env.postgres.query(
      "SELECT call_id, amount_cents, currency FROM donations",
    );
    expect(donations).toEqual([{ call_id: started.call.id, amount_cents: 1500, currency: "EUR" }]);
  });

  test("one global opt-out per number: NULL campaign ids collide", async () => {
    const phone = uniquePhone();
    const insert = () =>
      env.postgres.query("INSERT INTO opt_outs SELECT * FROM json_populate_recordset(null::opt_outs, $1)", [
        JSON.stringify([makeOptOut(phone)]),
      ]);
    await insert();
    await expect(insert()).rejects.toThrow(/opt_outs_phone_campaign_key/);
  });
});
