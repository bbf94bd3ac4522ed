import type { Pool } from "pg";
import type { CampaignStatus } from "./schema";
import type { CampaignLimits } from "./limits";
import { normalizePhone } from "./phone";
import { isInsideCallingWindow } from "./window";

/** Why a call (or a message) was not placed. Returned as a value, never thrown, never skipped quietly. */
export type Refusal =
  | "campaign_not_active"
  | "invalid_number"
  | "blacklisted"
  | "opted_out"
  | "outside_window"
  | "rate_limited"
  | "no_slot";

export interface Refused {
  ok: false;
  reason: Refusal;
  detail: string;
}

export interface Cleared {
  ok: true;
  /** E.164. */
  phone: string;
  limits: CampaignLimits;
}

export type Channel = "voice" | "sms";

interface CheckRow {
  status: CampaignStatus;
  phone: string;
  time_zone: string;
  window_start: string;
  window_end: string;
  calls_per_minute: number;
  max_concurrent_calls: number;
  contact_opted_out: boolean;
  blacklisted: boolean;
  phone_opted_out: boolean;
}

// Everything the checks need from PostgreSQL in one round trip, each suppression list one index probe.
// Named, so each connection parses and plans it once.
const CHECKS = {
  name: "campaign-testenv/checks",
  text: `SELECT ca.status, co.phone, coalesce(co.time_zone, ca.time_zone) AS time_zone,
      ca.calling_window_start::text AS window_start, ca.calling_window_end::text AS window_end,
      ca.calls_per_minute, ca.max_concurrent_calls, co.opted_out AS contact_opted_out,
      EXISTS (SELECT 1 FROM blacklist b WHERE b.phone = co.phone) AS blacklisted,
      EXISTS (SELECT 1 FROM opt_outs o WHERE o.phone = co.phone
              AND (o.campaign_id IS NULL OR o.campaign_id = ca.id)
              AND o.channel IN ('all', $3::opt_out_channel)) AS phone_opted_out
    FROM contacts co JOIN campaigns ca ON ca.id = co.campaign_id
    WHERE co.id = $1 AND co.campaign_id = $2`,
};

/**
 * The rules PostgreSQL and the clock decide, in the dialer's order: the campaign is active, the number
 * is E.164, not blacklisted, not opted out (this campaign, all campaigns, this channel), and the
 * contact's local time (its zone, else the campaign's) is inside the calling window.
 */
export async function checkContact(
  pg: Pool,
  campaignId: string,
  contactId: string,
  channel: Channel,
  now: Date,
): Promise<Cleared | Refused> {
  const { rows } = await pg.query<CheckRow>({ ...CHECKS, values: [contactId, campaignId, channel] });
  const row = rows[0];
  if (!row) throw new Error(`contact ${contactId} is not a contact of campaign ${campaignId}`);

  if (row.status !== "active")
    return refuse("campaign_not_active", `campaign ${campaignId} is ${row.status}`);
  const number = normalizePhone(row.phone);
  if (!number.ok) return refuse("invalid_number", number.detail);
  const { phone } = number;
  if (row.blacklisted) return refuse("blacklisted", `${phone} is on the blacklist`);
  if (row.contact_opted_out) return refuse("opted_out", `contact ${contactId} opted out of this campaign`);
  if (row.phone_opted_out) return refuse("opted_out", `${phone} opted out of ${channel}`);
  const window = { start: row.window_start, end: row.window_end, timeZone: row.time_zone };
  if (!isInsideCallingWindow(now, window)) {
    return refuse(
      "outside_window",
      `${now.toISOString()} is outside ${window.start}-${window.end} in ${window.timeZone}`,
    );
  }
  const limits = { callsPerMinute: row.calls_per_minute, maxConcurrentCalls: row.max_concurrent_calls };
  return { ok: true, phone, limits };
}

export function refuse(reason: Refusal, detail: string): Refused {
  return { ok: false, reason, detail };
}
