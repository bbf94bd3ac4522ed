// Section `store-sets`: on each AWS flavour's environment, one store set built from scratch after another
// (a database clone, a Mongo database with its collections, an AWS account's resources). Test files rarely
// pay it: the warm pool prepares them ahead (the suite section's "a later file's setup").
import { type AwsFlavour, type EnvironmentContext, setupTestEnvironment } from "../../src";
import { inThisProcess } from "../environments";
import { summary, type Summary, timed } from "../lib";
import { FLAVOURS } from "../settings";
import { ms, type SectionResult } from "../table";

/** Store sets built from scratch, one after another. */
const PROVISIONED_SETS = 19;

async function measure(context: EnvironmentContext): Promise<Summary> {
  const samples: number[] = [];
  for (let i = 0; i <= PROVISIONED_SETS; i++) {
    const { ms, value: env } = await timed(() => setupTestEnvironment({ context }));
    if (i > 0) samples.push(ms); // the first one warms up the code paths
    await env.close();
  }
  return summary(samples);
}

export async function storeSets(): Promise<SectionResult> {
  const data: Partial<Record<AwsFlavour, Summary>> = {};
  for (const flavour of FLAVOURS) data[flavour] = await inThisProcess(flavour, measure);
  return {
    rows: FLAVOURS.map((flavour) => [
      `${flavour}: a store set built from scratch (median / p95)`,
      `${ms(data[flavour]!.median)} / ${ms(data[flavour]!.p95)}`,
      "none: the pool's claims (suite rows)",
      undefined,
    ]),
    data,
    samples: `${PROVISIONED_SETS} store sets built from scratch`,
  };
}
