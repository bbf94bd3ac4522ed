// The store-set allocator: one id per claim, never two holders, across claimers in one process and
// across processes, explicit ids included; a dead holder's ids come back.
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { lock } from "../../src/lock";
import { StoreSetError } from "../../src/errors";
import { StoreSets } from "../../src/store-sets";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-sets-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

const distinct = (ids: number[]) => new Set(ids).size === ids.length;

test("200 claimers at once get 200 different ids, the highest first", async () => {
  const sets = new StoreSets(dir);
  const ids = await Promise.all(Array.from({ length: 200 }, () => sets.claim()));
  expect(distinct(ids)).toBe(true);
  expect([...ids].sort((a, b) => b - a)).toEqual(Array.from({ length: 200 }, (_, i) => 512 - i));
});

test("a warm pool and files that build their own sets leave the small ids people name free", async () => {
  const pool = new StoreSets(dir);
  await Promise.all(Array.from({ length: 16 }, () => pool.claim())); // a runner's pool
  await Promise.all(Array.from({ length: 32 }, () => pool.claim())); // files with no prepared set
  expect(await pool.claim(1)).toBe(1);
  expect(await pool.claim(2)).toBe(2);
});

test("a released id is handed out again; the others stay held", async () => {
  const sets = new StoreSets(dir);
  const [a, b, c] = [await sets.claim(), await sets.claim(), await sets.claim()];
  await sets.release(b);
  expect(await sets.claim()).toBe(b);
  expect(Object.keys(sets.held()).map(Number).sort()).toEqual([a, b, c].sort());
});

test("an explicit id is claimed only when free, and only within the capacity", async () => {
  const sets = new StoreSets(dir, 10);
  expect(await sets.claim(7)).toBe(7);
  await expect(sets.claim(7)).rejects.toThrow(
    "campaign-testenv: store set 7 is in use by this process; leave storeSetId out to get a free one, or give another.",
  );
  // A free claim never takes an id held explicitly.
  const free = await Promise.all(Array.from({ length: 9 }, () => sets.claim()));
  expect(free).not.toContain(7);
  await expect(sets.claim(11)).rejects.toThrow(
    "storeSetId 11 is not a store set; give a whole number from 1 to 10",
  );
  await expect(sets.claim(0)).rejects.toBeInstanceOf(StoreSetError);
});

test("when every set is in use, the claim fails with the limit and the way out", async () => {
  const sets = new StoreSets(dir, 3);
  await Promise.all([sets.claim(), sets.claim(), sets.claim()]);
  await expect(sets.claim()).rejects.toThrow(
    "campaign-testenv: all 3 store sets are in use (by 1 processes); run with fewer runner workers (--maxWorkers) or fewer runs at once.",
  );
});

test("the ids of a process that died are taken back", async () => {
  const gone = spawnSync(process.execPath, ["-e", "process.exit(0)"]).pid!;
  writeFileSync(path.join(dir, "claims.json"), JSON.stringify({ 3: gone, 2: process.pid }));
  const sets = new StoreSets(dir, 3);
  expect(await sets.claim()).toBe(3);
  expect(await sets.claim()).toBe(1);
});

test("four processes and this one claiming at once never share an id", async () => {
  const hook = require.resolve("ts-node/register/transpile-only");
  const module = require.resolve("../../src/store-sets");
  // Each child claims 40 ids at once, prints them, and holds them until its stdin closes.
  const child = `
    const { StoreSets } = require(${JSON.stringify(module)});
    const sets = new StoreSets(${JSON.stringify(dir)});
    Promise.all(Array.from({ length: 40 }, () => sets.claim())).then((ids) => {
      process.stdout.write(JSON.stringify(ids) + "\\n");
      process.stdin.resume();
    });`;
  const children = Array.from({ length: 4 }, () =>
    spawn(process.execPath, ["-r", hook, "-e", child], { stdio: ["pipe", "pipe", "inherit"] }),
  );
  const printed = children.map(
    (c) =>
      new Promise<number[]>((resolve) => {
        let out = "";
        c.stdout.on("data", (chunk: Buffer) => {
          out += chunk.toString();
          if (out.endsWith("\n")) resolve(JSON.parse(out) as number[]);
        });
      }),
  );
  const sets = new StoreSets(dir);
  const mine = await Promise.all(Array.from({ length: 40 }, () => sets.claim()));
  const theirs = await Promise.all(printed);
  try {
    const all = [...mine, ...theirs.flat()];
    expect(all).toHaveLength(200);
    expect(distinct(all)).toBe(true);
    expect(new Set(Object.values(sets.held())).size).toBe(5); // five live holders
  } finally {
    for (const c of children) c.stdin.end();
  }
}, 60_000);

test("a lock a live process keeps holding ends the wait with a sentence, not a raw error", async () => {
  const held = await lock(path.join(dir, "claims.json"), 0);
  try {
    await expect(new StoreSets(dir, 512, 2000).claim()).rejects.toThrow(
      /^campaign-testenv: waited 2 s for the store-set allocator's lock .*claims\.json\.lock, which a live process holds; if no campaign-testenv run is going on, remove that folder and run again\.$/,
    );
  } finally {
    held!();
  }
}, 30_000);
