import Dockerode from "dockerode";
import { getContainerRuntimeClient } from "testcontainers";
import { DockerUnavailableError } from "./errors";
import { LABELS } from "./services/service";

/**
 * The engine, reached the way Testcontainers reaches it (DOCKER_HOST, ~/.testcontainers.properties,
 * Docker contexts), or one clear sentence on how to get an engine.
 */
export async function docker(): Promise<Dockerode> {
  try {
    const client = await getContainerRuntimeClient();
    // Testcontainers keeps its dockerode private; its connection (modem) is reachable through a handle.
    const { modem } = client.container.getById("campaign-testenv") as unknown as { modem: unknown };
    return new Dockerode({ modem } as Dockerode.DockerOptions); // dockerode accepts a modem; its types omit it
  } catch (error) {
    throw new DockerUnavailableError(error);
  }
}

/**
 * Force-removes this package's containers, running or not: one run's (`runId`), or all of them.
 * This is how an environment stops, how a failed start cleans up, and what `down` and `prune` do.
 */
export async function removeContainers(runId?: string): Promise<string[]> {
  const engine = await docker();
  const label = runId === undefined ? `${LABELS.package}=true` : `${LABELS.run}=${runId}`;
  const ours = await engine.listContainers({ all: true, filters: { label: [label] } });
  await Promise.all(ours.map((c) => engine.getContainer(c.Id).remove({ force: true, v: true })));
  return ours.map((c) => `${c.Labels[LABELS.service] ?? "?"} ${c.Id.slice(0, 12)} (${c.Image})`);
}
