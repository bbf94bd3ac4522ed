// What the reference suite's files tell the bench: one JSON line each, appended to BENCH_SUITE_LOG.
import { appendFileSync } from "node:fs";

export function record(entry: object): void {
  if (process.env.BENCH_SUITE_LOG) appendFileSync(process.env.BENCH_SUITE_LOG, `${JSON.stringify(entry)}\n`);
}
