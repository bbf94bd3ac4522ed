// The warm pool of worker stores (IntegreSQL's idea, for every service): the runner's parent process
// prepares numbered store sets (a cloned database, a Mongo database, a Redis db, an AWS account...)
// ahead of need; a test file claims a ready set in a few milliseconds, and gives it back dirty when it
// closes; the parent then prepares that set again in the background.
//
// The slots are files in the run's folder, and a file's name is its state: `ready-N.json` (holding
// what the prepare step returned), `taken-N.json`, `dirty-N.json`. A claim is a rename of a ready
// file, which exactly one process can win; no other coordination is needed.
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import path from "node:path";

/** What preparing a slot gave each service (JSON), which connecting to it needs. */
export type Prepared = Record<string, unknown>;

export interface Claim {
  slot: number;
  prepared: Prepared;
  /** Gives the slot back to be prepared again. */
  release(): void;
}

/** The warm pool of a run whose context file is `contextFile`: a folder beside it. */
export const poolDir = (contextFile: string): string => path.join(path.dirname(contextFile), "pool");

const SLOT_FILE = /^(ready|taken|dirty)-(\d+)\.json$/;

const slotsIn = (dir: string, state: string): number[] =>
  readdirSync(dir)
    .map((name) => SLOT_FILE.exec(name))
    .filter((m): m is RegExpExecArray => m !== null && m[1] === state)
    .map((m) => Number(m[2]))
    .sort((a, b) => a - b);

const file = (dir: string, state: string, slot: number) => path.join(dir, `${state}-${slot}.json`);

/** Takes a ready slot, if there is one. Never blocks; two processes never get the same slot. */
export function claimSlot(dir: string): Claim | undefined {
  for (const slot of slotsIn(dir, "ready")) {
    const taken = file(dir, "taken", slot);
    try {
      renameSync(file(dir, "ready", slot), taken);
    } catch {
      continue; // another process claimed it first
    }
    const prepared = JSON.parse(readFileSync(taken, "utf8")) as Prepared;
    return { slot, prepared, release: () => renameSync(taken, file(dir, "dirty", slot)) };
  }
  return undefined;
}

/**
 * Keeps `size` slots ready: prepares each once, then every slot that comes back dirty, one at a time
 * (the machine is running tests meanwhile). `prepare` returns what a claim will read.
 */
export function keepPool(
  dir: string,
  slots: number[],
  prepare: (slot: number) => Promise<Prepared>,
  onError: (error: unknown) => void,
): { stop(): Promise<void> } {
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  let stopped = false;
  const ready = (slot: number, prepared: Prepared) => {
    const tmp = file(dir, "preparing", slot);
    writeFileSync(tmp, JSON.stringify(prepared), { mode: 0o600 });
    renameSync(tmp, file(dir, "ready", slot)); // whole or not at all, for a claim that reads it
  };
  const loop = (async () => {
    for (const slot of slots) {
      if (stopped) return;
      ready(slot, await prepare(slot));
    }
    while (!stopped) {
      const [slot] = slotsIn(dir, "dirty");
      if (slot === undefined) {
        await new Promise((resolve) => setTimeout(resolve, 25));
        continue;
      }
      rmSync(file(dir, "dirty", slot));
      ready(slot, await prepare(slot));
    }
  })().catch(onError);
  return {
    async stop() {
      stopped = true;
      await loop;
    },
  };
}
