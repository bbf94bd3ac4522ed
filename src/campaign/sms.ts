import type { SmsRecordDoc } from "./schema";
import { checkContact, type Refused } from "./checks";
import type { CallStores } from "./stores";
import { optOut } from "./suppression";

const SMS_RECORDS = "sms_records";

// The opt-out keywords carriers honour, as the whole message (CTIA guidelines).
const STOP_WORDS = new Set(["STOP", "STOPALL", "UNSUBSCRIBE", "CANCEL", "END", "QUIT"]);

export function isStopReply(body: string): boolean {
  return STOP_WORDS.has(body.trim().toUpperCase());
}

interface SmsInput {
  campaignId: string;
  contactId: string;
  body: string;
  now?: Date;
}

/** Queues an outbound message after the same checks as a call (sms channel): row and record, or a reason. */
export async function sendSms(
  stores: CallStores,
  { campaignId, contactId, body, now = new Date() }: SmsInput,
): Promise<{ ok: true; messageId: string } | Refused> {
  const checked = await checkContact(stores.pg, campaignId, contactId, "sms", now);
  if (!checked.ok) return checked;
  const messageId = await recordSms(stores, { campaignId, contactId, body, now }, checked.phone, "outbound");
  return { ok: true, messageId };
}

/**
 * Stores an inbound message. A STOP reply opts the number out everywhere: on the blacklist and the
 * global opt-outs (source sms_stop), the contact marked opted out, and an event on optout-events.
 */
export async function receiveSms(
  stores: CallStores,
  { campaignId, contactId, body, now = new Date() }: SmsInput,
): Promise<{ messageId: string; optedOut: boolean }> {
  const { rows } = await stores.pg.query<{ phone: string }>(
    "SELECT phone FROM contacts WHERE id = $1 AND campaign_id = $2",
    [contactId, campaignId],
  );
  if (!rows[0]) throw new Error(`contact ${contactId} is not a contact of campaign ${campaignId}`);
  const { phone } = rows[0];
  const messageId = await recordSms(stores, { campaignId, contactId, body, now }, phone, "inbound");
  if (!isStopReply(body)) return { messageId, optedOut: false };

  await optOut(stores, { phone, campaignId, contactId, messageId, now });
  return { messageId, optedOut: true };
}

async function recordSms(
  stores: CallStores,
  { campaignId, contactId, body, now = new Date() }: SmsInput,
  phone: string,
  direction: "inbound" | "outbound",
): Promise<string> {
  const status = direction === "inbound" ? "received" : "queued";
  const { rows } = await stores.pg.query<{ id: string }>(
    `INSERT INTO sms_messages (campaign_id, contact_id, direction, body, status, created_at)
     VALUES ($1, $2, $3, $4, $5, $6) RETURNING id`,
    [campaignId, contactId, direction, body, status, now],
  );
  const messageId = rows[0].id;
  await stores.mongo
    .collection<SmsRecordDoc>(SMS_RECORDS)
    .insertOne({ messageId, campaignId, contactId, phone, direction, body, status, createdAt: now });
  return messageId;
}
