import path from "node:path";
import { type EnvironmentContext, runDir } from "./context";
import { docker, removeContainers, tcInternals, testcontainers } from "./docker";
import { PeerFailedError, reasonOf, ServiceError, StartupError } from "./errors";
import { type EnvironmentOptions, type ResolvedOptions, resolveOptions, serviceSettings } from "./options";
import { Progress, PullProgress } from "./progress";
import { type NeededImage, pullAbsent } from "./pull";
import { randomToken } from "./random";
import { reuseDir, startOrReuse } from "./reuse";
import { startSentinel } from "./sentinel";
import { ServiceRun, type ServiceContext } from "./service";
import { type ServiceName, service } from "./services";

export interface StartedEnvironment {
  context: EnvironmentContext;
  /**
   * Removes every container of this run (in reuse mode: keeps them for the next run). Safe to call
   * twice. Should a client of this process still hold a connection (a pool a test did not end), it
   * waits a moment for it, then leaves the removal to the run's sentinel, which removes the containers
   * once this process exits: a server removed under an idle pg pool crashes the process holding it,
   * and with it the runner's report.
   */
  stop(): Promise<void>;
}

/** How long a stop waits for connections a client left open to close. */
const CLOSE_WAIT_MS = 2000;
/**
 * After which the containers go anyway, should the process still run: a client that never closes (a
 * pg Client, unlike a pool, which ends idle connections after 10 s) would keep it running for good.
 */
const REMOVE_ANYWAY_MS = 15_000;

/** What a test runner's parent watches while the environment starts (src/runner.ts). */
export interface StartWatcher {
  /** The options are valid and an engine answers: the run exists; `context` has no service yet. */
  launched?(context: EnvironmentContext): void;
  /** Every image the run needs is on the engine (absent ones were pulled): the containers start now. */
  imagesPresent?(): void;
  /** Service `name` begins a step of its start (a test file that waits too long names it). */
  step?(name: ServiceName, step: string): void;
  /** One more service is ready; `context` holds every service ready so far. */
  ready?(context: EnvironmentContext): void;
}

/**
 * Whether Testcontainers starts its reaper for this run: with the first container, unless disabled,
 * and not for reuse mode's containers, which it keeps out of the reaper's session.
 */
const usesReaper = (options: ResolvedOptions) =>
  !options.reuse && process.env.TESTCONTAINERS_RYUK_DISABLED !== "true";

/**
 * The reaper once, before the containers: each start looks for it under a file lock, and those that
 * lose the race try again 0.5 to 1 s later, which delayed every container but the first.
 */
async function startReaper(runId: string): Promise<void> {
  const { getContainerRuntimeClient, getReaper } = testcontainers();
  const { reaperImage } = tcInternals();
  try {
    await getReaper(await getContainerRuntimeClient());
  } catch (error) {
    throw new ServiceError({
      runId,
      service: "reaper",
      image: reaperImage(),
      step: "starting Testcontainers' reaper (Ryuk)",
      reason: reasonOf(error),
      fix:
        "set RYUK_CONTAINER_IMAGE to an image of Ryuk the engine can run, or TESTCONTAINERS_RYUK_DISABLED=true " +
        "(this run's own sentinel still removes its containers when it ends)",
      logTail: [],
      cause: error,
    });
  }
}

/** The images a run needs: each selected service's, and the reaper's when it uses one. */
export function neededImages(options: ResolvedOptions): NeededImage[] {
  const images = options.services.map((name) => ({ image: options.images[name], neededBy: name }));
  if (!usesReaper(options)) return images;
  const { reaperImage } = tcInternals();
  return [...images, { image: reaperImage(), neededBy: "the reaper (Testcontainers' Ryuk)" }];
}

const pullNeeded = (options: ResolvedOptions) =>
  pullAbsent(neededImages(options), {
    stallMs: options.pullStallTimeoutMs,
    watcher: new PullProgress(options),
  });

/** Pulls what a run with `options` needs and the engine lacks (`campaign-testenv pull`); returns those. */
export async function pullImages(options: EnvironmentOptions = {}): Promise<NeededImage[]> {
  const resolved = resolveOptions(options);
  await docker();
  return pullNeeded(resolved);
}

/**
 * Starts the selected services in parallel, each through its Testcontainers module, and initialises
 * them. If any fails, everything already started is removed before the error is thrown.
 */
export async function startEnvironment(
  options: EnvironmentOptions = {},
  watcher: StartWatcher = {},
): Promise<StartedEnvironment> {
  const resolved = resolveOptions(options);
  await docker(); // fails with one clear sentence when no engine answers
  const runId = randomToken(10);
  const context: EnvironmentContext = {
    runId,
    startedAt: new Date().toISOString(),
    services: resolved.services,
    containers: {},
    // Reuse mode's containers are shared by every reuse-mode run on this machine, and so are their ids.
    storeSets: path.join(resolved.reuse ? reuseDir() : runDir(runId), "store-sets"),
  };
  watcher.launched?.(context);
  // Before any container: the start timeout then bounds starts only, and a runner's test files begin
  // waiting only once every pull is over.
  await pullNeeded(resolved);
  watcher.imagesPresent?.();
  if (usesReaper(resolved)) await startReaper(runId);
  const progress = new Progress(resolved, runId);
  // Reuse mode's containers outlive this process on purpose; any other run's go when it ends.
  if (!resolved.reuse) startSentinel(runId, runDir(runId));

  const started = new Map<string, Promise<ServiceContext>>();
  const peer = async (name: string) => {
    const peerContext = started.get(name);
    if (!peerContext) return undefined;
    return (await peerContext.catch(() => {
      throw new PeerFailedError(name);
    })) as unknown as Record<string, unknown>;
  };
  const runs = resolved.services.map(
    (name) =>
      new ServiceRun(
        name,
        serviceSettings(resolved, name),
        runId,
        peer,
        (message) => progress.note(name, message),
        service(name).fix,
        (step) => watcher.step?.(name, step),
      ),
  );
  for (const run of runs) {
    const name = run.service as ServiceName;
    const starting = resolved.reuse ? startOrReuse(name, run, resolved) : service(name).start(run);
    started.set(
      run.service,
      starting.then((value) => {
        run.started();
        progress.ready(run);
        Object.assign(context, { [name]: value });
        context.containers![name] = run.containerId;
        watcher.ready?.(context);
        return value;
      }),
    );
  }
  const results = await Promise.allSettled(started.values());

  const stop = async () => {
    await removeContainers(runId);
  };
  const stopWhenClosed = async () => {
    const open = await Promise.all(
      resolved.services.map(async (name) => {
        const count = await service(name)
          .openConnections?.(context[name]!, CLOSE_WAIT_MS)
          .catch(() => 0);
        if (count)
          progress.note(
            name,
            `${count} connection(s) still open (a client a test did not close?): its container goes when ` +
              `this process exits, or in ${REMOVE_ANYWAY_MS / 1000} s`,
          );
        return count ?? 0;
      }),
    );
    if (open.every((count) => count === 0)) return stop();
    // Unref'd: it never keeps the process alive by itself; the sentinel removes them at its exit.
    setTimeout(() => void stop().catch(() => undefined), REMOVE_ANYWAY_MS).unref();
  };
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length > 0) {
    await stop().catch(() => undefined); // the reaper (Ryuk) still removes them when this process exits
    progress.failed(failures.length);
    // Services that only failed because another did are noise next to the root cause.
    const causes = failures.filter((f) => !(f instanceof ServiceError && f.cause instanceof PeerFailedError));
    throw causes.length === 1 ? causes[0] : new StartupError(runId, causes as ServiceError[]);
  }

  progress.done();
  // Reuse mode keeps what it started for the next run; `campaign-testenv down` or `prune` removes it.
  return { context, stop: resolved.reuse ? async () => undefined : stopWhenClosed };
}
