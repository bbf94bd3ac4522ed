import type Dockerode from "dockerode";
import { getContainerRuntimeClient } from "testcontainers";
import { DockerUnavailableError } from "./errors";

/** Labels on every container this package starts: teardown, failure cleanup, `down` and `prune` find them by these. */
export const LABELS = {
  package: "campaign-testenv",
  run: "campaign-testenv.run",
  service: "campaign-testenv.service",
  /** Reuse mode: the hash of everything the container was started from. */
  reuse: "campaign-testenv.reuse",
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
 * True when the services are reached on this machine's loopback address (a local socket): their ports
 * can then be published on 127.0.0.1 only, out of reach of the network. A remote engine needs 0.0.0.0.
 */
export async function publishesOnLoopback(): Promise<boolean> {
  const { host } = (await getContainerRuntimeClient()).info.containerRuntime;
  return ["localhost", "127.0.0.1", "::1"].includes(host);
}

/**
 * Force-removes this package's containers, running or not: one run's (`runId`), or all of them.
 * This is how an environment stops, how a failed start cleans up, and what `down` and `prune` do.
 */
export async function removeContainers(runId?: string): Promise<string[]> {
  const engine = await docker();
  const label = runId === undefined ? `${LABELS.package}=true` : `${LABELS.run}=${runId}`;
  const removed: string[] = [];
  // A second look: LocalStack may start a function container (labelled with the run) between the
  // first listing and its own removal.
  for (let round = 0; round < 2; round++) {
    const ours = await engine.listContainers({ all: true, filters: { label: [label] } });
    await Promise.all(
      ours.map(
        (c) =>
          engine
            .getContainer(c.Id)
            .remove({ force: true, v: true })
            .catch(() => undefined), // removed meanwhile (LocalStack's own clean-up)
      ),
    );
    removed.push(...ours.map((c) => `${c.Labels[LABELS.service] ?? "?"} ${c.Id.slice(0, 12)} (${c.Image})`));
  }
  return removed;
}

/**
 * Splits the engine's multiplexed log stream (8-byte frame headers: stream, 0, 0, 0, length) into
 * the text of its complete frames; `rest` is an incomplete last frame, to prepend to the next chunk.
 */
export function demuxLogs(data: Buffer): { text: string; rest: Buffer } {
  let text = "";
  let at = 0;
  while (data.length - at >= 8) {
    const length = data.readUInt32BE(at + 4);
    if (data.length - at - 8 < length) break;
    text += data.toString("utf8", at + 8, at + 8 + length);
    at += 8 + length;
  }
  return { text, rest: data.subarray(at) };
}

/** What became of a container: running, or exited with a code; undefined when the engine no longer has it. */
export interface ContainerState {
  running: boolean;
  exitCode: number;
  oomKilled: boolean;
  /** Its last log lines (stdout and stderr). */
  logTail: string[];
}

export async function containerState(id: string, tail = 20): Promise<ContainerState | undefined> {
  const container = (await docker()).getContainer(id);
  const inspected = await container.inspect().catch(() => undefined);
  if (!inspected) return undefined;
  const logs = (await container
    .logs({ stdout: true, stderr: true, tail })
    .catch(() => Buffer.alloc(0))) as Buffer;
  return {
    running: inspected.State.Running,
    exitCode: inspected.State.ExitCode,
    oomKilled: inspected.State.OOMKilled,
    logTail: demuxLogs(logs)
      .text.split("\n")
      .filter((l) => l.trim() !== ""),
  };
}
