import { PutObjectCommand } from "@aws-sdk/client-s3";
import { CALL_OUTCOMES, type CallOutcome, type CallRecordDoc } from "./schema";
import type { CallStores } from "./stores";

export interface CampaignAnalytics {
  campaignId: string;
  /** From PostgreSQL. */
  calls: number;
  outcomes: Record<CallOutcome, number>;
  donations: number;
  amountCents: number;
  /** From Mongo's call records, aggregated by status. */
  records: { count: number; byStatus: Record<string, number>; talkSeconds: number };
}

/** The campaign's numbers from both stores: call rows and donations (SQL), call records (aggregation). */
export async function campaignAnalytics(stores: CallStores, campaignId: string): Promise<CampaignAnalytics> {
  const records = stores.mongo.collection<CallRecordDoc>("call_records");
  const [sql, byStatus, talk] = await Promise.all([
    stores.pg.query<{
      calls: number;
      outcomes: Record<string, number>;
      donations: number;
      amount_cents: number;
    }>(
      `SELECT (SELECT count(*)::int FROM calls WHERE campaign_id = $1) AS calls,
         (SELECT coalesce(jsonb_object_agg(outcome, n), '{}') FROM (
            SELECT outcome, count(*)::int AS n FROM calls
            WHERE campaign_id = $1 AND outcome IS NOT NULL GROUP BY outcome) o) AS outcomes,
         (SELECT count(*)::int FROM donations WHERE campaign_id = $1) AS donations,
         (SELECT coalesce(sum(amount_cents), 0)::int FROM donations WHERE campaign_id = $1) AS amount_cents`,
      [campaignId],
    ),
    // One accumulator per $group: FerretDB v1 fills only the first one (FerretDB/FerretDB#4616).
    records
      .aggregate<{ _id: string; count: number }>([
        { $match: { campaignId } },
        { $group: { _id: "$status", count: { $sum: 1 } } },
      ])
      .toArray(),
    records
      .aggregate<{ seconds: number }>([
        { $match: { campaignId } },
        { $group: { _id: null, seconds: { $sum: "$durationSeconds" } } },
      ])
      .toArray(),
  ]);
  const row = sql.rows[0];
  return {
    campaignId,
    calls: row.calls,
    outcomes: Object.fromEntries(CALL_OUTCOMES.map((o) => [o, row.outcomes[o] ?? 0])) as Record<
      CallOutcome,
      number
    >,
    donations: row.donations,
    amountCents: row.amount_cents,
    records: {
      count: byStatus.reduce((n, s) => n + s.count, 0),
      byStatus: Object.fromEntries(byStatus.map((s) => [s._id, s.count])),
      talkSeconds: talk[0]?.seconds ?? 0,
    },
  };
}

/**
 * Stores the campaign's daily report in the reports bucket, in the layout of the bucket's sample
 * (daily/<date>/<campaign>.csv, one header line and one row), and returns its key and body.
 */
export async function storeCampaignReport(
  stores: CallStores,
  analytics: CampaignAnalytics,
  date: string,
): Promise<{ key: string; body: string }> {
  const key = `daily/${date}/${analytics.campaignId}.csv`;
  const header = ["campaign_id", "date", "calls", ...CALL_OUTCOMES, "amount_cents"];
  const values = [
    analytics.campaignId,
    date,
    analytics.calls,
    ...CALL_OUTCOMES.map((o) => analytics.outcomes[o]),
  ];
  const body = `${header.join(",")}\n${[...values, analytics.amountCents].join(",")}\n`;
  await stores.s3.send(
    new PutObjectCommand({ Bucket: stores.reportsBucket, Key: key, Body: body, ContentType: "text/csv" }),
  );
  return { key, body };
}
