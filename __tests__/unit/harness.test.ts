// runLoad is plain orchestration: these handlers are in-memory, so no service is involved. Times are
// real but small (tens of ms); the bounds below leave room for a slow machine in the loose direction.
import { type LoadCall, runLoad, untimed } from "../../src/load/harness";

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

describe("runLoad", () => {
  test("never has more calls in flight than the concurrency, and reaches it", async () => {
    let inFlight = 0;
    let most = 0;
    const report = await runLoad(
      async () => {
        most = Math.max(most, ++inFlight);
        await sleep(5);
        inFlight--;
      },
      { calls: 10, concurrency: 3 },
    );
    expect(most).toBe(3);
    expect(report.calls).toBe(10);
    expect(report.concurrency).toBe(3);
  });

  test("the concurrency defaults to every call at once", async () => {
    let inFlight = 0;
    let most = 0;
    const report = await runLoad(
      async () => {
        most = Math.max(most, ++inFlight);
        await sleep(5);
        inFlight--;
      },
      { calls: 6 },
    );
    expect(most).toBe(6);
    expect(report.concurrency).toBe(6);
  });

  test("warm-up calls run first, count from 0 and stay out of the report", async () => {
    const seen: [number, boolean][] = [];
    const report = await runLoad(
      async ({ index, warmUp }) => {
        seen.push([index, warmUp]);
        if (warmUp) throw new Error("cold cache");
        return "measured";
      },
      { calls: 3, warmUp: 2, concurrency: 1 },
    );
    expect(seen).toEqual([
      [0, true],
      [1, true],
      [0, false],
      [1, false],
      [2, false],
    ]);
    expect(report.calls).toBe(3);
    expect(report.warmUpCalls).toBe(2);
    expect(report.labels).toEqual({ measured: 3 });
    expect(report.errors.count).toBe(0);
  });

  test("labels: the returned string, 'ok' for none, 'error' for a throw, with the message counted", async () => {
    const report = await runLoad(
      async ({ index }) => {
        if (index === 0) return "rate_limited";
        if (index === 1) return undefined;
        if (index === 2) throw new Error("no route");
        if (index === 3) throw "a plain string";
        return "rate_limited";
      },
      { calls: 5 },
    );
    expect(report.labels).toEqual({ rate_limited: 2, ok: 1, error: 2 });
    expect(report.errors).toEqual({ count: 2, messages: { "no route": 1, "a plain string": 1 } });
  });

  test("steps return their value and are timed, failed ones included", async () => {
    const values: number[] = [];
    const report = await runLoad(
      async ({ step }) => {
        values.push(await step("quick", async () => 42));
        await step("slow", () => sleep(30));
        await step("fails", async () => {
          throw new Error("step failed");
        });
      },
      { calls: 2 },
    );
    expect(values).toEqual([42, 42]);
    expect(Object.keys(report.steps)).toEqual(["quick", "slow", "fails"]);
    expect(report.steps.fails.count).toBe(2);
    expect(report.steps.slow.p50).toBeGreaterThanOrEqual(25);
    expect(report.steps.quick.max).toBeLessThan(25);
    expect(report.errors.messages).toEqual({ "step failed": 2 });
  });

  test("hold() releases the calls together, once every call in flight holds", async () => {
    let passed = 0;
    const groups: number[] = [];
    const report = await runLoad(
      async ({ index, hold }) => {
        await sleep(index * 10);
        await hold();
        passed++;
      },
      {
        calls: 4,
        onHold: async (held) => {
          expect(passed).toBe(0);
          groups.push(held);
        },
      },
    );
    expect(groups).toEqual([4]);
    expect(passed).toBe(4);
    expect(report.heldTogether).toBe(4);
  });

  test("with fewer slots than calls, each full set of slots is one group; the last may be smaller", async () => {
    const groups: number[] = [];
    const report = await runLoad(async ({ hold }) => hold(), {
      calls: 5,
      concurrency: 2,
      onHold: async (held) => void groups.push(held),
    });
    expect(groups).toEqual([2, 2, 1]);
    expect(report.heldTogether).toBe(2);
  });

  test("a call that does not hold is waited for, not counted in the group", async () => {
    const groups: number[] = [];
    const report = await runLoad(
      async ({ index, hold }) => {
        if (index === 2) await sleep(20);
        else await hold();
      },
      { calls: 3, onHold: async (held) => void groups.push(held) },
    );
    expect(groups).toEqual([2]);
    expect(report.heldTogether).toBe(2);
  });

  test("no call holds: heldTogether is 0", async () => {
    const report = await runLoad(async () => undefined, { calls: 3 });
    expect(report.heldTogether).toBe(0);
  });

  test("time spent holding is left out of a call's total", async () => {
    const report = await runLoad(
      async ({ index, hold }) => {
        if (index === 2) await sleep(100); // the others hold about 100 ms waiting for this one
        await hold();
      },
      { calls: 3 },
    );
    expect(report.elapsedMs).toBeGreaterThanOrEqual(95);
    expect(report.total.max).toBeGreaterThanOrEqual(95); // the slow call's own time counts
    expect(report.total.p50).toBeLessThan(50); // the two that only waited
  });

  test("an onHold failure fails the run, after every call has finished", async () => {
    let finished = 0;
    const run = runLoad(
      async ({ hold }) => {
        await hold();
        finished++;
      },
      {
        calls: 3,
        onHold: async () => {
          throw new Error("wrong number of active calls");
        },
      },
    );
    await expect(run).rejects.toThrow("wrong number of active calls");
    expect(finished).toBe(3);
  });

  test("startsPerSecond paces the starts", async () => {
    const starts: number[] = [];
    const before = performance.now();
    const report = await runLoad(async () => void starts.push(performance.now()), {
      calls: 5,
      startsPerSecond: 40, // one start every 25 ms
    });
    // Lower bounds only: a busy machine may start a call late, never early.
    for (let i = 1; i < starts.length; i++) expect(starts[i] - before).toBeGreaterThanOrEqual(i * 25 - 2);
    expect(report.elapsedMs).toBeGreaterThanOrEqual(100 - 2);
    expect(report.startsPerSecond).toBe(40);
  });

  test("unpaced, every call starts before any finishes", async () => {
    let finished = 0;
    const finishedAtStart: number[] = [];
    const report = await runLoad(
      async () => {
        finishedAtStart.push(finished);
        await sleep(5);
        finished++;
      },
      { calls: 5 },
    );
    expect(finishedAtStart).toEqual([0, 0, 0, 0, 0]);
    expect(report.startsPerSecond).toBeNull();
  });

  test("paced, held calls go on at the same pace", async () => {
    let releasedAt = 0;
    const resumed: number[] = [];
    await runLoad(
      async ({ hold }) => {
        await hold();
        resumed.push(performance.now());
      },
      { calls: 4, startsPerSecond: 40, onHold: async () => void (releasedAt = performance.now()) },
    );
    // The i-th call to go on does so at least i gaps after the release (never early; maybe late).
    resumed.sort((a, b) => a - b);
    for (let i = 1; i < resumed.length; i++)
      expect(resumed[i] - releasedAt).toBeGreaterThanOrEqual(i * 25 - 2);
  });

  test("report defaults: name 'load', no notes, no warm-up; given ones are kept", async () => {
    const handler = async (_call: LoadCall) => undefined;
    expect(await runLoad(handler, { calls: 1 })).toMatchObject({
      name: "load",
      notes: [],
      warmUpCalls: 0,
    });
    expect(await runLoad(handler, { calls: 1, name: "dial", notes: ["n"] })).toMatchObject({
      name: "dial",
      notes: ["n"],
    });
  });
});

describe("untimed", () => {
  test("only runs the function and passes its result or error on", async () => {
    await expect(untimed("anything", async () => "value")).resolves.toBe("value");
    await expect(
      untimed("anything", async () => {
        throw new Error("passed on");
      }),
    ).rejects.toThrow("passed on");
  });
});
