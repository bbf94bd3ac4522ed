// Section `reuse`: a fresh process finding the running environment again (the containers by their label,
// the credentials from their file), after one start that leaves it running.
import { removeReusedContainers, startInChild } from "../environments";
import { summary } from "../lib";
import { log, REPEATS } from "../settings";
import { ms, type SectionResult } from "../table";

const TARGET_MS = 100;

export async function reuse(): Promise<SectionResult> {
  try {
    const first = await startInChild("reuse");
    log(`reuse: first start (creates) ${ms(first.ms)}`);
    const samples: number[] = [];
    for (let i = 0; i < REPEATS; i++) {
      const r = await startInChild("reuse");
      samples.push(r.ms);
      log(`reuse ${i + 1}/${REPEATS}: ${ms(r.ms)}`);
    }
    const data = summary(samples);
    return {
      rows: [["startup, reuse (median)", ms(data.median), `< ${TARGET_MS} ms`, data.median < TARGET_MS]],
      data,
      samples: `${REPEATS} reuse starts`,
    };
  } finally {
    await removeReusedContainers();
  }
}
