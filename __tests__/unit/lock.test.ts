// The lock shared by processes: one holder at a time, across processes too; a dead holder's lock is
// taken over; a live one's is waited for, within a bound; and taking one adds no signal listener.
import { spawn, spawnSync } from "node:child_process";
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { isAlive, lock } from "../../src/lock";

let dir: string;
beforeEach(() => (dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-lock-"))));
afterEach(() => rmSync(dir, { recursive: true, force: true }));

test("held, it makes the next taker wait; released, it is free; no signal listener is added", async () => {
  const listeners = ["SIGINT", "SIGTERM", "SIGHUP"].map((s) => process.listenerCount(s));
  const file = path.join(dir, "x");
  const release = await lock(file, 0);
  expect(release).toBeDefined();
  expect(await lock(file, 50)).toBeUndefined();
  release!();
  const again = await lock(file, 0);
  expect(again).toBeDefined();
  again!();
  expect(["SIGINT", "SIGTERM", "SIGHUP"].map((s) => process.listenerCount(s))).toEqual(listeners);
});

test("a lock whose holder is dead, or that never got its holder's pid, is taken over", async () => {
  const dead = spawnSync(process.execPath, ["-e", ""]).pid!;
  expect(isAlive(dead)).toBe(false);
  const file = path.join(dir, "x");
  mkdirSync(`${file}.lock`);
  writeFileSync(`${file}.lock/pid`, String(dead));
  const taken = await lock(file, 0);
  expect(taken).toBeDefined();
  taken!();
  // Made, but its taker died before writing its pid: abandoned once it is a few seconds old.
  mkdirSync(`${file}.lock`);
  expect(await lock(file, 0)).toBeUndefined();
  const old = new Date(Date.now() - 10_000);
  utimesSync(`${file}.lock`, old, old);
  const late = await lock(file, 0);
  expect(late).toBeDefined();
  late!();
  expect(readdirSync(dir)).toEqual([]); // nothing left aside
});

test("processes taking one lock over and over never hold it at once", async () => {
  const hook = require.resolve("ts-node/register/transpile-only");
  const module = require.resolve("../../src/lock");
  const file = path.join(dir, "x");
  const marker = path.join(dir, "inside");
  // Each child takes the lock 30 times; inside it, it makes a marker that must not exist yet.
  const child = `
    const { existsSync, mkdirSync, rmSync } = require("node:fs");
    const { lock } = require(${JSON.stringify(module)});
    (async () => {
      for (let i = 0; i < 30; i++) {
        const release = await lock(${JSON.stringify(file)}, 30000);
        if (existsSync(${JSON.stringify(marker)})) { console.log("overlap"); process.exit(1); }
        mkdirSync(${JSON.stringify(marker)});
        await new Promise((r) => setTimeout(r, 1));
        rmSync(${JSON.stringify(marker)}, { recursive: true });
        release();
      }
    })();`;
  const codes = await Promise.all(
    Array.from(
      { length: 4 },
      () =>
        new Promise<number | null>((resolve) => {
          const c = spawn(process.execPath, ["-r", hook, "-e", child], { stdio: "inherit" });
          c.on("exit", resolve);
        }),
    ),
  );
  expect(codes).toEqual([0, 0, 0, 0]);
  expect(existsSync(`${file}.lock`)).toBe(false);
}, 60_000);
