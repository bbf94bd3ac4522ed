import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { ContainerStats } from "dockerode";
import { memoryUsageBytes } from "../../bench/lib";
import { selectedSections } from "../../bench/run";
import { onlyCollisionsFailed, readSuiteLog, type SuiteEntry } from "../../bench/runs";
import { medianTimeline } from "../../bench/sections/startup";
import { collisionsOf } from "../../bench/suite/reference";
import { ms, type Row, table, times } from "../../bench/table";

// What the engine's stats API reports, in part: usage, and the memory.stat entries the CLI reads.
const memory = (usage: number | undefined, stats?: Record<string, number>) =>
  ({ usage, stats }) as unknown as ContainerStats["memory_stats"];

describe("memoryUsageBytes: MEM USAGE as docker stats computes it", () => {
  test("cgroup v2: the usage minus the inactive file pages", () => {
    expect(memoryUsageBytes(memory(100_000, { inactive_file: 30_000, active_file: 5_000 }), "c")).toBe(
      70_000,
    );
  });

  test("cgroup v1: the usage minus the hierarchy's inactive file pages (total_inactive_file)", () => {
    const stats = { total_inactive_file: 40_000, inactive_file: 10_000, cache: 60_000 };
    expect(memoryUsageBytes(memory(100_000, stats), "c")).toBe(60_000);
  });

  test("a cache not below the usage is not subtracted", () => {
    expect(memoryUsageBytes(memory(100_000, { inactive_file: 100_000 }), "c")).toBe(100_000);
    expect(
      memoryUsageBytes(memory(100_000, { total_inactive_file: 200_000, inactive_file: 1_000 }), "c"),
    ).toBe(99_000);
  });

  test("no statistics (a stopped container): an error naming it", () => {
    expect(() => memoryUsageBytes(memory(undefined), "0123abcd")).toThrow(
      "bench: the engine gives no memory statistics for container 0123abcd: is it running?",
    );
  });
});

describe("the table", () => {
  test("every column padded to its widest cell, met as yes / NO / empty", () => {
    const rows: Row[] = [
      ["startup, reuse (median)", "168.5 ms", "< 100 ms", false],
      ["a", "1.00 s", "report", undefined],
      ["b", "2 MiB", "< 3 MiB", true],
    ];
    expect(table(rows).split("\n")).toEqual([
      "| what                    | measured | target   | met |",
      "| ----------------------- | -------- | -------- | --- |",
      "| startup, reuse (median) | 168.5 ms | < 100 ms | NO  |",
      "| a                       | 1.00 s   | report   |     |",
      "| b                       | 2 MiB    | < 3 MiB  | yes |",
    ]);
  });

  test("milliseconds below a second, seconds from one; ratios with two decimals", () => {
    expect([ms(0.25), ms(999.94), ms(1000), ms(12_345)]).toEqual(["0.3 ms", "999.9 ms", "1.00 s", "12.35 s"]);
    expect(times(6900, 5000)).toBe("1.38x");
  });
});

describe("BENCH_ONLY", () => {
  test("every section in run order when unset; the named ones, still in run order, when set", () => {
    expect(selectedSections("")).toEqual([
      "startup",
      "reuse",
      "reset",
      "store-sets",
      "load",
      "suite",
      "recipe",
      "runners",
    ]);
    expect(selectedSections(" runners, startup ")).toEqual(["startup", "runners"]);
  });

  test("a name that is no section: an error listing them", () => {
    expect(() => selectedSections("reuse,floors")).toThrow(
      "bench: BENCH_ONLY names no section floors; choose from startup, reuse, reset, store-sets, load, suite, recipe, runners.",
    );
  });
});

describe("collisions in the reference suite", () => {
  test("a read is a collision when it holds another file's data or lacks this file's own write", () => {
    expect(
      collisionsOf({
        postgres: { read: ["file01@example.test"], own: ["file01@example.test"] },
        mongo: { read: ["file02", "file01"], own: ["file01"] }, // another file's document
        redis: { read: ["file02"], own: ["file01"] }, // another file's value
        sqs: { read: [], own: ["file01"] }, // its own message taken
      }),
    ).toEqual(["mongo", "redis", "sqs"]);
  });

  describe("a failed Jest run is measured only when its failures are exactly the tests that collided", () => {
    let dir: string;
    beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-bench-"))));
    afterEach(() => rmSync(dir, { recursive: true, force: true }));

    const report = (failed: string[], runtimeErrors = 0) => {
      const file = path.join(dir, "jest.json");
      const assertionResults = ["file01", "file02", "file03"].map((file) => ({
        title: `${file}: a write and a read in each store`,
        status: failed.includes(file) ? "failed" : "passed",
      }));
      writeFileSync(
        file,
        JSON.stringify({ numRuntimeErrorTestSuites: runtimeErrors, testResults: [{ assertionResults }] }),
      );
      return file;
    };
    const log = (lines: SuiteEntry[]) => {
      const file = path.join(dir, "log.jsonl");
      writeFileSync(file, lines.map((l) => JSON.stringify(l)).join("\n") + "\n");
      return readSuiteLog(file);
    };
    const entries = () =>
      log([
        { file: "file02", firstTestAt: 20, collisions: ["sqs"] },
        { file: "file01", firstTestAt: 10, collisions: [] },
        { file: "file03", firstTestAt: 30, collisions: ["postgres", "mongo"] },
      ]);

    test("the log is read in the order the files started", () => {
      expect(entries().map((e) => e.file)).toEqual(["file01", "file02", "file03"]);
    });

    test("failures all in tests that collided: measured", () => {
      expect(onlyCollisionsFailed(report(["file02", "file03"]), entries())).toBe(true);
      expect(onlyCollisionsFailed(report(["file03"]), entries())).toBe(true);
    });

    test("a failure in a test that did not collide, a file that did not run, no report, none failed: thrown", () => {
      expect(onlyCollisionsFailed(report(["file01", "file02"]), entries())).toBe(false);
      expect(onlyCollisionsFailed(report(["file02"], 1), entries())).toBe(false);
      expect(onlyCollisionsFailed(path.join(dir, "none.json"), entries())).toBe(false);
      expect(onlyCollisionsFailed(report([]), entries())).toBe(false);
    });
  });
});

describe("a cold start's timeline in the median", () => {
  const step = (name: string, startMs: number, ms: number) => ({ name, startMs, ms });
  test("each time and each step over the runs that had it, the steps in the order they began", () => {
    const runs = [
      { createdMs: 100, runningMs: 300, readyMs: 2000, steps: [step("b", 500, 40), step("a", 10, 400)] },
      { createdMs: 700, runningMs: 900, readyMs: 2600, steps: [step("a", 20, 900), step("pulling", 5, 3)] },
      { createdMs: 200, runningMs: 400, readyMs: 2200, steps: [step("a", 30, 500), step("b", 600, 60)] },
    ];
    expect(medianTimeline(runs)).toEqual({
      createdMs: 200,
      runningMs: 400,
      readyMs: 2200,
      outsideMs: 1640, // the median of each run's own: 2000 - 440, 2600 - 903, 2200 - 560
      steps: [step("pulling", 5, 3), step("a", 20, 500), step("b", 500, 40)],
    });
  });
});
