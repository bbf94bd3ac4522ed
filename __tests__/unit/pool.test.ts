import { mkdtempSync, readdirSync, rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { awaitPoolSet, claimFromPool, keepPool } from "../../src/pool";

let dir: string;
beforeEach(
  () => (dir = path.join(mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-pool-")), "pool")),
);
afterEach(() => rmSync(path.dirname(dir), { recursive: true, force: true }));

const until = async (condition: () => boolean) => {
  for (let i = 0; i < 800 && !condition(); i++) await new Promise((resolve) => setTimeout(resolve, 10));
  expect(condition()).toBe(true);
};

test("store sets are prepared ahead, claimed once each, and prepared again when given back", async () => {
  const prepared: number[] = [];
  const keeper = keepPool(
    dir,
    [21, 22],
    async (id) => {
      prepared.push(id);
      return { postgres: null, aws: { id, round: prepared.length } };
    },
    (error) => {
      throw error;
    },
  );
  await until(() => readdirSync(dir).filter((f) => f.startsWith("ready-")).length === 2);

  const first = claimFromPool(dir)!;
  const second = claimFromPool(dir)!;
  expect([first.id, second.id]).toEqual([21, 22]);
  expect(first.prepared).toEqual({ postgres: null, aws: { id: 21, round: 1 } });
  expect(claimFromPool(dir)).toBeUndefined(); // all taken: the caller builds its own stores

  first.release();
  await until(() => prepared.length === 3);
  await until(() => readdirSync(dir).includes("ready-21.json"));
  expect(claimFromPool(dir)!.prepared).toEqual({ postgres: null, aws: { id: 21, round: 3 } });
  await keeper.stop();
});

test("two claimers racing for one ready set: exactly one gets it", async () => {
  const keeper = keepPool(
    dir,
    [30],
    async () => ({}),
    () => undefined,
  );
  await until(() => readdirSync(dir).includes("ready-30.json"));
  const claims = [claimFromPool(dir), claimFromPool(dir), claimFromPool(dir)];
  expect(claims.filter(Boolean).map((c) => c!.id)).toEqual([30]);
  await keeper.stop();
});

test("a failed prepare is tried again; the keeper gives up, and reports it, only after several in a row", async () => {
  let calls = 0;
  const errors: unknown[] = [];
  const flaky = keepPool(
    dir,
    [40],
    async (id) => {
      if (++calls === 1) throw new Error("server selection timed out");
      return { aws: { id } };
    },
    (e) => errors.push(e),
  );
  await until(() => readdirSync(dir).includes("ready-40.json"));
  expect(claimFromPool(dir)!.prepared).toEqual({ aws: { id: 40 } });
  await flaky.stop();
  expect({ calls, errors }).toEqual({ calls: 2, errors: [] });

  rmSync(dir, { recursive: true, force: true });
  const gone = keepPool(
    dir,
    [41],
    () => Promise.reject(new Error("engine gone")),
    (e) => errors.push(e),
  );
  await until(() => errors.length === 1);
  await gone.stop();
  expect(errors).toEqual([new Error("engine gone")]);
  expect(claimFromPool(dir)).toBeUndefined();
}, 15_000);

test("a file that finds no set ready waits for one the pool is preparing, unless enough others wait already", async () => {
  let finish: () => void = () => undefined;
  const preparing = new Promise<void>((resolve) => (finish = resolve));
  const keeper = keepPool(
    dir,
    [40],
    async (id) => {
      await preparing;
      return { aws: { id } };
    },
    () => undefined,
  );
  await until(() => readdirSync(dir).includes("pending-40"));
  expect(claimFromPool(dir)).toBeUndefined();
  const first = awaitPoolSet(dir);
  const second = awaitPoolSet(dir); // one set pending, one waiting for it already: no wait
  expect(await second).toBeUndefined();
  finish();
  expect((await first)?.id).toBe(40);
  expect(readdirSync(dir).filter((name) => /^(pending|waiting)-/.test(name))).toEqual([]);
  await keeper.stop();
});

test("with nothing pending (no pool, or every set taken), a file does not wait", async () => {
  const started = performance.now();
  expect(await awaitPoolSet(path.join(dir, "none"))).toBeUndefined();
  expect(performance.now() - started).toBeLessThan(100);
});
