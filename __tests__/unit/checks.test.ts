import { refuse } from "../../src/campaign/checks";

describe("refuse", () => {
  test("builds a refusal value with the reason and detail given", () => {
    expect(refuse("outside_window", "too late")).toEqual({
      ok: false,
      reason: "outside_window",
      detail: "too late",
    });
  });

  test("each call gives a fresh object", () => {
    const a = refuse("blacklisted", "x");
    const b = refuse("blacklisted", "x");
    expect(a).not.toBe(b);
    expect(a).toEqual(b);
  });
});
