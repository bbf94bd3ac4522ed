// The runner's floor: one trivial test and nothing else, under the reference suite's own config.
import { record } from "../log";

test("trivial", () => {
  record({ file: "trivial", firstTestAt: Date.now() });
  expect(1 + 1).toBe(2);
});
