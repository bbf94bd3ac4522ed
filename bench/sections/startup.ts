// Section `startup`: the compose way, each AWS flavour's cold start (in a fresh process, with each
// service's timeline: when its container was created and running, and each step it records), each
// service's bare container (the cold start's floor), a fresh process's Testcontainers client and reaper,
// and the containers' idle memory. Every side in a rotating order, REPEATS times.
import { setTimeout as sleep } from "node:timers/promises";
import type { AwsFlavour, ServiceName } from "../../src";
import { composeDown, composeUp, findComposeOnce } from "../compose";
import { startInChild } from "../environments";
import { bareReady } from "../floor";
import { containersMemoryMiB, IDLE_SETTLE_MS, rotate, summary, type Summary } from "../lib";
import { FLAVOURS, flavourEnv, log, options, optionsFor, REPEATS } from "../settings";
import type { ServiceTimeline } from "../start-once";
import { ms, type Row, type SectionResult, times } from "../table";

const TARGETS = {
  /** Cold start against its slowest service's bare container. */
  floorRatio: 1.1,
  flavour: {
    localstack: { startup: 0.5, memoryMiB: 1200 },
    ministack: { startup: 0.3, memoryMiB: 400 },
  } satisfies Record<AwsFlavour, { startup: number; memoryMiB: number }>,
};

async function composeOnce(i: number): Promise<{ ms: number; memoryMiB: number }> {
  const started = performance.now();
  const up = await composeUp(options, `ctbench${process.pid}x${i}`);
  try {
    const ms = performance.now() - started;
    await sleep(IDLE_SETTLE_MS);
    return { ms, memoryMiB: (await containersMemoryMiB(up.containerIds)).totalMiB };
  } finally {
    await composeDown(up).catch((e: Error) => log(`compose down failed: ${e.message}`));
  }
}

/** The key of a service's bare container alone: its name, or `aws <flavour>` for each AWS flavour. */
const floorKey = (name: ServiceName, flavour: AwsFlavour) => (name === "aws" ? `aws ${flavour}` : name);

/**
 * The bare containers timed: every service but AWS alone (the same for each flavour), each flavour's AWS
 * alone, and each flavour's whole set at once (as the environment starts them).
 */
const floorJobs = () => [
  ...options.services
    .filter((name) => name !== "aws")
    .map((name) => ({ key: name as string, flavour: FLAVOURS[0], names: [name] })),
  ...(options.services.includes("aws")
    ? FLAVOURS.map((flavour) => ({ key: `aws ${flavour}`, flavour, names: ["aws" as ServiceName] }))
    : []),
  ...FLAVOURS.map((flavour) => ({ key: `all at once ${flavour}`, flavour, names: options.services })),
];

/** Each service's timeline in the median: its times, and each step's duration, over the runs that had it. */
export function medianTimeline(runs: ServiceTimeline[]) {
  const median = (values: number[]) => summary(values).median;
  const names = [...new Set(runs.flatMap((r) => r.steps.map((s) => s.name)))];
  const steps = names.map((name) => {
    const seen = runs.flatMap((r) => r.steps.filter((s) => s.name === name));
    return { name, startMs: median(seen.map((s) => s.startMs)), ms: median(seen.map((s) => s.ms)) };
  });
  return {
    createdMs: median(runs.map((r) => r.createdMs)),
    runningMs: median(runs.map((r) => r.runningMs)),
    readyMs: median(runs.map((r) => r.readyMs)),
    /** Within each run, so that it is a time of some run (a difference of medians may be none). */
    outsideMs: median(runs.map((r) => r.readyMs - r.steps.reduce((sum, step) => sum + step.ms, 0))),
    steps: steps.sort((a, b) => a.startMs - b.startMs),
  };
}
type Timeline = ReturnType<typeof medianTimeline>;

async function measure() {
  const compose: number[] = [];
  const composeMemory: number[] = [];
  const reaper: { clientMs: number; reaperMs: number }[] = [];
  const cold = Object.fromEntries(
    FLAVOURS.map((f) => [
      f,
      { ms: [] as number[], memory: [] as number[], services: [] as Record<string, ServiceTimeline>[] },
    ]),
  );
  const jobs = floorJobs();
  const floors = Object.fromEntries(jobs.map((job) => [job.key, [] as number[]]));
  await findComposeOnce();
  // The first container of this process also starts Testcontainers' reaper: not a floor, left out.
  await bareReady(optionsFor(FLAVOURS[0]), ["redis"]);
  const sides = ["compose", "floors", "reaper", ...FLAVOURS] as const;
  for (let i = 0; i < REPEATS; i++) {
    for (const which of rotate(sides, i)) {
      const round = `startup ${i + 1}/${REPEATS}`;
      if (which === "compose") {
        const r = await composeOnce(i);
        compose.push(r.ms);
        composeMemory.push(r.memoryMiB);
        log(`${round}: compose way ${ms(r.ms)}, ${r.memoryMiB.toFixed(0)} MiB`);
      } else if (which === "floors") {
        for (const job of rotate(jobs, i)) {
          const r = await bareReady(optionsFor(job.flavour), job.names);
          floors[job.key].push(job.names.length === 1 ? r.each[job.names[0]]! : r.together);
          log(`${round}: bare container ready, ${job.key}: ${ms(floors[job.key].at(-1)!)}`);
        }
      } else if (which === "reaper") {
        const r = await startInChild("reaper");
        reaper.push({ clientMs: r.clientMs!, reaperMs: r.reaperMs! });
        log(
          `${round}: a fresh process's Testcontainers client ${ms(r.clientMs!)}, reaper ${ms(r.reaperMs!)}`,
        );
      } else {
        const r = await startInChild("cold", flavourEnv(which));
        cold[which].ms.push(r.ms);
        cold[which].memory.push(r.memory?.totalMiB ?? NaN);
        cold[which].services.push(r.services!);
        log(`${round}: campaign-testenv cold, ${which}, ${ms(r.ms)}, ${r.memory?.totalMiB.toFixed(0)} MiB`);
      }
    }
  }
  return {
    compose: summary(compose),
    composeMemory: summary(composeMemory),
    floors: Object.fromEntries(Object.entries(floors).map(([key, samples]) => [key, summary(samples)])),
    reaper: {
      clientMs: summary(reaper.map((r) => r.clientMs)),
      reaperMs: summary(reaper.map((r) => r.reaperMs)),
    },
    cold: Object.fromEntries(
      FLAVOURS.map((f) => [
        f,
        {
          ms: summary(cold[f].ms),
          memory: summary(cold[f].memory),
          services: Object.fromEntries(
            options.services.map((name) => [name, medianTimeline(cold[f].services.map((s) => s[name]))]),
          ),
        },
      ]),
    ) as Record<AwsFlavour, { ms: Summary; memory: Summary; services: Record<string, Timeline> }>,
  };
}
type Startup = Awaited<ReturnType<typeof measure>>;

const s = (n: number) => (n / 1000).toFixed(2);

/** One service's cold start: when it was ready, when its container existed, and its steps of 10 ms or more. */
function timelineRow(flavour: AwsFlavour, name: ServiceName, t: Timeline, alone: number): Row {
  const steps = t.steps.filter((step) => step.ms >= 10).map((step) => `${step.name} ${s(step.ms)}`);
  return [
    `${flavour}: cold start, ${name} (median, s)`,
    `ready at ${s(t.readyMs)} (container created at ${s(t.createdMs)}, running at ${s(t.runningMs)}): ${steps.join(", ")}; outside steps ${s(t.outsideMs)}`,
    `bare alone ${ms(alone)}`,
    undefined,
  ];
}

/**
 * Where the cold start goes beyond its floor: along the service ready last, the time before its
 * container step, that step against the same container started alone, and its steps after it.
 */
function criticalPathRow(
  flavour: AwsFlavour,
  startup: Startup,
  slowest: { name: string; median: number },
): Row {
  const { services } = startup.cold[flavour];
  const last = options.services.reduce((a, b) => (services[b].readyMs > services[a].readyMs ? b : a));
  const t = services[last];
  const container = t.steps.find((step) => step.name === "starting the container");
  const containerEnd = container ? container.startMs + container.ms : 0;
  const alone = startup.floors[floorKey(last, flavour)].median;
  const firstCreated = Math.min(...options.services.map((name) => services[name].createdMs));
  return [
    `${flavour}: cold start minus its floor, along ${last} (ready last; median)`,
    `${ms(t.readyMs - slowest.median)}: before its container ${ms(container?.startMs ?? 0)}, its container ` +
      `${ms(container?.ms ?? 0)} (alone ${ms(alone)}; created at ${ms(t.createdMs)}, the first of the run at ` +
      `${ms(firstCreated)}), after it ${ms(t.readyMs - containerEnd)}`,
    `floor: ${slowest.name} bare alone ${ms(slowest.median)}`,
    undefined,
  ];
}

/** A flavour's slowest service alone: the floor its cold start is held against. */
function slowestFloor(floors: Record<string, Summary>, flavour: AwsFlavour) {
  const name = options.services.reduce((a, b) =>
    floors[floorKey(b, flavour)].median > floors[floorKey(a, flavour)].median ? b : a,
  );
  return { name, median: floors[floorKey(name, flavour)].median };
}

function rows(startup: Startup): Row[] {
  const { floors } = startup;
  const label = (name: ServiceName) => (name === "mongo" ? `mongo (${options.flavours.mongo})` : name);
  const rows: Row[] = [
    ["startup, compose way (median)", ms(startup.compose.median), "baseline", undefined],
    [
      "memory, compose way (idle, median)",
      `${startup.composeMemory.median.toFixed(0)} MiB`,
      "compose era: about 2.5 GB",
      undefined,
    ],
    ...options.services
      .filter((name) => name !== "aws")
      .map((name): Row => [
        `bare container ready, ${label(name)} (median)`,
        ms(floors[name].median),
        "floor",
        undefined,
      ]),
    [
      "a fresh process's Testcontainers client / reaper (median)",
      `${ms(startup.reaper.clientMs.median)} / ${ms(startup.reaper.reaperMs.median)}`,
      "report: before any container",
      undefined,
    ],
  ];
  for (const flavour of FLAVOURS) {
    const target = TARGETS.flavour[flavour];
    const cold = startup.cold[flavour];
    const ratio = cold.ms.median / startup.compose.median;
    const slowest = slowestFloor(floors, flavour);
    const floorRatio = cold.ms.median / slowest.median;
    rows.push(
      [
        `${flavour}: bare container ready, aws (median)`,
        ms(floors[`aws ${flavour}`].median),
        "floor",
        undefined,
      ],
      [
        `${flavour}: bare containers ready, all at once (median)`,
        ms(floors[`all at once ${flavour}`].median),
        "report",
        undefined,
      ],
      [
        `${flavour}: startup cold (median)`,
        `${ms(cold.ms.median)} (${times(cold.ms.median, startup.compose.median)} compose)`,
        `<= ${target.startup}x compose`,
        ratio <= target.startup,
      ],
      [
        `${flavour}: startup cold against its slowest bare container`,
        `${floorRatio.toFixed(2)}x (${slowest.name}, ${ms(slowest.median)})`,
        `<= ${TARGETS.floorRatio}x`,
        floorRatio <= TARGETS.floorRatio,
      ],
      criticalPathRow(flavour, startup, slowest),
      ...options.services.map((name) =>
        timelineRow(flavour, name, cold.services[name], floors[floorKey(name, flavour)].median),
      ),
      [
        `${flavour}: memory, all containers (idle, median)`,
        `${cold.memory.median.toFixed(0)} MiB`,
        `< ${target.memoryMiB} MiB`,
        cold.memory.median < target.memoryMiB,
      ],
    );
  }
  return rows;
}

export async function startup(): Promise<SectionResult> {
  const data = await measure();
  return { rows: rows(data), data, samples: `${REPEATS} runs of each startup side` };
}
