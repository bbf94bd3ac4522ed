import { randomUUID } from "node:crypto";
import { PublishCommand } from "@aws-sdk/client-sns";
import { SendMessageCommand } from "@aws-sdk/client-sqs";
import type { CallOutcome, CallRecordDoc } from "./schema";
import { type Step, untimed } from "../load/harness";
import { checkContact, type Refused, refuse } from "./checks";
import { admitCall, releaseSlot } from "./limits";
import type { CallStores } from "./stores";

/** A call that was placed: it holds a concurrency slot until endCall. */
export interface ActiveCall {
  id: string;
  campaignId: string;
  contactId: string;
  /** E.164. */
  phone: string;
  attempt: number;
  startedAt: Date;
}

/** What the dialer sends to dial-tasks for the telephony worker. */
export interface DialTask {
  callId: string;
  campaignId: string;
  contactId: string;
  phone: string;
  attempt: number;
}

export interface CallOptions {
  /** The current time; injectable so that window and rate-limit tests are deterministic. */
  now?: Date;
  /** Times each store operation (the load harness passes its own). */
  step?: Step;
}

export type StartResult = { ok: true; call: ActiveCall } | Refused;

const CALL_RECORDS = "call_records";

// attempt counts the contact's earlier calls (index calls_contact_id_idx).
const INSERT_CALL = {
  name: "campaign-testenv/insert-call",
  text: `INSERT INTO calls (id, campaign_id, contact_id, status, attempt, started_at)
    VALUES ($1, $2, $3, 'dialing', (SELECT count(*) + 1 FROM calls WHERE contact_id = $3), $4)
    RETURNING attempt`,
};

const ANSWER_CALL = {
  name: "campaign-testenv/answer-call",
  text: `UPDATE calls SET status = 'in_progress', answered_at = $2 WHERE id = $1 AND status = 'dialing'`,
};

// The outcome and, for a donation, its row: one statement, so a donation never exists without its call's end.
const END_CALL = {
  name: "campaign-testenv/end-call",
  text: `WITH ended AS (
      UPDATE calls SET status = $2, outcome = $3, ended_at = $4, duration_seconds = $5
      WHERE id = $1 AND status IN ('dialing', 'in_progress')
      RETURNING id, campaign_id, contact_id, answered_at
    ), donation AS (
      INSERT INTO donations (call_id, campaign_id, contact_id, amount_cents, currency)
      SELECT id, campaign_id, contact_id, $6, $7 FROM ended WHERE $6::integer IS NOT NULL
      RETURNING id
    )
    SELECT (SELECT count(*)::int FROM ended) AS ended, (SELECT answered_at FROM ended) AS answered_at,
      (SELECT id FROM donation) AS donation_id`,
};

/**
 * What the dialer does before and while placing one call: the checks (PostgreSQL), a rate-limit token
 * and a concurrency slot (Redis, atomically), then the call row (PostgreSQL), and together the dial
 * task (SQS dial-tasks) and the call event (SNS call-events).
 * A refusal comes back as a reason. If a store fails after the slot was taken, the slot is freed and
 * the call row marked failed before the error is thrown.
 */
export async function startCall(
  stores: CallStores,
  campaignId: string,
  contactId: string,
  { now = new Date(), step = untimed }: CallOptions = {},
): Promise<StartResult> {
  const checked = await step("checks", () => checkContact(stores.pg, campaignId, contactId, "voice", now));
  if (!checked.ok) return checked;
  const id = randomUUID();
  const admission = await step("admission", () =>
    admitCall(stores.redis, campaignId, id, checked.limits, now.getTime()),
  );
  if (admission === "rate_limited") {
    return refuse(
      admission,
      `campaign ${campaignId} used its ${checked.limits.callsPerMinute} calls per minute`,
    );
  }
  if (admission === "no_slot") {
    return refuse(
      admission,
      `campaign ${campaignId} has ${checked.limits.maxConcurrentCalls} calls in progress`,
    );
  }

  try {
    const { rows } = await step("call_row", () =>
      stores.pg.query<{ attempt: number }>({ ...INSERT_CALL, values: [id, campaignId, contactId, now] }),
    );
    const call: ActiveCall = {
      id,
      campaignId,
      contactId,
      phone: checked.phone,
      attempt: rows[0].attempt,
      startedAt: now,
    };
    const task: DialTask = { callId: id, campaignId, contactId, phone: call.phone, attempt: call.attempt };
    await Promise.all([
      step("dial_task", () =>
        stores.sqs.send(
          new SendMessageCommand({ QueueUrl: stores.dialTasksQueueUrl, MessageBody: JSON.stringify(task) }),
        ),
      ),
      step("call_event", () =>
        publish(stores, stores.callEventsTopicArn, { type: "call.dialing", ...task, at: now }),
      ),
    ]);
    return { ok: true, call };
  } catch (error) {
    await Promise.allSettled([
      releaseSlot(stores.redis, campaignId, id),
      stores.pg.query(
        `UPDATE calls SET status = 'failed', outcome = 'failed', ended_at = started_at WHERE id = $1`,
        [id],
      ),
    ]);
    throw error;
  }
}

/** The far end picked up: the call row becomes in_progress. */
export async function answerCall(
  stores: CallStores,
  call: ActiveCall,
  { now = new Date(), step = untimed }: CallOptions = {},
): Promise<void> {
  await step("answer_row", () => stores.pg.query({ ...ANSWER_CALL, values: [call.id, now] }));
}

export interface Donation {
  /** Minor units, > 0. */
  amountCents: number;
  /** ISO 4217; default USD. */
  currency?: string;
}

/**
 * Ends a call: the outcome on its row (with the donation row for a donation), then together the
 * call detail record (Mongo call_records), the freed slot and, for a donation, the event on
 * donation-events. The record is written once, complete, as a switch writes a CDR: an append-only
 * collection stays fast on every Mongo flavour, where updating a live record in place does not
 * (FerretDB's SQLite backend scans the collection for each update).
 * Throws if the call had already ended.
 */
export async function endCall(
  stores: CallStores,
  call: ActiveCall,
  outcome: CallOutcome,
  { now = new Date(), step = untimed, donation }: CallOptions & { donation?: Donation } = {},
): Promise<{ donationId: string | null }> {
  if ((outcome === "donation") !== (donation !== undefined)) {
    throw new Error(`a call ends with a donation exactly when its outcome is "donation" (got ${outcome})`);
  }
  const status = outcome === "failed" ? "failed" : "completed";
  const durationSeconds = Math.floor((now.getTime() - call.startedAt.getTime()) / 1000);
  const currency = donation?.currency ?? "USD";
  const { rows } = await step("outcome_row", () =>
    stores.pg.query<{ ended: number; answered_at: Date | null; donation_id: string | null }>({
      ...END_CALL,
      values: [call.id, status, outcome, now, durationSeconds, donation?.amountCents ?? null, currency],
    }),
  );
  if (rows[0].ended === 0) throw new Error(`call ${call.id} is not in progress: it has already ended`);
  const { answered_at: answeredAt, donation_id: donationId } = rows[0];
  const record: CallRecordDoc = {
    callId: call.id,
    campaignId: call.campaignId,
    contactId: call.contactId,
    phone: call.phone,
    attempt: call.attempt,
    status,
    outcome,
    startedAt: call.startedAt,
    answeredAt,
    endedAt: now,
    durationSeconds,
    events: [
      { type: "dialing", at: call.startedAt },
      ...(answeredAt ? [{ type: "answered", at: answeredAt }] : []),
      { type: status === "failed" ? "failed" : "hangup", at: now, data: { outcome } },
    ],
  };
  await Promise.all([
    step("cdr", () => stores.mongo.collection<CallRecordDoc>(CALL_RECORDS).insertOne(record)),
    step("slot_release", () => releaseSlot(stores.redis, call.campaignId, call.id)),
    donationId &&
      step("donation_event", () =>
        publish(stores, stores.donationEventsTopicArn, {
          type: "donation.created",
          donationId,
          callId: call.id,
          campaignId: call.campaignId,
          contactId: call.contactId,
          amountCents: donation!.amountCents,
          currency,
          at: now,
        }),
      ),
  ]);
  return { donationId };
}

/** Publishes one event as JSON; observers subscribed with raw delivery receive exactly this body. */
export function publish(
  stores: CallStores,
  topicArn: string,
  event: { type: string; [key: string]: unknown },
) {
  return stores.sns.send(new PublishCommand({ TopicArn: topicArn, Message: JSON.stringify(event) }));
}
