import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isAlive } from "./context";
import { docker } from "./docker";
import { packageRoot } from "./paths";
import { type ResolvedOptions, serviceSettings } from "./options";
import type { ServiceRun } from "./service";
import { type ServiceName, service } from "./services";

/** Where reuse mode remembers each running service: its container and its context (credentials included). */
const reuseDir = () =>
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "campaign-testenv", "reuse");

/** Containers kept per service: the most recently used input sets (e.g. two branches' migrations). */
export const REUSE_KEEP = 2;

const { version } = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  version: string;
};

interface ReuseRecord {
  containerId: string;
  context: Record<string, unknown>;
}

/** Everything a service's container depends on: its own inputs, its peers' and this package's version. */
export function reuseInputs(name: ServiceName, options: ResolvedOptions): string {
  const settings = serviceSettings(options, name);
  const peers = (service(name).peers?.(settings) ?? []) as ServiceName[];
  const fingerprint = (of: ServiceName) => service(of).fingerprint(serviceSettings(options, of));
  return [version, fingerprint(name), ...peers.map(fingerprint)].join("\n");
}

const readRecord = (file: string): ReuseRecord | undefined => {
  try {
    return JSON.parse(readFileSync(file, "utf8")) as ReuseRecord;
  } catch {
    return undefined;
  }
};

/** The record files, newest use first; of one service, or of all. */
export function reuseRecords(name?: ServiceName): { file: string; service: string; record?: ReuseRecord }[] {
  let files: string[];
  try {
    files = readdirSync(reuseDir()).filter((f) => f.endsWith(".json") && (!name || f.startsWith(`${name}-`)));
  } catch {
    return [];
  }
  return files
    .map((f) => path.join(reuseDir(), f))
    .map((file) => ({ file, mtime: statSync(file).mtimeMs }))
    .sort((a, b) => b.mtime - a.mtime)
    .map(({ file }) => ({ file, service: path.basename(file).split("-")[0], record: readRecord(file) }));
}

const readPid = (file: string): number | undefined => {
  try {
    return Number(readFileSync(file, "utf8")) || undefined;
  } catch {
    return undefined; // not written yet, or released meanwhile
  }
};

/**
 * One reuse-mode start of a service at a time across processes: an atomic mkdir; returns its release.
 * A lock whose holder died (its pid is gone) is taken over.
 */
async function lock(name: ServiceName, timeoutMs: number): Promise<() => void> {
  mkdirSync(reuseDir(), { recursive: true, mode: 0o700 });
  const dir = path.join(reuseDir(), `${name}.lock`);
  const release = () => rmSync(dir, { recursive: true, force: true });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      mkdirSync(dir);
      writeFileSync(path.join(dir, "pid"), String(process.pid));
      return release;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    const holder = readPid(path.join(dir, "pid"));
    const age = Date.now() - (statSync(dir, { throwIfNoEntry: false })?.mtimeMs ?? Date.now());
    if (holder ? !isAlive(holder) : age > 10_000) {
      release(); // its holder died; whoever mkdirs first takes it
    } else if (Date.now() > deadline) {
      throw new Error(
        `another run (pid ${holder}) has been starting ${name} for over ${timeoutMs} ms; wait for it, or remove ${dir} if no such run is going`,
      );
    } else {
      await new Promise((resolve) => setTimeout(resolve, 200));
    }
  }
}

/**
 * Reuse mode: hands back the container a previous run left running for this service, if its inputs
 * (image, migrations, specs, this package's version) hash the same and it answers a health check;
 * otherwise removes the stale one and starts afresh. A changed migration thus rebuilds PostgreSQL only.
 * Concurrent runs take turns per service, so they share one container; at most REUSE_KEEP are kept.
 */
export async function startOrReuse(
  name: ServiceName,
  run: ServiceRun,
  options: ResolvedOptions,
): Promise<Record<string, unknown>> {
  const entry = service(name);
  const hash = await run.step("hashing its inputs", async () =>
    createHash("sha256").update(reuseInputs(name, options)).digest("hex").slice(0, 16),
  );
  const file = path.join(reuseDir(), `${name}-${hash}.json`);
  // Waiting may last as long as another run's start of the same service.
  const release = await run.step("waiting for another run starting it", () =>
    lock(name, options.startupTimeoutMs + 30_000),
  );
  try {
    const record = readRecord(file);
    const engine = await docker();
    if (record) {
      const { containerId, context } = record;
      const reusable = await run.step("checking the running container", async () => {
        const running = await engine
          .getContainer(containerId)
          .inspect()
          .then(
            (c) => c.State.Running,
            () => false,
          );
        return (
          running &&
          entry.check(context, 5000).then(
            () => true,
            () => false,
          )
        );
      });
      if (reusable) {
        run.reused = true;
        run.containerId = containerId;
        const now = new Date();
        utimesSync(file, now, now); // most recently used: kept longest
        return context;
      }
      await engine
        .getContainer(containerId)
        .remove({ force: true, v: true })
        .catch(() => undefined);
    }
    const context = await entry.start(run);
    writeFileSync(file, JSON.stringify({ containerId: run.containerId, context }), { mode: 0o600 });
    // Superseded input sets (older migrations...): their containers go, but the newest REUSE_KEEP.
    for (const old of reuseRecords(name).slice(REUSE_KEEP)) {
      if (old.record) {
        await engine
          .getContainer(old.record.containerId)
          .remove({ force: true, v: true })
          .catch(() => undefined);
      }
      rmSync(old.file, { force: true });
    }
    return context;
  } finally {
    release();
  }
}

/** Removes the records whose container the engine no longer has (after prune, or a removal by hand). */
export async function removeStaleRecords(): Promise<string[]> {
  const engine = await docker();
  const removed: string[] = [];
  for (const { file, record } of reuseRecords()) {
    const exists = record
      ? await engine
          .getContainer(record.containerId)
          .inspect()
          .then(
            () => true,
            () => false,
          )
      : false;
    if (!exists) {
      rmSync(file, { force: true });
      removed.push(file);
    }
  }
  return removed;
}
