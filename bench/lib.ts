// Small helpers the benchmark shares: timing, statistics, shelling out, container memory.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import type { ContainerStats } from "dockerode";
import { docker } from "../src/docker";
import { percentiles } from "../src/load";

export const run = promisify(execFile);

/** How start-once.ts marks its result line. */
export const RESULT_PREFIX = "BENCH_RESULT ";
/** How long containers sit idle after startup before their memory is read. */
export const IDLE_SETTLE_MS = 5000;

/** `list` started at its i-th entry: a rotating order, so that no side always runs on a machine another just warmed or loaded. */
export const rotate = <T>(list: readonly T[], i: number): T[] =>
  list.map((_, k) => list[(((k + i) % list.length) + list.length) % list.length]);

/** Milliseconds taken by fn, and its result. */
export async function timed<T>(fn: () => Promise<T>): Promise<{ ms: number; value: T }> {
  const started = performance.now();
  const value = await fn();
  return { ms: performance.now() - started, value };
}

export interface Summary {
  count: number;
  median: number;
  p95: number;
  min: number;
  max: number;
}

/** Nearest-rank statistics, the same ones the load reports use. */
export function summary(samples: number[]): Summary {
  const { count, p50, p95, max } = percentiles(samples);
  return { count, median: p50, p95, min: Math.min(...samples), max };
}

/** Sum of the memory `docker stats` shows for these containers right now, in MiB, read from the engine. */
export async function containersMemoryMiB(
  ids: string[],
): Promise<{ totalMiB: number; each: Record<string, number> }> {
  const engine = await docker();
  const stats = await Promise.all(
    // One sample, at once: without one-shot the engine waits for a second one (for CPU deltas).
    ids.map((id) => engine.getContainer(id).stats({ stream: false, "one-shot": true })),
  );
  const each: Record<string, number> = {};
  for (const [i, stat] of stats.entries()) {
    each[stat.name?.replace(/^\//, "") ?? ids[i]] = memoryUsageBytes(stat.memory_stats, ids[i]) / 2 ** 20;
  }
  const totalMiB = Object.values(each).reduce((a, b) => a + b, 0);
  return { totalMiB, each };
}

/**
 * A container's memory as `docker stats` shows it under MEM USAGE: the engine reports the cgroup's
 * whole usage, page cache included, and the docker CLI subtracts the cache the kernel can drop at
 * once, the inactive file pages (its calculateMemUsageUnixNoCache): `total_inactive_file` on cgroup
 * v1, else `inactive_file` (cgroup v2), whichever is present and below the usage.
 */
export function memoryUsageBytes(memory: ContainerStats["memory_stats"], id: string): number {
  const { usage, stats } = memory;
  if (usage === undefined || stats === undefined) {
    throw new Error(`bench: the engine gives no memory statistics for container ${id}: is it running?`);
  }
  const v1 = stats.total_inactive_file;
  if (v1 !== undefined && v1 < usage) return usage - v1;
  const v2 = stats.inactive_file ?? 0;
  return v2 < usage ? usage - v2 : usage;
}

/** Ids of the running containers carrying a label (key=value). */
export async function containersLabelled(label: string): Promise<string[]> {
  const engine = await docker();
  return (await engine.listContainers({ filters: { label: [label] } })).map((c) => c.Id);
}
