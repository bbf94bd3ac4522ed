import { LocalstackContainer } from "@testcontainers/localstack";
import type { AwsEmulator } from "./emulator";

/**
 * A LocalStack ready hook (Python files in ready.d run inside LocalStack). Its ~900k start-up objects
 * (service specs, modules) stay alive for good, yet every full garbage collection walked them all:
 * 0.4 to 0.8 s with LocalStack frozen, about every 1100 SQS sends plus SNS publishes on these 2-core
 * machines, which is what broke the 1000-call run's p99. Frozen, they are left out of collections.
 * Every AWS account (one per worker) then adds its own service backends, and full collections walked
 * those again (1000-call p99 300 ms instead of 25 ms): so full collections are also made rare; the
 * young generations, where short-lived garbage goes, are still collected as usual. A test container
 * lives minutes, so the cycles that reach the old generation may wait.
 */
const GC_FREEZE_HOOK = {
  target: "/etc/localstack/init/ready.d/campaign-testenv-gc-freeze.py",
  content: "import gc\ngc.freeze()\ngc.set_threshold(700, 10, 1_000_000)\n",
};

/** LocalStack 4.14 community, through @testcontainers/localstack: the last release without an account. */
export const localstack: AwsEmulator = {
  image: "localstack/localstack:4.14.0",
  unavailable: {
    // Measured on the local image: DynamoDB in SERVICES costs 11 s of start-up (Java download tries)
    // and then fails every call after 26 s; not worth it for a default.
    dynamodb:
      "LocalStack runs DynamoDB on DynamoDB Local, a Java program it downloads at first use under " +
      "the vendor's own licence; this package does not enable it. Use awsFlavour ministack for the locks table.",
    lambda:
      "LocalStack 4.14 runs functions only in Docker containers made from Lambda runtime images it " +
      "pulls; this package does not give it the Docker socket. Use awsFlavour ministack for Lambda.",
  },
  async start(run) {
    const token = process.env.LOCALSTACK_AUTH_TOKEN;
    const container = await run.startContainer(
      new LocalstackContainer(run.image).withCopyContentToContainer([GC_FREEZE_HOOK]).withEnvironment({
        SERVICES: "s3,sqs,sns,secretsmanager",
        // Load the four providers before "Ready.", while the other services start, rather than on the
        // first request of each (about 3 s of imports on 2 cores, which would follow every other step).
        EAGER_SERVICE_LOADING: "1",
        ...(token ? { LOCALSTACK_AUTH_TOKEN: token } : {}),
      }),
    );
    return container.getConnectionUri();
  },
};
