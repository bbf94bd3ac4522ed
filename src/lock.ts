// A lock shared by the processes of one machine (the store-set allocator's, reuse mode's). A lock is a
// folder `${path}.lock` made atomically by mkdir, holding its holder's pid; releasing removes it. A
// holder that died (a killed run) leaves its folder behind, and the next taker takes it over. No exit
// or signal handler anywhere: the package adds none to a test file's process (proper-lockfile did).
import { mkdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { randomToken } from "./random";

/** True while the process `pid` runs (EPERM: it runs, as another user). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === "EPERM";
  }
}

/** A lock folder with no pid yet, for longer than this: its taker died between mkdir and writing it. */
const UNWRITTEN_MS = 5_000;

/** The pid holding the lock folder `dir`, or undefined when it has none (yet). */
function holderOf(dir: string): number | undefined {
  try {
    return Number(readFileSync(`${dir}/pid`, "utf8")) || undefined;
  } catch {
    return undefined;
  }
}

/** Whether the lock folder `dir` belongs to nobody alive. */
function abandoned(dir: string): boolean {
  const holder = holderOf(dir);
  if (holder !== undefined) return !isAlive(holder);
  const made = statSync(dir, { throwIfNoEntry: false })?.mtimeMs;
  return made !== undefined && Date.now() - made > UNWRITTEN_MS;
}

/**
 * Moves an abandoned lock aside, then removes it. The rename is atomic, so of two takers that found it
 * abandoned one moves it; should the other then move a fresh lock (the first's, made meanwhile), it
 * sees a live holder in what it moved and puts it back.
 */
function takeOver(dir: string): void {
  const aside = `${dir}.abandoned-${randomToken(8)}`;
  try {
    renameSync(dir, aside);
  } catch {
    return; // another taker moved it first
  }
  if (!abandoned(aside)) {
    try {
      renameSync(aside, dir);
      return;
    } catch {
      // a third taker made a lock meanwhile; this one's holder finds its lock gone at release: harmless
    }
  }
  rmSync(aside, { recursive: true, force: true });
}

/**
 * Takes the lock `path`, waiting up to `waitMs` while a live process holds it; returns its release, or
 * undefined when it is still held after that long.
 */
export async function lock(path: string, waitMs: number): Promise<(() => void) | undefined> {
  const dir = `${path}.lock`;
  const deadline = performance.now() + waitMs;
  for (let pause = 2; ; pause = Math.min(pause * 2, 100)) {
    try {
      mkdirSync(dir, { mode: 0o700 });
      writeFileSync(`${dir}/pid`, String(process.pid));
      return () => rmSync(dir, { recursive: true, force: true });
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== "EEXIST") throw error;
    }
    if (abandoned(dir)) {
      takeOver(dir);
      continue;
    }
    if (performance.now() > deadline) return undefined;
    await sleep(pause);
  }
}
