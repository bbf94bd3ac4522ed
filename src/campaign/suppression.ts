import type { Pool } from "pg";
import type { BlacklistSource } from "./schema";
import { publish } from "./calls";
import type { Refused } from "./checks";
import { normalizePhone, type PhoneOptions } from "./phone";
import type { CallStores } from "./stores";

/**
 * Puts a number on the blacklist, normalised to E.164; the next check of any campaign refuses it.
 * `added` is false when it was already there.
 */
export async function blacklistPhone(
  pg: Pool,
  input: string,
  {
    reason = null,
    source = "manual",
    ...phoneOptions
  }: { reason?: string | null; source?: BlacklistSource } & PhoneOptions = {},
): Promise<{ ok: true; phone: string; added: boolean } | Refused> {
  const number = normalizePhone(input, phoneOptions);
  if (!number.ok) return number;
  const { rowCount } = await pg.query(
    "INSERT INTO blacklist (phone, reason, source) VALUES ($1, $2, $3) ON CONFLICT (phone) DO NOTHING",
    [number.phone, reason, source],
  );
  return { ok: true, phone: number.phone, added: rowCount === 1 };
}

/**
 * A STOP reply: the number goes on the blacklist and the global opt-outs (source sms_stop, all
 * channels), the contact is marked opted out, and optout-events hears of it. Repeating it is harmless.
 */
export async function optOut(
  stores: CallStores,
  event: { phone: string; campaignId: string; contactId: string; messageId: string; now: Date },
): Promise<void> {
  const { now, ...fields } = event;
  // One statement: the three rows land together or not at all.
  await stores.pg.query(
    `WITH contact AS (UPDATE contacts SET opted_out = true WHERE id = $1),
      listed AS (INSERT INTO blacklist (phone, reason, source) VALUES ($2, 'Replied STOP', 'sms_stop')
                 ON CONFLICT (phone) DO NOTHING)
    INSERT INTO opt_outs (phone, campaign_id, channel, source) VALUES ($2, NULL, 'all', 'sms_stop')
    ON CONFLICT (phone, campaign_id) DO UPDATE SET channel = 'all'`,
    [fields.contactId, fields.phone],
  );
  await publish(stores, stores.optoutEventsTopicArn, {
    type: "optout.created",
    source: "sms_stop",
    ...fields,
    at: now,
  });
}
