// The reference suite on the recipe: the same test file as on the package (../suite/reference.ts), around
// the recipe's own helpers.
import { referenceFile } from "../suite/reference";
import { cleanTestData, setupTestEnvironment, teardownTestEnvironment } from "./test-environment";

export function suiteFile(name: string): void {
  referenceFile(name, {
    setup: setupTestEnvironment,
    reset: cleanTestData,
    teardown: teardownTestEnvironment,
    stores: (env) => ({ ...env, queueUrl: env.queueUrls.find((url) => url.endsWith("/dial-tasks"))! }),
  });
}
