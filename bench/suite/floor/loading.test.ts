// The runner's floor plus loading campaign-testenv in the test file, as every file of the suite does.
import "campaign-testenv";
import { record } from "../log";

test("trivial, with the package loaded", () => {
  record({ file: "loading", firstTestAt: Date.now() });
  expect(1 + 1).toBe(2);
});
