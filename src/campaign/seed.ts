import { makeCampaign, makeContact, makeUser } from "../../fixtures/test-data";
import type { CampaignRow, ContactRow, UserRow } from "./schema";
import { seedTestData } from "../helpers/seed";
import type { TestEnvironment } from "../worker";

export interface SeededCampaign {
  owner: UserRow;
  campaign: CampaignRow;
  contacts: ContactRow[];
}

/**
 * A fresh owner, campaign (makeCampaign: active, open all day in UTC, unless overridden) and contacts
 * (a count of fresh ones, or one per given override), inserted into this worker's database.
 */
export async function seedCampaign(
  env: TestEnvironment,
  {
    campaign = {},
    contacts = 0,
  }: { campaign?: Partial<CampaignRow>; contacts?: number | Partial<ContactRow>[] } = {},
): Promise<SeededCampaign> {
  const owner = makeUser();
  const row = makeCampaign(owner.id, campaign);
  const overrides = typeof contacts === "number" ? Array.from({ length: contacts }, () => ({})) : contacts;
  const contactRows = overrides.map((o) => makeContact(row.id, o));
  await seedTestData(env, { tables: { users: [owner], campaigns: [row], contacts: contactRows } });
  return { owner, campaign: row, contacts: contactRows };
}
