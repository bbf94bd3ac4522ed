import { waitFor } from "../../src/helpers/wait-for";

describe("waitFor", () => {
  test("returns the condition's first value that is not undefined, null or false", async () => {
    const answers = [undefined, null, false, { id: 7 }];
    let tries = 0;
    await expect(waitFor(() => answers[tries++], { intervalMs: 1 })).resolves.toEqual({ id: 7 });
    expect(tries).toBe(4);
  });

  test("0 and '' are values, returned at once", async () => {
    await expect(waitFor(() => 0)).resolves.toBe(0);
    await expect(waitFor(async () => "")).resolves.toBe("");
  });

  test("a throwing condition counts as not yet", async () => {
    let tries = 0;
    const value = await waitFor(
      async () => {
        if (++tries < 3) throw new Error("not consumed yet");
        return "consumed";
      },
      { intervalMs: 1 },
    );
    expect(value).toBe("consumed");
    expect(tries).toBe(3);
  });

  test("polls every intervalMs", async () => {
    const times: number[] = [];
    await waitFor(() => times.push(performance.now()) >= 4 || undefined, { intervalMs: 20 });
    expect(times).toHaveLength(4);
    for (let i = 1; i < times.length; i++) expect(times[i] - times[i - 1]).toBeGreaterThanOrEqual(18);
  });

  test("times out after timeoutMs, naming what it waited for", async () => {
    const started = performance.now();
    await expect(
      waitFor(() => false, { timeoutMs: 60, intervalMs: 10, message: "the CDR in Mongo" }),
    ).rejects.toThrow(/^waitFor timed out after 60 ms waiting for the CDR in Mongo$/);
    const elapsed = performance.now() - started;
    expect(elapsed).toBeGreaterThanOrEqual(58);
    expect(elapsed).toBeLessThan(500);
  });

  test("the timeout quotes the last error, also when it is not an Error", async () => {
    let tries = 0;
    await expect(
      waitFor(
        () => {
          throw new Error(`attempt ${++tries}`);
        },
        { timeoutMs: 30, intervalMs: 5 },
      ),
    ).rejects.toThrow(
      /^waitFor timed out after 30 ms waiting for the condition \(last error: attempt (\d+)\)$/,
    );
    const lastTry = tries;
    await expect(
      waitFor(
        () => {
          throw "queue missing";
        },
        { timeoutMs: 10, intervalMs: 5 },
      ),
    ).rejects.toThrow("(last error: queue missing)");
    expect(lastTry).toBeGreaterThan(1);
  });

  test("the condition is tried once even with no time at all", async () => {
    await expect(waitFor(() => "here", { timeoutMs: 0 })).resolves.toBe("here");
  });
});
