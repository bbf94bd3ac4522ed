// The one allocator of store-set ids. Every process that uses the same containers (a runner's parent
// and its test files; two runs sharing reuse-mode containers; `campaign-testenv up` and the runs that
// use it) claims ids from one folder: a claims file guarded by a lock, so a claim is atomic across
// processes. An id is never derived from a runner's worker id. A claim whose process is gone (killed)
// is taken back by the next claimer; its store set is prepared afresh anyway.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from "node:fs";
import path from "node:path";
import { StoreSetError } from "./errors";
import { isAlive, lock } from "./lock";
import { STORE_SET_CAPACITY } from "./service";

/** Store-set id -> the pid of the process holding it. */
type Claims = Record<string, number>;

/** The lock is held for a read and a write; a wait this long means its holder is stuck. */
const LOCK_WAIT_MS = 30_000;

/** Claims in one process queue here first, by folder: they then take the file lock one at a time, not in a race. */
const inProcess = new Map<string, Promise<unknown>>();

export class StoreSets {
  private readonly file: string;

  constructor(
    /** The folder shared by every process using the same containers. */
    readonly dir: string,
    readonly capacity = STORE_SET_CAPACITY,
    private readonly lockWaitMs = LOCK_WAIT_MS,
  ) {
    this.file = path.join(dir, "claims.json");
  }

  /**
   * Claims the highest free id for this process, or exactly `id` (which must be free). Handed-out ids
   * count down from the capacity, so that the small ids people name (`storeSetId: 1`) stay free for
   * them. Throws a StoreSetError when every set is in use or `id` is someone else's.
   */
  async claim(id?: number): Promise<number> {
    if (id !== undefined && !(Number.isInteger(id) && id >= 1 && id <= this.capacity)) {
      throw new StoreSetError(
        `campaign-testenv: storeSetId ${id} is not a store set; give a whole number from 1 to ${this.capacity}, or leave it out to get a free one.`,
      );
    }
    return this.update((claims) => {
      const chosen = id ?? this.highestFree(claims);
      if (chosen === undefined) {
        throw new StoreSetError(
          `campaign-testenv: all ${this.capacity} store sets are in use (by ${new Set(Object.values(claims)).size} ` +
            `processes); run with fewer runner workers (--maxWorkers) or fewer runs at once.`,
        );
      }
      const holder = claims[chosen];
      if (holder !== undefined) {
        const who = holder === process.pid ? "this process" : `process ${holder}`;
        throw new StoreSetError(
          `campaign-testenv: store set ${chosen} is in use by ${who}; leave storeSetId out to get a free one, or give another.`,
        );
      }
      claims[chosen] = process.pid;
      return chosen;
    });
  }

  /** Gives `id` back. */
  async release(id: number): Promise<void> {
    await this.update((claims) => {
      delete claims[id];
    });
  }

  /** The ids held now, by pid (for tests and diagnostics). */
  held(): Claims {
    return this.read();
  }

  private highestFree(claims: Claims): number | undefined {
    for (let id = this.capacity; id >= 1; id--) if (claims[id] === undefined) return id;
    return undefined;
  }

  private read(): Claims {
    try {
      return JSON.parse(readFileSync(this.file, "utf8")) as Claims;
    } catch {
      return {}; // none yet
    }
  }

  /** Reads the claims under the lock (dropping those of dead processes), applies `change`, writes them. */
  private update<T>(change: (claims: Claims) => T): Promise<T> {
    const turn = (inProcess.get(this.dir) ?? Promise.resolve()).then(() => this.locked(change));
    const settled = turn.catch(() => undefined);
    inProcess.set(this.dir, settled);
    void settled.then(() => inProcess.get(this.dir) === settled && inProcess.delete(this.dir));
    return turn;
  }

  private async locked<T>(change: (claims: Claims) => T): Promise<T> {
    mkdirSync(this.dir, { recursive: true, mode: 0o700 });
    const unlock = await lock(this.file, this.lockWaitMs);
    if (!unlock) {
      throw new StoreSetError(
        `campaign-testenv: waited ${this.lockWaitMs / 1000} s for the store-set allocator's lock ` +
          `${this.file}.lock, which a live process holds; if no campaign-testenv run is going on, remove that ` +
          `folder and run again.`,
      );
    }
    try {
      const claims = Object.fromEntries(Object.entries(this.read()).filter(([, pid]) => isAlive(pid)));
      const result = change(claims);
      // Whole or not at all, for `held` reading it without the lock.
      writeFileSync(`${this.file}.tmp`, JSON.stringify(claims), { mode: 0o600 });
      renameSync(`${this.file}.tmp`, this.file);
      return result;
    } finally {
      unlock();
    }
  }
}
