import { GenericContainer, Wait } from "testcontainers";
import type { AwsEmulator } from "./emulator";

const PORT = 4566;

/**
 * MiniStack (MIT): AWS APIs on one port, in one small Python process, ready in well under a second.
 * Lambda functions run as subprocesses on the image's Node.js; a 12-digit access key is an account.
 */
export const ministack: AwsEmulator = {
  image: "ministackorg/ministack:1.5.33",
  unavailable: {},
  async start(run) {
    const container = await run.startContainer(
      new GenericContainer(run.image)
        .withExposedPorts(PORT)
        .withWaitStrategy(Wait.forHttp("/_ministack/health", PORT).forStatusCode(200)),
    );
    return `http://${container.getHost()}:${container.getMappedPort(PORT)}`;
  },
};
