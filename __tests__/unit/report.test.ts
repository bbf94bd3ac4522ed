import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadChart } from "../../src/load/chart";
import type { CallTiming } from "../../src/load/report";
import { type LoadReport, percentiles, reportTable, summarise } from "../../src/load/report";
import { writeLoadReport } from "../../src/load/write";

describe("percentiles", () => {
  test("nearest rank over 1..100 ms", () => {
    const samples = Array.from({ length: 100 }, (_, i) => 100 - i); // unsorted on purpose
    expect(percentiles(samples)).toEqual({ count: 100, p50: 50, p95: 95, p99: 99, max: 100 });
  });

  test("nearest rank rounds up: over 10 samples p95 and p99 are the largest", () => {
    const samples = [1, 2, 3, 4, 5, 6, 7, 8, 9, 10];
    expect(percentiles(samples)).toEqual({ count: 10, p50: 5, p95: 10, p99: 10, max: 10 });
  });

  test("sorts numerically, not as strings, and leaves the input as it was", () => {
    const samples = [100, 9, 20, 3];
    expect(percentiles(samples)).toMatchObject({ p50: 9, max: 100 });
    expect(samples).toEqual([100, 9, 20, 3]);
  });

  test("one sample is every percentile; none gives zeros", () => {
    expect(percentiles([7.5])).toEqual({ count: 1, p50: 7.5, p95: 7.5, p99: 7.5, max: 7.5 });
    expect(percentiles([])).toEqual({ count: 0, p50: 0, p95: 0, p99: 0, max: 0 });
  });
});

/** A call from 0 to totalMs, its steps one after another. */
const timing = (totalMs: number, steps: [string, number][], label = "ok", error?: string): CallTiming => {
  let at = 0;
  return {
    startMs: 0,
    endMs: totalMs,
    totalMs,
    steps: steps.map(([name, ms]) => ({ name, startMs: (at += ms) - ms, ms })),
    label,
    ...(error === undefined ? {} : { error }),
  };
};

const run = {
  name: "dial",
  concurrency: 4,
  warmUpCalls: 2,
  startsPerSecond: null,
  limitMs: 200,
  elapsedMs: 2000,
  heldTogether: 3,
  notes: ["2-core runner"],
  timings: [
    timing(10, [
      ["check", 2],
      ["admit", 1],
    ]),
    timing(20, [["check", 4]], "rate_limited"),
    timing(
      30,
      [
        ["admit", 3],
        ["check", 6],
      ],
      "error",
      "boom",
    ),
    timing(40, [["check", 8]], "error", "boom"),
  ],
};

describe("summarise", () => {
  const report = summarise(run);

  test("keeps the run's settings and counts the calls and their rate", () => {
    expect(report).toMatchObject({
      name: "dial",
      concurrency: 4,
      warmUpCalls: 2,
      startsPerSecond: null,
      limitMs: 200,
      elapsedMs: 2000,
      heldTogether: 3,
      notes: ["2-core runner"],
      calls: 4,
      callsPerSecond: 2,
    });
    expect(report).not.toHaveProperty("timings");
  });

  test("counts labels and error messages", () => {
    expect(report.labels).toEqual({ ok: 1, rate_limited: 1, error: 2 });
    expect(report.errors).toEqual({ count: 2, messages: { boom: 2 } });
  });

  test("steps in the order first seen, each with its own samples; failed calls included", () => {
    expect(Object.keys(report.steps)).toEqual(["check", "admit"]);
    expect(report.steps.check).toEqual({ count: 4, p50: 4, p95: 8, p99: 8, max: 8 });
    expect(report.steps.admit).toEqual({ count: 2, p50: 1, p95: 3, p99: 3, max: 3 });
    expect(report.total).toEqual({ count: 4, p50: 20, p95: 40, p99: 40, max: 40 });
  });
});

describe("summarise: the timeline, per second of the run", () => {
  const call = (startMs: number, endMs: number, steps: [string, number, number][] = []): CallTiming => ({
    startMs,
    endMs,
    totalMs: steps.reduce((sum, [, , ms]) => sum + ms, 0),
    steps: steps.map(([name, at, ms]) => ({ name, startMs: at, ms })),
    label: "ok",
  });
  const report = summarise({
    ...run,
    timings: [
      call(100, 400, [
        ["check", 100, 5],
        ["admit", 105, 10],
      ]),
      // Held across seconds: its admit step started in second 1, so it counts there.
      call(900, 2500, [
        ["check", 900, 7],
        ["admit", 1100, 30],
      ]),
      call(1200, 1500), // ends as the next one starts: not two at once
      call(1500, 1510, [["check", 1500, 2]]),
      call(2999, 3000), // ends on the boundary: the run has a fourth second
    ],
  });

  test("one entry per second, up to the last call's end", () => {
    expect(report.timeline.map((s) => s.second)).toEqual([0, 1, 2, 3]);
  });

  test("the most calls in flight at one moment of each second, held ones included", () => {
    expect(report.timeline.map((s) => s.inFlight)).toEqual([1, 2, 1, 1]);
  });

  test("each step's percentiles in the second it started; a second without one leaves it out", () => {
    const [s0, s1, s2, s3] = report.timeline;
    expect(s0.steps).toEqual({
      check: { count: 2, p50: 5, p95: 7, p99: 7, max: 7 },
      admit: { count: 1, p50: 10, p95: 10, p99: 10, max: 10 },
    });
    expect(s1.steps).toEqual({
      admit: { count: 1, p50: 30, p95: 30, p99: 30, max: 30 },
      check: { count: 1, p50: 2, p95: 2, p99: 2, max: 2 },
    });
    expect(s2.steps).toEqual({});
    expect(s3.steps).toEqual({});
  });

  test("whole calls in the second they started; none gives a count of 0", () => {
    expect(report.timeline.map((s) => [s.total.count, s.total.max])).toEqual([
      [2, 37],
      [2, 2],
      [1, 0],
      [0, 0],
    ]);
  });

  test("no calls, no seconds", () => {
    expect(summarise({ ...run, timings: [] }).timeline).toEqual([]);
  });
});

describe("reportTable", () => {
  const report = summarise(run);
  const table = reportTable(report);
  const lines = table.split("\n");

  test("a heading, the run in one sentence, then the markdown table and the notes", () => {
    expect(lines[0]).toBe("### dial");
    expect(lines[2]).toBe(
      "4 calls (after 2 warm-up), at most 4 in flight, 3 held together, all started at once, " +
        "2.00 s, 2.0 calls/s, 2 errors. Calls by label: ok 1, rate_limited 1, error 2.",
    );
    expect(lines[4]).toBe("| step | count | p50 ms | p95 ms | p99 ms | max ms |");
    expect(lines[5]).toBe("| --- | ---: | ---: | ---: | ---: | ---: |");
    expect(lines.slice(6, 9)).toEqual([
      "| check | 4 | 4.0 | 8.0 | 8.0 | 8.0 |",
      "| admit | 2 | 1.0 | 3.0 | 3.0 | 3.0 |",
      "| **whole call** | 4 | 20.0 | 40.0 | 40.0 | 40.0 |",
    ]);
    expect(lines.slice(9)).toEqual(["", "- 2-core runner", ""]);
  });

  test("a paced run says its pace; no notes, no notes section", () => {
    const paced: LoadReport = { ...report, startsPerSecond: 50, notes: [] };
    const text = reportTable(paced);
    expect(text).toContain("started and released at 50/s, ");
    expect(text).not.toContain("all started at once");
    expect(text.endsWith("| **whole call** | 4 | 20.0 | 40.0 | 40.0 | 40.0 |\n")).toBe(true);
  });
});

describe("writeLoadReport", () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-report-"))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  test("writes <name>.json, <name>.svg and <name>.md, which links the picture, into a folder it creates", () => {
    const report = summarise(run);
    const target = path.join(dir, "nested", "reports");
    const written = writeLoadReport(report, target, "dial-1000");
    expect(written).toEqual({
      json: path.join(target, "dial-1000.json"),
      markdown: path.join(target, "dial-1000.md"),
      svg: path.join(target, "dial-1000.svg"),
    });
    expect(JSON.parse(readFileSync(written.json, "utf8"))).toEqual(report);
    expect(readFileSync(written.json, "utf8").endsWith("}\n")).toBe(true);
    expect(readFileSync(written.svg, "utf8")).toBe(loadChart(report));
    expect(readFileSync(written.markdown, "utf8")).toBe(
      `${reportTable(report)}\n![dial: p50, p95 and p99 per second, calls in flight](dial-1000.svg)\n`,
    );
  });

  test("the name defaults to 'load'", () => {
    const written = writeLoadReport(summarise(run), dir);
    expect(Object.values(written).map((file) => path.basename(file))).toEqual([
      "load.json",
      "load.md",
      "load.svg",
    ]);
  });
});
