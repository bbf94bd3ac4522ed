// Load harness guide, "A runnable example": the script, whose top-level statements run here inside a
// test (a CommonJS test file has no top-level await), in a scratch folder for its report files.
// #region load-example
import { type CallHandler, reportTable, runLoad, writeLoadReport } from "campaign-testenv";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

// Your call handler: each awaited store operation goes through `step`, which times it.
const handler: CallHandler = async ({ index, step, hold }) => {
  if (index % 50 === 0) return "refused"; // a label is counted, not an error
  await step("reserve", () => sleep(2 + Math.random() * 3));
  await step("dial", () => sleep(5 + Math.random() * 10));
  await hold(); // all calls in flight wait here together: they are provably simultaneous
  await step("hang_up", () => sleep(1 + Math.random() * 2));
};
// #endregion load-example

import { existsSync, mkdtempSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const cwd = process.cwd();
const scratch = mkdtempSync(path.join(os.tmpdir(), "load-example-"));
beforeAll(() => process.chdir(scratch));
afterAll(() => {
  process.chdir(cwd);
  rmSync(scratch, { recursive: true, force: true });
});

test("1000 calls after 100 warm-up: labels counted, every step timed, report written", async () => {
  const printed = jest.spyOn(console, "log").mockImplementation(() => {});
  // #region load-example
  const report = await runLoad(handler, {
    name: "example",
    calls: 1000,
    warmUp: 100,
    onHold: async (held) => console.log(`${held} calls held together`),
  });
  console.log(reportTable(report));
  writeLoadReport(report, "reports", "example"); // reports/example.json, .md and .svg
  // #endregion load-example

  expect(report.calls).toBe(1000);
  expect(report.labels).toEqual({ refused: 20, ok: 980 });
  expect(report.errors.count).toBe(0);
  expect(report.heldTogether).toBeGreaterThan(1);
  expect(Object.keys(report.steps)).toEqual(["reserve", "dial", "hang_up"]);
  expect(report.steps.reserve.count).toBe(980);
  expect(printed).toHaveBeenCalledWith(expect.stringMatching(/^\d+ calls held together$/));
  expect(printed).toHaveBeenCalledWith(expect.stringContaining("| **whole call** | 1000 |"));
  expect(existsSync(path.join(scratch, "reports/example.json"))).toBe(true);
  expect(existsSync(path.join(scratch, "reports/example.md"))).toBe(true);
  expect(existsSync(path.join(scratch, "reports/example.svg"))).toBe(true);
});
