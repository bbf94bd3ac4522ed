import type { EnvironmentContext } from "./context";
import { docker, removeContainers } from "./docker";
import { type EnvironmentOptions, resolveOptions, type ServiceName } from "./options";
import { Progress } from "./progress";
import { randomToken } from "./random";
import { startOrReuse } from "./reuse";
import { aws } from "./services/aws";
import { mongo } from "./services/mongo";
import { postgres } from "./services/postgres";
import { redis } from "./services/redis";
import { type Service, ServiceRun } from "./services/service";

const SERVICES: { [K in ServiceName]: Service<K> } = { postgres, mongo, redis, aws };

export interface StartedEnvironment {
  context: EnvironmentContext;
  /** Removes every container of this run (in reuse mode: keeps them for the next run). Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the selected services in parallel, each through its Testcontainers module, and initialises
 * them. If any fails, everything already started is removed before the error is thrown.
 */
export async function startEnvironment(options: EnvironmentOptions = {}): Promise<StartedEnvironment> {
  const resolved = resolveOptions(options);
  await docker(); // fails with one clear sentence when no engine answers
  const runId = randomToken(10);
  const progress = new Progress(resolved, runId);

  const started = new Map<ServiceName, Promise<unknown>>();
  const peer = <K extends ServiceName>(name: K) =>
    (started.get(name) ?? Promise.resolve(undefined)).catch(() => {
      throw new Error(`${name} did not start, see its own error`);
    }) as Promise<EnvironmentContext[K]>;
  const runs = resolved.services.map(
    (name) => new ServiceRun(name, resolved, runId, peer, (message) => progress.note(name, message)),
  );
  for (const run of runs) {
    const service = SERVICES[run.service] as Service<ServiceName>;
    started.set(
      run.service,
      (resolved.reuse ? startOrReuse(service, run) : service.start(run)).then((context) => {
        progress.ready(run);
        return context;
      }),
    );
  }
  const results = await Promise.allSettled(started.values());

  const stop = async () => {
    await removeContainers(runId);
  };
  // Reuse mode keeps what it started for the next run; `campaign-testenv down` or `prune` removes it.
  const keep = async () => undefined;
  const failures = results.flatMap((r) => (r.status === "rejected" ? [r.reason as Error] : []));
  if (failures.length > 0) {
    await stop().catch(() => undefined); // the reaper (Ryuk) still removes them when this process exits
    progress.failed(failures.length);
    // Services that only failed because another did are noise next to the root cause.
    const causes = failures.filter((f) => !/did not start, see its own error/.test(f.message));
    throw causes.length === 1
      ? causes[0]
      : Object.assign(new Error(causes.map((f) => f.message).join("\n\n"), { cause: causes }), { runId });
  }

  const context: EnvironmentContext = {
    runId,
    startedAt: new Date().toISOString(),
    services: resolved.services,
  };
  results.forEach((r, i) =>
    Object.assign(context, { [resolved.services[i]]: (r as PromiseFulfilledResult<unknown>).value }),
  );
  progress.done();
  return { context, stop: resolved.reuse ? keep : stop };
}
