import { once } from "node:events";
import { createInterface } from "node:readline";
import { PassThrough, Readable } from "node:stream";
import { finished } from "node:stream/promises";
import type Dockerode from "dockerode";
import { DockerUnavailableError } from "./errors";

/**
 * Testcontainers, and the internals of it the package reaches (src/tc-internals.ts), loaded on first
 * use: importing the package starts nothing (docs/ARCHITECTURE.md, "Loaded on first use").
 */
export const testcontainers = (): typeof import("testcontainers") => require("testcontainers");
export const tcInternals = (): typeof import("./tc-internals") => require("./tc-internals");

/** Testcontainers' engine client: a test file meets the engine only when a call fails. */
const runtime = () => testcontainers().getContainerRuntimeClient();

/** Labels on every container this package starts: teardown, failure cleanup, `down` and `prune` find them by these. */
export const LABELS = {
  package: "campaign-testenv",
  run: "campaign-testenv.run",
  service: "campaign-testenv.service",
  /** Reuse mode: the hash of everything the container was started from. */
  reuse: "campaign-testenv.reuse",
  /** Reuse mode: which folder of credentials (and store-set claims) the container belongs to. */
  reuseScope: "campaign-testenv.reuse-scope",
};

/**
 * The engine, reached the way Testcontainers reaches it (DOCKER_HOST, ~/.testcontainers.properties,
 * Docker contexts), or one clear sentence on how to get an engine.
 */
export async function docker(): Promise<Dockerode> {
  try {
    return (await runtime()).container.dockerode;
  } catch (error) {
    throw new DockerUnavailableError(error);
  }
}

/**
 * True when the services are reached on this machine's loopback address (a local socket): their ports
 * can then be published on 127.0.0.1 only, out of reach of the network. A remote engine needs 0.0.0.0.
 */
export async function publishesOnLoopback(): Promise<boolean> {
  const { host } = (await runtime()).info.containerRuntime;
  return ["localhost", "127.0.0.1", "::1"].includes(host);
}

/** Force-removes one container and its volumes; one removed meanwhile (LocalStack's own clean-up) is no error. */
export async function removeContainer(id: string): Promise<void> {
  await (
    await docker()
  )
    .getContainer(id)
    .remove({ force: true, v: true })
    .catch(() => undefined);
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
    await Promise.all(ours.map((c) => removeContainer(c.Id)));
    removed.push(...ours.map((c) => `${c.Labels[LABELS.service] ?? "?"} ${c.Id.slice(0, 12)} (${c.Image})`));
  }
  return removed;
}

/**
 * Calls `onLine` with each line of a container's log stream, as the engine multiplexes it (stdout and
 * stderr in frames, which dockerode's demuxStream splits); resolves when the stream ends.
 */
export async function demuxLines(
  modem: Dockerode["modem"],
  frames: NodeJS.ReadableStream,
  onLine: (line: string) => void,
): Promise<void> {
  const text = new PassThrough();
  modem.demuxStream(frames, text, text);
  const lines = createInterface({ input: text, crlfDelay: Infinity });
  lines.on("line", onLine);
  const closed = once(lines, "close");
  try {
    await finished(frames);
  } finally {
    text.end();
  }
  await closed;
}

/**
 * Calls `onLine` with each line of a container's log (or of its last `tail` lines); with `follow`,
 * then with each new line until the container stops.
 */
export async function readLogLines(
  id: string,
  options: { follow?: boolean; tail?: number },
  onLine: (line: string) => void,
): Promise<void> {
  const engine = await docker();
  const container = engine.getContainer(id);
  // Left out, not undefined: the query string would say "tail=".
  const request = {
    stdout: true,
    stderr: true,
    ...(options.tail === undefined ? {} : { tail: options.tail }),
  };
  const frames = options.follow
    ? await container.logs({ ...request, follow: true })
    : Readable.from([await container.logs({ ...request, follow: false })]);
  await demuxLines(engine.modem, frames, onLine);
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
  const logTail: string[] = [];
  await readLogLines(id, { tail }, (line) => {
    if (line.trim() !== "") logTail.push(line);
  }).catch(() => undefined); // the tail is a help, not the answer
  return {
    running: inspected.State.Running,
    exitCode: inspected.State.ExitCode,
    oomKilled: inspected.State.OOMKilled,
    logTail,
  };
}
