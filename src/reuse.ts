// Reuse mode: containers outlive their run and the next run finds them again, by label. Each container
// carries the hash of everything it was started from (label campaign-testenv.reuse), so the engine
// itself says which running container matches: no record to drift from it after a `docker rm`, an
// engine reset, or with another DOCKER_HOST. Only the credentials, which a label must not hold, stay in
// a file of their own (mode 0600), named by the container's id. Those files, the lock and the store-set
// claims are one user's (one cache folder's): a label scopes each container to its folder, so a run
// with another folder (another user, a CI job with its own HOME) never takes or removes it.
import { createHash } from "node:crypto";
import { mkdirSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type Dockerode from "dockerode";
import { docker, LABELS, removeContainer } from "./docker";
import { lock } from "./lock";
import { type ResolvedOptions, serviceSettings } from "./options";
import { packageRoot } from "./paths";
import type { ServiceContext, ServiceRun } from "./service";
import { type ServiceName, service } from "./services";

/** Where reuse mode keeps each reused container's context (credentials included), and its locks. */
export const reuseDir = (): string =>
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "campaign-testenv", "reuse");

/** Containers kept per service: the most recently used input sets (e.g. two branches' migrations). */
const REUSE_KEEP = 2;

const { version } = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  version: string;
};

/** Everything a service's container depends on: its own inputs, its peers' and this package's version. */
export function reuseInputs(name: ServiceName, options: ResolvedOptions): string {
  const settings = serviceSettings(options, name);
  const peers = (service(name).peers?.(settings) ?? []) as ServiceName[];
  const fingerprint = (of: ServiceName) => service(of).fingerprint(serviceSettings(options, of));
  return [version, fingerprint(name), ...peers.map(fingerprint)].join("\n");
}

/** The label value naming this process's reuse folder. */
const reuseScope = () => createHash("sha256").update(reuseDir()).digest("hex").slice(0, 16);

const contextFile = (containerId: string) => path.join(reuseDir(), `${containerId}.json`);

/** What the file keeps: the context, and the host ports it was published on (a restart changes them). */
interface Kept {
  ports: number[];
  context: ServiceContext;
}

const publishedPorts = (c: Pick<Dockerode.ContainerInfo, "Ports">) =>
  [...new Set(c.Ports.map((p) => p.PublicPort).filter(Boolean))].sort((a, b) => a - b);

const readKept = (containerId: string): Kept | undefined => {
  try {
    return JSON.parse(readFileSync(contextFile(containerId), "utf8")) as Kept;
  } catch {
    return undefined;
  }
};

/** When a reused container was last used: its context file's time (touched at each reuse), else its start. */
const lastUsed = (c: Dockerode.ContainerInfo) =>
  statSync(contextFile(c.Id), { throwIfNoEntry: false })?.mtimeMs ?? c.Created * 1000;

/** This folder's reuse-mode containers on the engine, of one service or all, most recently used first. */
export async function reusedContainers(name?: ServiceName): Promise<Dockerode.ContainerInfo[]> {
  const label = [`${LABELS.reuseScope}=${reuseScope()}`, ...(name ? [`${LABELS.service}=${name}`] : [])];
  const found = await (await docker()).listContainers({ all: true, filters: { label } });
  return found.sort((a, b) => lastUsed(b) - lastUsed(a));
}

async function remove(containerId: string): Promise<void> {
  await removeContainer(containerId);
  rmSync(contextFile(containerId), { force: true });
}

/**
 * One reuse-mode start of a service at a time across processes, so concurrent runs share one
 * container. A holder that dies leaves a lock the next run takes over.
 */
async function lockService(name: ServiceName, timeoutMs: number): Promise<() => void> {
  mkdirSync(reuseDir(), { recursive: true, mode: 0o700 });
  const file = path.join(reuseDir(), name);
  const release = await lock(file, timeoutMs);
  if (!release) {
    throw new Error(
      `another run has been starting ${name} in reuse mode for ${(timeoutMs / 1000).toFixed(0)} s (lock ${file}.lock)`,
    );
  }
  return release;
}

/**
 * Reuse mode: hands back the running container whose inputs (image, migrations, specs, this package's
 * version) hash the same, if any; otherwise starts one afresh, labelled with the hash. A changed
 * migration thus rebuilds PostgreSQL only. At most REUSE_KEEP containers are kept per service.
 */
export async function startOrReuse(
  name: ServiceName,
  run: ServiceRun,
  options: ResolvedOptions,
): Promise<ServiceContext> {
  const hash = createHash("sha256").update(reuseInputs(name, options)).digest("hex").slice(0, 16);
  // Found running, it is taken without a lock: reusing never changes anything another run could race.
  const found = await reusable(name, hash, run);
  if (found) return found;
  // Waiting may last as long as another run's start of the same service.
  const release = await run.step("waiting for another run starting it", () =>
    lockService(name, options.startupTimeoutMs + 30_000),
  );
  try {
    // That other run may have just started it.
    return (await reusable(name, hash, run)) ?? (await startLabelled(name, hash, run));
  } finally {
    release();
  }
}

/**
 * The context of the running container with these inputs, if there is one whose credentials are kept.
 * The same inputs, running, on the same ports is all it takes: the label says the first, the engine's
 * listing the others (a container restarted by hand got new ports, which its context does not know).
 */
async function reusable(
  name: ServiceName,
  hash: string,
  run: ServiceRun,
): Promise<ServiceContext | undefined> {
  const match = (await reusedContainers(name)).find(
    (c) => c.Labels[LABELS.reuse] === hash && c.State === "running",
  );
  const kept = match && readKept(match.Id);
  if (!match || !kept || String(kept.ports) !== String(publishedPorts(match))) return undefined;
  try {
    const now = new Date();
    utimesSync(contextFile(match.Id), now, now); // most recently used: kept longest
  } catch {
    return undefined; // another run removed it meanwhile, as superseded
  }
  run.reused = true;
  run.containerId = match.Id;
  return kept.context;
}

/** Starts the service afresh, labelled with its inputs' hash; removes what no longer serves. */
async function startLabelled(name: ServiceName, hash: string, run: ServiceRun): Promise<ServiceContext> {
  const engine = await docker();
  // Stopped, restarted on other ports, or its credentials lost: it cannot serve this run.
  for (const stale of (await reusedContainers(name)).filter((c) => c.Labels[LABELS.reuse] === hash))
    await remove(stale.Id);
  run.labels[LABELS.reuse] = hash;
  run.labels[LABELS.reuseScope] = reuseScope();
  const context = await service(name).start(run);
  const [listed] = await engine.listContainers({ filters: { id: [run.containerId!] } });
  const kept: Kept = { ports: publishedPorts(listed ?? { Ports: [] }), context };
  writeFileSync(contextFile(run.containerId!), JSON.stringify(kept), { mode: 0o600 });
  // Superseded input sets (older migrations...): their containers go, but the newest REUSE_KEEP.
  for (const old of (await reusedContainers(name)).slice(REUSE_KEEP)) await remove(old.Id);
  return context;
}

/** Removes the context files whose container the engine no longer has (after prune, or a removal by hand). */
export async function removeStaleContexts(): Promise<string[]> {
  let files: string[];
  try {
    files = readdirSync(reuseDir()).filter((f) => f.endsWith(".json"));
  } catch {
    return [];
  }
  const live = new Set((await reusedContainers()).map((c) => c.Id));
  const stale = files.filter((f) => !live.has(path.basename(f, ".json")));
  for (const f of stale) rmSync(path.join(reuseDir(), f), { force: true });
  return stale.map((f) => path.join(reuseDir(), f));
}
