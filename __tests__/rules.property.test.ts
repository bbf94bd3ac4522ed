// Properties of the dialer's rules over generated inputs: phone normalisation, the calling window
// (against PostgreSQL's own time zone arithmetic as the reference), and the Redis limits (real Redis).
import { randomUUID } from "node:crypto";
import fc from "fast-check";
import { E164_PATTERN } from "../fixtures/test-data";
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "../src";
import {
  admitCall,
  heldSlots,
  isInsideCallingWindow,
  localSecondOfDay,
  normalizePhone,
  releaseSlot,
} from "../src/campaign";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "redis"] });
});
afterAll(() => teardownTestEnvironment(env));

describe("phone normalisation", () => {
  const phoneLike = fc.oneof(
    fc.string(),
    fc.stringMatching(/^[+0-9 ()\-.]{0,24}$/),
    fc.stringMatching(/^(\+|00)?[0-9]{6,17}$/),
  );
  const countryCode = fc.option(fc.constantFrom("1", "44", "33", "81", "358"), { nil: undefined });

  test("the result is E.164 or a rejection with a reason, and normalising it again changes nothing", () => {
    fc.assert(
      fc.property(phoneLike, countryCode, (input, defaultCountryCode) => {
        const result = normalizePhone(input, { defaultCountryCode });
        if (!result.ok) {
          expect(result.reason).toBe("invalid_number");
          expect(result.detail).not.toBe("");
          return;
        }
        expect(result.phone).toMatch(E164_PATTERN);
        expect(normalizePhone(result.phone, { defaultCountryCode })).toEqual(result);
      }),
      { numRuns: 2000 },
    );
  });

  test("an E.164 number written with separators, or with 00 for +, comes back as itself", () => {
    const e164 = fc.stringMatching(/^\+[1-9][0-9]{7,14}$/);
    const separator = fc.constantFrom("", " ", "-", ".", "/", "(", ")", "  ");
    fc.assert(
      fc.property(
        e164,
        fc.array(separator, { minLength: 17, maxLength: 17 }),
        fc.boolean(),
        (phone, seps, zeros) => {
          const written = [...(zeros ? `00${phone.slice(1)}` : phone)].map((ch, i) => ch + seps[i]).join("");
          expect(normalizePhone(` ${written} `)).toEqual({ ok: true, phone });
        },
      ),
      { numRuns: 1000 },
    );
  });
});

describe("calling window", () => {
  // Daylight saving north and south, half- and quarter-hour offsets, a 30-minute DST shift (Lord Howe),
  // and zones that dropped DST (Sao Paulo 2019) or never had it.
  const zones = [
    "UTC",
    "America/New_York",
    "America/Los_Angeles",
    "America/St_Johns",
    "America/Sao_Paulo",
    "Europe/London",
    "Europe/Berlin",
    "Australia/Sydney",
    "Australia/Lord_Howe",
    "Pacific/Chatham",
    "Asia/Kolkata",
    "Asia/Kathmandu",
    "Asia/Tokyo",
  ];
  // Instants near the 2025 transitions of those zones (within hours either side, so exact hours need
  // not be right), and anywhere from 2000 to 2035.
  const transitions = [
    "2025-03-09T07:00Z",
    "2025-03-09T10:00Z",
    "2025-11-02T06:00Z",
    "2025-11-02T09:00Z",
    "2025-03-30T01:00Z",
    "2025-10-26T01:00Z",
    "2025-04-05T15:00Z",
    "2025-10-04T16:00Z",
    "2025-09-27T14:00Z",
    "2019-02-17T02:00Z",
  ].map((t) => Date.parse(t));
  const hours = 3600_000;
  const instant = fc.oneof(
    fc
      .tuple(fc.constantFrom(...transitions), fc.integer({ min: -6 * hours, max: 6 * hours }))
      .map(([t, d]) => new Date(t + d)),
    fc.date({
      min: new Date("2000-01-01T00:00:00Z"),
      max: new Date("2035-12-31T23:59:59Z"),
      noInvalidDate: true,
    }),
  );
  const clock = (seconds: number) =>
    [Math.floor(seconds / 3600), Math.floor(seconds / 60) % 60, seconds % 60]
      .map((n) => String(n).padStart(2, "0"))
      .join(":");
  // start < end; the end may be 24:00:00. Mostly whole quarter hours, like real windows, sometimes any second.
  const bound = fc.oneof(
    fc.integer({ min: 0, max: 96 }).map((q) => q * 900),
    fc.integer({ min: 0, max: 86400 }),
  );
  const window = fc
    .tuple(bound, bound, fc.constantFrom(...zones))
    .filter(([a, b]) => a !== b)
    .map(([a, b, timeZone]) => ({ start: clock(Math.min(a, b)), end: clock(Math.max(a, b)), timeZone }));

  test("agrees with PostgreSQL's time zone arithmetic at any instant, in any zone", async () => {
    await fc.assert(
      fc.asyncProperty(instant, window, async (now, w) => {
        const { rows } = await env.postgres.query<{ local_seconds: number; inside: boolean }>(
          `SELECT floor(extract(epoch FROM local))::int AS local_seconds, local >= $3::time AND local < $4::time AS inside
           FROM (SELECT ($1::timestamptz AT TIME ZONE $2)::time AS local) l`,
          [now, w.timeZone, w.start, w.end],
        );
        expect(localSecondOfDay(now, w.timeZone)).toBe(rows[0].local_seconds);
        expect(isInsideCallingWindow(now, w)).toBe(rows[0].inside);
      }),
      { numRuns: 600 },
    );
  });
});

describe("rate limiter and slots (real Redis)", () => {
  const unlimitedSlots = 1_000_000;

  test("never admits more than the budget in any interval, and a fresh bucket admits a full minute's worth", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 120 }),
        fc.array(fc.integer({ min: 0, max: 180_000 }), { minLength: 1, maxLength: 150 }),
        async (callsPerMinute, offsets) => {
          const campaignId = randomUUID();
          const t0 = Date.now();
          const times = [...offsets].sort((a, b) => a - b);
          const admittedAt: number[] = [];
          // Requests at the same instant are sent at once: the script must hold them off atomically.
          for (const t of new Set(times)) {
            const group = times.filter((x) => x === t);
            const results = await Promise.all(
              group.map(() =>
                admitCall(
                  env.redis,
                  campaignId,
                  randomUUID(),
                  { callsPerMinute, maxConcurrentCalls: unlimitedSlots },
                  t0 + t,
                ),
              ),
            );
            expect(results.filter((r) => r !== "admitted" && r !== "rate_limited")).toEqual([]);
            admittedAt.push(...results.filter((r) => r === "admitted").map(() => t));
          }
          // The tightest intervals start and end at admissions: the i-th to the j-th is j - i + 1 calls.
          const overBudget = admittedAt.flatMap((from, i) =>
            admittedAt
              .slice(i)
              .filter((to, k) => k + 1 > callsPerMinute + Math.floor((callsPerMinute * (to - from)) / 60_000))
              .map((to) => [from, to]),
          );
          expect(overBudget).toEqual([]);
          expect(admittedAt.length).toBeGreaterThanOrEqual(Math.min(times.length, callsPerMinute));
        },
      ),
      { numRuns: 60 },
    );
  });

  test("slots: a concurrent burst gets exactly the free slots, and holding follows a simple set model", async () => {
    const op = fc.oneof(
      fc.constant({ kind: "admit" as const }),
      fc.nat().map((pick) => ({ kind: "release" as const, pick })),
    );
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 40 }),
        fc.array(op, { maxLength: 60 }),
        async (max, burst, ops) => {
          const campaignId = randomUUID();
          const limits = { callsPerMinute: 1_000_000, maxConcurrentCalls: max };
          const ids = Array.from({ length: burst }, () => randomUUID());
          const results = await Promise.all(ids.map((id) => admitCall(env.redis, campaignId, id, limits)));
          const held = new Set(ids.filter((_, i) => results[i] === "admitted"));
          expect(held.size).toBe(Math.min(burst, max));

          for (const o of ops) {
            if (o.kind === "admit") {
              const id = randomUUID();
              const admission = await admitCall(env.redis, campaignId, id, limits);
              expect(admission).toBe(held.size < max ? "admitted" : "no_slot");
              if (admission === "admitted") held.add(id);
            } else {
              const id = [...held][o.pick % Math.max(1, held.size)] ?? randomUUID();
              expect(await releaseSlot(env.redis, campaignId, id)).toBe(held.delete(id));
            }
            expect((await heldSlots(env.redis, campaignId)).sort()).toEqual([...held].sort());
          }
        },
      ),
      { numRuns: 60 },
    );
  });
});
