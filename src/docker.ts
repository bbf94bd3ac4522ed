import type Dockerode from "dockerode";
import { getContainerRuntimeClient } from "testcontainers";
import { DockerUnavailableError } from "./errors";

/** Labels on every container this package starts: teardown, failure cleanup, `down` and `prune` find them by these. */
export const LABELS = {
  package: "campaign-testenv",
  run: "campaign-testenv.run",
  service: "campaign-testenv.service",
};

/**
 * The engine, reached the way Testcontainers reaches it (DOCKER_HOST, ~/.testcontainers.properties,
 * Docker contexts), or one clear sentence on how to get an engine.
 */
export async function docker(): Promise<Dockerode> {
  try {
    return (await getContainerRuntimeClient()).container.dockerode;
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
