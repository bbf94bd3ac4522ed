import { CAMPAIGN_STATUSES, type CampaignStatus } from "../../fixtures/test-data";
import { CAMPAIGN_TRANSITIONS, FINAL_STATUSES } from "../../src/campaign/campaigns";

const reachableFrom = (start: CampaignStatus): Set<CampaignStatus> => {
  const seen = new Set<CampaignStatus>([start]);
  const queue = [start];
  for (let s = queue.shift(); s !== undefined; s = queue.shift()) {
    for (const next of CAMPAIGN_TRANSITIONS[s]) {
      if (!seen.has(next)) {
        seen.add(next);
        queue.push(next);
      }
    }
  }
  return seen;
};

describe("CAMPAIGN_TRANSITIONS and FINAL_STATUSES", () => {
  test("every status (and only those of the PostgreSQL enum) has an entry", () => {
    expect(Object.keys(CAMPAIGN_TRANSITIONS).sort()).toEqual([...CAMPAIGN_STATUSES].sort());
  });

  test("every target is a known status, never the status itself, never listed twice", () => {
    for (const [from, targets] of Object.entries(CAMPAIGN_TRANSITIONS)) {
      for (const to of targets) expect(CAMPAIGN_STATUSES).toContain(to);
      expect(targets).not.toContain(from);
      expect(new Set(targets).size).toBe(targets.length);
    }
  });

  test("the final statuses are exactly those with no way out", () => {
    const deadEnds = CAMPAIGN_STATUSES.filter((s) => CAMPAIGN_TRANSITIONS[s].length === 0);
    expect([...FINAL_STATUSES].sort()).toEqual([...deadEnds].sort());
    expect([...FINAL_STATUSES].sort()).toEqual(["cancelled", "completed"]);
  });

  test("every status is reachable from draft, and every status can still reach a final one", () => {
    expect([...reachableFrom("draft")].sort()).toEqual([...CAMPAIGN_STATUSES].sort());
    for (const status of CAMPAIGN_STATUSES) {
      const reachable = reachableFrom(status);
      expect(FINAL_STATUSES.some((f) => reachable.has(f))).toBe(true);
    }
  });

  test("the documented lifecycle: draft cannot complete or pause; paused and active go back and forth", () => {
    expect(CAMPAIGN_TRANSITIONS.draft).not.toContain("completed");
    expect(CAMPAIGN_TRANSITIONS.draft).not.toContain("paused");
    expect(CAMPAIGN_TRANSITIONS.active).toContain("paused");
    expect(CAMPAIGN_TRANSITIONS.paused).toContain("active");
    for (const status of ["draft", "active", "paused"] as const)
      expect(CAMPAIGN_TRANSITIONS[status]).toContain("cancelled");
  });
});
