import type { Pool } from "pg";
import type { CampaignStatus, ContactRow } from "./schema";
import { FINAL_STATUSES } from "./campaigns";
import { normalizePhone, type PhoneOptions } from "./phone";

/** One contact as it arrives from an import; `phone` as the user wrote it. */
export type ContactInput = Pick<
  ContactRow,
  "phone" | "first_name" | "last_name" | "time_zone" | "attributes"
>;

export interface IngestProblem {
  /** Position in the input. */
  index: number;
  phone: string;
  reason: "invalid_number" | "invalid_time_zone" | "duplicate_in_batch" | "already_in_campaign";
  detail: string;
}

export interface IngestResult {
  /** The new contacts with their input position and E.164 phone. */
  inserted: { index: number; id: string; phone: string }[];
  /** Numbers the campaign has (or this batch had earlier); the first one wins, the rest are reported here. */
  duplicates: IngestProblem[];
  /** Inputs that can never be inserted as they are. */
  rejected: IngestProblem[];
}

/**
 * Adds contacts to a campaign in one insert: numbers normalised to E.164, time zones checked by
 * PostgreSQL (the same function its constraint uses), duplicates within the batch and against the
 * campaign reported rather than failing the batch. A completed or cancelled campaign takes no contacts.
 */
export async function ingestContacts(
  pg: Pool,
  campaignId: string,
  inputs: ContactInput[],
  phoneOptions: PhoneOptions = {},
): Promise<IngestResult> {
  const zones = [...new Set(inputs.map((c) => c.time_zone).filter((tz): tz is string => !!tz))];
  const { rows } = await pg.query<{ status: CampaignStatus | null; invalid_zones: string[] }>(
    `SELECT (SELECT status FROM campaigns WHERE id = $1) AS status,
       ARRAY(SELECT tz FROM unnest($2::text[]) AS tz WHERE NOT is_valid_time_zone(tz)) AS invalid_zones`,
    [campaignId, zones],
  );
  const { status, invalid_zones } = rows[0];
  if (status === null) throw new Error(`campaign ${campaignId} does not exist`);
  if (FINAL_STATUSES.includes(status))
    throw new Error(`campaign ${campaignId} is ${status}: it takes no more contacts`);

  const result: IngestResult = { inserted: [], duplicates: [], rejected: [] };
  const candidates = new Map<string, { index: number; row: Omit<ContactRow, "id"> }>();
  for (const [index, input] of inputs.entries()) {
    const problem = (reason: IngestProblem["reason"], detail: string) => ({
      index,
      phone: input.phone,
      reason,
      detail,
    });
    const number = normalizePhone(input.phone, phoneOptions);
    const earlier = number.ok && candidates.get(number.phone);
    if (!number.ok) result.rejected.push(problem("invalid_number", number.detail));
    else if (input.time_zone && invalid_zones.includes(input.time_zone)) {
      result.rejected.push(
        problem("invalid_time_zone", `${input.time_zone} is not a time zone PostgreSQL knows`),
      );
    } else if (earlier) {
      result.duplicates.push(
        problem("duplicate_in_batch", `${number.phone} is also at position ${earlier.index}`),
      );
    } else {
      candidates.set(number.phone, {
        index,
        row: { ...input, campaign_id: campaignId, phone: number.phone },
      });
    }
  }

  const { rows: created } = await pg.query<{ id: string; phone: string }>(
    `INSERT INTO contacts (campaign_id, phone, first_name, last_name, time_zone, attributes)
     SELECT campaign_id, phone, first_name, last_name, time_zone, coalesce(attributes, '{}')
     FROM json_populate_recordset(null::contacts, $1)
     ON CONFLICT (campaign_id, phone) DO NOTHING
     RETURNING id, phone`,
    [JSON.stringify([...candidates.values()].map((c) => c.row))],
  );
  const ids = new Map(created.map((c) => [c.phone, c.id]));
  for (const [phone, { index }] of candidates) {
    const id = ids.get(phone);
    if (id) result.inserted.push({ index, id, phone });
    else {
      result.duplicates.push({
        index,
        phone: inputs[index].phone,
        reason: "already_in_campaign",
        detail: `${phone} is already a contact of campaign ${campaignId}`,
      });
    }
  }
  return result;
}

/**
 * Reads a contacts CSV as the uploads bucket holds them: a header line naming the columns (phone,
 * first_name, last_name, time_zone), one contact a line, empty cells as null. Plain CSV only: no
 * quoted fields, so no commas inside values.
 */
export function parseContactsCsv(text: string): ContactInput[] {
  const [header, ...lines] = text.split(/\r?\n/).filter((line) => line.trim() !== "");
  if (header === undefined) return []; // an empty file: no header, no contacts
  const columns = header.split(",").map((c) => c.trim());
  return lines.map((line) => {
    const cells = line.split(",");
    const cell = (name: string) => cells[columns.indexOf(name)]?.trim() || null;
    return {
      phone: cell("phone") ?? "",
      first_name: cell("first_name"),
      last_name: cell("last_name"),
      time_zone: cell("time_zone"),
    };
  });
}
