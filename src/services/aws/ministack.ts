import { testcontainers } from "../../docker";
import type { Flavour } from "../../service";
import { type AwsStarted, capabilitiesOf } from "./capabilities";

const PORT = 4566;

/**
 * MiniStack (MIT): AWS APIs on one port, in one small Python process, ready in well under a second.
 * Lambda functions run as subprocesses on the image's Node.js; a 12-digit access key is an account.
 */
export const ministack: Flavour<AwsStarted> = {
  image: "ministackorg/ministack:1.5.33",
  async start(run) {
    const { GenericContainer, Wait } = testcontainers();
    const capabilities = capabilitiesOf(await run.declaredLacks());
    const container = await run.startContainer(
      new GenericContainer(run.image)
        .withExposedPorts(PORT)
        .withWaitStrategy(Wait.forHttp("/_ministack/health", PORT).forStatusCode(200)),
    );
    return { endpoint: `http://${container.getHost()}:${container.getMappedPort(PORT)}`, capabilities };
  },
};
