// The reference suite on campaign-testenv: each file its own store set, reset by cleanTestData.
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";
import { referenceFile } from "./reference";

export function suiteFile(name: string): void {
  referenceFile<TestEnvironment>(name, {
    setup: () => setupTestEnvironment(),
    reset: cleanTestData,
    teardown: teardownTestEnvironment,
    stores: (env) => ({
      postgres: env.postgres,
      mongo: env.mongo,
      redis: env.redis,
      sqs: env.aws.sqs,
      queueUrl: env.aws.resources.queues["dial-tasks"].url,
    }),
  });
}
