// The warm pool of store sets (IntegreSQL's idea, for every service): the runner's parent process
// claims a few store-set ids from the allocator and prepares those sets (a cloned database, a Mongo
// database, a Redis db, an AWS account...) ahead of need; a test file claims a ready set in a few
// milliseconds, and gives it back dirty when it closes; the parent then prepares it again.
//
// The sets are files in the run's folder, and a file's name is its state: `pending-N` (being prepared),
// `ready-N.json` (holding what the prepare step returned), `taken-N.json`, `dirty-N.json`. A claim is a
// rename of a ready file, which exactly one process can win; no other coordination is needed. A test
// file that finds none ready may wait for a pending one (`waiting-*` files count those waiting).
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";
import { setTimeout as sleep } from "node:timers/promises";
import { randomToken } from "./random";
import type { ServicePrepared } from "./services";

/** What preparing a set gave each service (JSON), which connecting to it needs. */
export type Prepared = Partial<ServicePrepared>;

export interface Claim<P = Prepared> {
  /** The store set's id. */
  id: number;
  prepared: P;
  /** Gives the set back to be prepared again. */
  release(): void;
}

const SET_FILE = /^(pending|ready|taken|dirty)-(\d+)(?:\.json)?$/;

const setsIn = (dir: string, state: string): number[] =>
  readdirSync(dir)
    .map((name) => SET_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === state)
    .map((m) => Number(m[2]))
    .sort((a, b) => a - b);

const file = (dir: string, state: string, id: number) =>
  path.join(dir, state === "pending" ? `pending-${id}` : `${state}-${id}.json`);

/** Takes a ready set, if there is one. Never blocks; two processes never get the same set. */
export function claimFromPool<P = Prepared>(dir: string): Claim<P> | undefined {
  let ready: number[];
  try {
    ready = setsIn(dir, "ready");
  } catch {
    return undefined; // no pool (yet)
  }
  for (const id of ready) {
    const taken = file(dir, "taken", id);
    try {
      renameSync(file(dir, "ready", id), taken);
    } catch {
      continue; // another process claimed it first
    }
    const prepared = JSON.parse(readFileSync(taken, "utf8")) as P;
    return { id, prepared, release: () => renameSync(taken, file(dir, "dirty", id)) };
  }
  return undefined;
}

/** At most this many test files wait for the pool's pending sets at once; the others prepare their own. */
const WAITING_SLOTS = 2;
/** A wait for a pending set ends after this long (a keeper that stopped): the file prepares its own. */
const WAIT_MS = 3000;

/**
 * A set the pool is preparing, once it is ready; undefined, at once, when the pool prepares none or
 * enough files wait for its pending ones already. A set the pool has nearly done comes sooner than one
 * prepared from scratch beside the pool's own work: the first test files of a run, which arrive as the
 * pool starts, waited a second for their own here, against a third of that for the pool's.
 */
export async function awaitPoolSet<P = Prepared>(dir: string): Promise<Claim<P> | undefined> {
  let waiting: number;
  let pending: number;
  try {
    waiting = readdirSync(dir).filter((name) => name.startsWith("waiting-")).length;
    pending = setsIn(dir, "pending").length;
  } catch {
    return undefined; // no pool
  }
  if (waiting >= Math.min(pending, WAITING_SLOTS)) return undefined;
  const marker = path.join(dir, `waiting-${process.pid}-${randomToken(6)}`);
  writeFileSync(marker, "");
  try {
    const deadline = performance.now() + WAIT_MS;
    while (performance.now() < deadline) {
      const claim = claimFromPool<P>(dir);
      if (claim) return claim;
      await sleep(20);
    }
    return undefined;
  } finally {
    rmSync(marker, { force: true });
  }
}

/** Failed prepares in a row after which the keeper gives up: the service is gone, not just slow. */
export const POOL_FAILURES = 5;
const RETRY_PAUSE_MS = 1000;

/**
 * Keeps the store sets `ids` ready: prepares each once, then every one that comes back dirty, one at
 * a time (the machine is running tests meanwhile). `prepare` returns what a claim will read. A failed
 * prepare leaves its set dirty, to be prepared again a second later: a busy machine, or a test file
 * that blocks this process (a runner runs files in its parent when it has one worker), can make one
 * time out. After POOL_FAILURES in a row, the keeper stops and calls `onError` with the last failure;
 * test files then prepare their own sets.
 */
export function keepPool<P = Prepared>(
  dir: string,
  ids: number[],
  prepare: (id: number) => Promise<P>,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let stopped = false;
  let failures = 0;
  const ready = async (id: number) => {
    let prepared: P;
    writeFileSync(file(dir, "pending", id), "");
    try {
      prepared = await prepare(id);
    } catch (error) {
      rmSync(file(dir, "pending", id), { force: true });
      if (++failures >= POOL_FAILURES) throw error;
      writeFileSync(file(dir, "dirty", id), "");
      await sleep(RETRY_PAUSE_MS);
      return;
    }
    failures = 0;
    const tmp = file(dir, "preparing", id);
    writeFileSync(tmp, JSON.stringify(prepared), { mode: 0o600 });
    renameSync(tmp, file(dir, "ready", id)); // whole or not at all, for a claim that reads it
    rmSync(file(dir, "pending", id), { force: true });
  };
  const loop = (async () => {
    for (const id of ids) {
      if (stopped) return;
      await ready(id);
    }
    while (!stopped) {
      const [id] = setsIn(dir, "dirty");
      if (id === undefined) {
        await sleep(25);
        continue;
      }
      rmSync(file(dir, "dirty", id));
      await ready(id);
    }
  })().catch(onError);
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
