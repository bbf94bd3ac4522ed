// One environment start in a fresh process, as a runner's global setup does it (a new process, a new
// Testcontainers client, a reaper to find or start):
//   node -r ts-node/register/transpile-only bench/start-once.ts cold|reuse|reaper
// Prints one line: BENCH_RESULT {...} (StartOnce). cold: the start with each service's timeline, then the
// containers' idle memory, then removes them. reuse: the start, left running for the next. reaper: only
// Testcontainers' client and reaper, which every fresh process sets up before its first container.
import { setTimeout as sleep } from "node:timers/promises";
import { getContainerRuntimeClient, getReaper } from "testcontainers";
import { type EnvironmentContext, startEnvironment } from "../src";
import { docker, LABELS } from "../src/docker";
import { ServiceRun } from "../src/service";
import { containersLabelled, containersMemoryMiB, IDLE_SETTLE_MS, RESULT_PREFIX, timed } from "./lib";

/** One service's start, in milliseconds from the call of startEnvironment. */
export interface ServiceTimeline {
  /** Its container as the engine records it: created, then running. */
  createdMs: number;
  runningMs: number;
  /** The steps its ServiceRun records (name and duration), with when each began. */
  steps: { name: string; startMs: number; ms: number }[];
  readyMs: number;
}

export interface StartOnce {
  ms: number;
  memory?: { totalMiB: number; each: Record<string, number> };
  services?: Record<string, ServiceTimeline>;
  /** reaper: the engine client's set-up, then finding (or starting) the reaper. */
  clientMs?: number;
  reaperMs?: number;
}

/**
 * Records each step with its start: the package keeps only names and durations (ServiceRun.steps), so
 * the bench wraps the one method every step goes through, in its own process, and reads them back.
 */
function recordSteps(startedAt: number, services: Record<string, Partial<ServiceTimeline>>): void {
  const step = ServiceRun.prototype.step;
  ServiceRun.prototype.step = async function (this: ServiceRun, name, fn, fix) {
    const startMs = performance.now() - startedAt;
    const result = await step.call(this, name, fn, fix);
    (services[this.service].steps ??= []).push({ name, startMs, ms: this.steps.at(-1)!.ms });
    return result;
  } as typeof step;
}

/** When the engine created and started each service's container, from its own records. */
async function containerTimes(
  context: EnvironmentContext,
  epochStart: number,
  services: Record<string, Partial<ServiceTimeline>>,
): Promise<void> {
  const engine = await docker();
  for (const id of await containersLabelled(`${LABELS.run}=${context.runId}`)) {
    const { Created, State, Config } = await engine.getContainer(id).inspect();
    const service = services[Config.Labels[LABELS.service]];
    if (!service) continue; // not a service's own container (a LocalStack function's)
    service.createdMs = Date.parse(Created) - epochStart;
    service.runningMs = Date.parse(State.StartedAt) - epochStart;
  }
}

async function cold(): Promise<StartOnce> {
  const services: Record<string, Partial<ServiceTimeline>> = {};
  const epochStart = Date.now();
  const startedAt = performance.now();
  recordSteps(startedAt, services);
  const { ms, value: environment } = await timed(() =>
    startEnvironment(
      { quiet: true },
      {
        launched: (context) => context.services.forEach((name) => (services[name] = { steps: [] })),
        ready(context) {
          for (const name of context.services)
            if (context[name]) services[name].readyMs ??= performance.now() - startedAt;
        },
      },
    ),
  );
  try {
    await containerTimes(environment.context, epochStart, services);
    await sleep(IDLE_SETTLE_MS);
    const memory = await containersMemoryMiB(
      await containersLabelled(`${LABELS.run}=${environment.context.runId}`),
    );
    return { ms, memory, services: services as Record<string, ServiceTimeline> };
  } finally {
    await environment.stop();
  }
}

async function main(): Promise<void> {
  const mode = process.argv[2];
  let result: StartOnce;
  if (mode === "cold") result = await cold();
  else if (mode === "reuse")
    result = { ms: (await timed(() => startEnvironment({ quiet: true, reuse: true }))).ms };
  else if (mode === "reaper") {
    const { ms: clientMs, value: client } = await timed(() => getContainerRuntimeClient());
    const { ms: reaperMs } = await timed(() => getReaper(client));
    result = { ms: clientMs + reaperMs, clientMs, reaperMs };
  } else throw new Error("usage: start-once.ts cold|reuse|reaper");
  console.log(RESULT_PREFIX + JSON.stringify(result));
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
