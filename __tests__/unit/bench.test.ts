import type { ContainerStats } from "dockerode";
import { memoryUsageBytes } from "../../bench/lib";

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
