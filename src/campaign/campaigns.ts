import type { Pool } from "pg";
import type { CampaignStatus } from "./schema";

/**
 * The lifecycle: a draft is activated (or cancelled); an active campaign is paused, completed or
 * cancelled; a paused one resumes, completes or is cancelled; completed and cancelled are final.
 * Only an active campaign dials (checkContact); contacts can be added until the campaign is final.
 */
export const CAMPAIGN_TRANSITIONS: Record<CampaignStatus, readonly CampaignStatus[]> = {
  draft: ["active", "cancelled"],
  active: ["paused", "completed", "cancelled"],
  paused: ["active", "completed", "cancelled"],
  completed: [],
  cancelled: [],
};

export const FINAL_STATUSES: readonly CampaignStatus[] = ["completed", "cancelled"];

export type StatusChange =
  | { ok: true; from: CampaignStatus; to: CampaignStatus }
  | { ok: false; reason: "invalid_transition"; detail: string };

/**
 * Moves a campaign to `to` if its lifecycle allows it from the status it has now. The check and the
 * update are one statement, so two concurrent changes cannot both pass from the same status.
 */
export async function changeCampaignStatus(
  pg: Pool,
  campaignId: string,
  to: CampaignStatus,
): Promise<StatusChange> {
  const allowedFrom = Object.entries(CAMPAIGN_TRANSITIONS)
    .filter(([, targets]) => targets.includes(to))
    .map(([from]) => from);
  const { rows } = await pg.query<{ changed: boolean; from: CampaignStatus }>(
    // The UPDATE reads `before`, so the row is locked and its status read before it changes (a
    // FOR UPDATE evaluated after the UPDATE would skip the row the statement itself just changed).
    `WITH before AS (SELECT id, status FROM campaigns WHERE id = $1 FOR UPDATE),
      changed AS (UPDATE campaigns c SET status = $2 FROM before
        WHERE c.id = before.id AND before.status = ANY($3::campaign_status[]) RETURNING c.id)
    SELECT EXISTS (SELECT 1 FROM changed) AS changed, (SELECT status FROM before) AS from`,
    [campaignId, to, allowedFrom],
  );
  const { changed, from } = rows[0];
  if (from === null) throw new Error(`campaign ${campaignId} does not exist`);
  if (!changed)
    return { ok: false, reason: "invalid_transition", detail: `campaign ${campaignId}: ${from} -> ${to}` };
  return { ok: true, from, to };
}
