import type { TestData } from "../../fixtures/test-data";
import type { CampaignRow, ContactRow, UserRow } from "./schema";
import { type SeedData, seedData } from "../helpers/seed";
import type { TestEnvironment } from "../worker";

/**
 * Inserts test data into this store set's PostgreSQL and Mongo databases (see seedData): the Campaign
 * System's fixtures (`testData` of campaign-testenv/fixtures) unless given other `data`.
 */
export function seedTestData(env: TestEnvironment): Promise<TestData>;
export function seedTestData<T extends SeedData>(env: TestEnvironment, data: T): Promise<T>;
export function seedTestData(env: TestEnvironment, data?: SeedData): Promise<SeedData> {
  return seedData(env, data ?? fixtures().testData);
}

// The Campaign System's fixtures, loaded when a test first seeds them: importing the package does not.
const fixtures = (): typeof import("../../fixtures/test-data") => require("../../fixtures/test-data");

export interface SeededCampaign {
  owner: UserRow;
  campaign: CampaignRow;
  contacts: ContactRow[];
}

/**
 * A fresh owner, campaign (makeCampaign: active, open all day in UTC, unless overridden) and contacts
 * (a count of fresh ones, or one per given override), inserted into this store set's database.
 */
export async function seedCampaign(
  env: TestEnvironment,
  {
    campaign = {},
    contacts = 0,
  }: { campaign?: Partial<CampaignRow>; contacts?: number | Partial<ContactRow>[] } = {},
): Promise<SeededCampaign> {
  const { makeCampaign, makeContact, makeUser } = fixtures();
  const owner = makeUser();
  const row = makeCampaign(owner.id, campaign);
  const overrides = typeof contacts === "number" ? Array.from({ length: contacts }, () => ({})) : contacts;
  const contactRows = overrides.map((o) => makeContact(row.id, o));
  await seedData(env, { tables: { users: [owner], campaigns: [row], contacts: contactRows } });
  return { owner, campaign: row, contacts: contactRows };
}
