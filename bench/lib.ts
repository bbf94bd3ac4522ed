// Small helpers the benchmark shares: timing, statistics, shelling out, container memory.
import { execFile } from "node:child_process";
import { promisify } from "node:util";
import { percentiles } from "../src/load";

export const run = promisify(execFile);

/** How start-once.ts marks its result line. */
export const RESULT_PREFIX = "BENCH_RESULT ";
/** How long containers sit idle after startup before their memory is read. */
export const IDLE_SETTLE_MS = 5000;

export const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

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

/** Sum of the memory Docker reports for these containers right now, in MiB. */
export async function containersMemoryMiB(
  ids: string[],
): Promise<{ totalMiB: number; each: Record<string, number> }> {
  if (ids.length === 0) return { totalMiB: 0, each: {} };
  const { stdout } = await run("docker", ["stats", "--no-stream", "--format", "{{json .}}", ...ids]);
  const each: Record<string, number> = {};
  for (const line of stdout.trim().split("\n")) {
    const stat = JSON.parse(line) as { Name: string; MemUsage: string };
    each[stat.Name] = toMiB(stat.MemUsage.split("/")[0].trim());
  }
  const totalMiB = Object.values(each).reduce((a, b) => a + b, 0);
  return { totalMiB, each };
}

function toMiB(size: string): number {
  const match = /^([\d.]+)\s*([KMGT]?i?B)$/i.exec(size);
  if (!match) throw new Error(`cannot read the memory size "${size}" from docker stats`);
  const factor: Record<string, number> = {
    B: 1 / 2 ** 20,
    KIB: 1 / 1024,
    MIB: 1,
    GIB: 1024,
    KB: 1 / 1024,
    MB: 1,
    GB: 1024,
  };
  return Number(match[1]) * (factor[match[2].toUpperCase()] ?? NaN);
}

/** Ids of the running containers carrying a label (key=value). */
export async function containersLabelled(label: string): Promise<string[]> {
  const { stdout } = await run("docker", ["ps", "-q", "--filter", `label=${label}`]);
  return stdout.split("\n").filter(Boolean);
}
