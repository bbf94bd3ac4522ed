import { randomToken } from "../../src/random";

describe("randomToken", () => {
  test("has the asked length and only [a-z0-9]", () => {
    for (const length of [1, 8, 24, 40])
      expect(randomToken(length)).toMatch(new RegExp(`^[a-z0-9]{${length}}$`));
  });

  test("two tokens differ", () => {
    expect(randomToken()).not.toBe(randomToken());
  });
});
