// Section `startup`: the compose way, each AWS flavour's cold start (in a fresh process), each service's
// bare container (the cold start's floor), and the containers' idle memory. Every side in a rotating
// order, REPEATS times.
import { setTimeout as sleep } from "node:timers/promises";
import type { AwsFlavour, ServiceName } from "../../src";
import { composeDown, composeUp, findComposeOnce } from "../compose";
import { startInChild } from "../environments";
import { bareReady } from "../floor";
import { containersMemoryMiB, IDLE_SETTLE_MS, rotate, summary, type Summary } from "../lib";
import { FLAVOURS, flavourEnv, log, options, optionsFor, REPEATS } from "../settings";
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

async function measure() {
  const compose: number[] = [];
  const composeMemory: number[] = [];
  const cold = Object.fromEntries(FLAVOURS.map((f) => [f, { ms: [] as number[], memory: [] as number[] }]));
  const jobs = floorJobs();
  const floors = Object.fromEntries(jobs.map((job) => [job.key, [] as number[]]));
  await findComposeOnce();
  // The first container of this process also starts Testcontainers' reaper: not a floor, left out.
  await bareReady(optionsFor(FLAVOURS[0]), ["redis"]);
  const sides = ["compose", "floors", ...FLAVOURS] as const;
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
      } else {
        const r = await startInChild("cold", flavourEnv(which));
        cold[which].ms.push(r.ms);
        cold[which].memory.push(r.memory?.totalMiB ?? NaN);
        log(`${round}: campaign-testenv cold, ${which}, ${ms(r.ms)}, ${r.memory?.totalMiB.toFixed(0)} MiB`);
      }
    }
  }
  return {
    compose: summary(compose),
    composeMemory: summary(composeMemory),
    floors: Object.fromEntries(Object.entries(floors).map(([key, samples]) => [key, summary(samples)])),
    cold: Object.fromEntries(
      FLAVOURS.map((f) => [f, { ms: summary(cold[f].ms), memory: summary(cold[f].memory) }]),
    ) as Record<AwsFlavour, { ms: Summary; memory: Summary }>,
  };
}
type Startup = Awaited<ReturnType<typeof measure>>;

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
