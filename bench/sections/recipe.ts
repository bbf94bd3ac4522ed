// Section `recipe`: what a team choosing today would more often write instead (bench/recipe: a Jest global
// setup starting the four services through Testcontainers' modules, connection details in env vars, one
// shared database, TRUNCATE between tests) against campaign-testenv, both running the reference suite's
// test under Jest on 2 workers, cold, on each AWS flavour. Every side in a rotating order, REPEATS times.
import type { AwsFlavour } from "../../src";
import { rotate, summary } from "../lib";
import { buildPackage, runSuite, SUITE_CONFIGS, type SuiteRun } from "../runs";
import { FLAVOURS, flavourEnv, log, options, optionsFor, REPEATS } from "../settings";
import { ms, type Row, type SectionResult, times } from "../table";

const WORKERS = 2;
const SIDES = ["recipe", "campaign-testenv"] as const;
type Side = (typeof SIDES)[number];

/** The recipe reads its images and products from plain env vars of its own (bench/recipe/global-setup.ts). */
const recipeEnv = (flavour: AwsFlavour): NodeJS.ProcessEnv => ({
  ...process.env,
  POSTGRES_IMAGE: options.images.postgres,
  MONGO_IMAGE: options.images.mongo,
  MONGO_FLAVOUR: options.flavours.mongo,
  REDIS_IMAGE: options.images.redis,
  AWS_IMAGE: optionsFor(flavour).images.aws,
  AWS_FLAVOUR: flavour,
});

/** Collisions are counted, not thrown: on the recipe they are what the isolation row reports. */
const runSide = (side: Side, flavour: AwsFlavour): Promise<SuiteRun> =>
  runSuite({
    runner: "jest",
    config: side === "recipe" ? "bench/recipe/jest.config.ts" : SUITE_CONFIGS.jest,
    env: side === "recipe" ? recipeEnv(flavour) : flavourEnv(flavour),
    args: [`--maxWorkers=${WORKERS}`],
    collisionsFail: false,
  });

type Runs = Record<AwsFlavour, Record<Side, SuiteRun[]>>;

async function measure(): Promise<Runs> {
  await buildPackage();
  const runs = Object.fromEntries(
    FLAVOURS.map((f) => [f, { recipe: [], "campaign-testenv": [] }]),
  ) as unknown as Runs;
  const sides = FLAVOURS.flatMap((flavour) => SIDES.map((side) => ({ flavour, side })));
  for (let i = 0; i < REPEATS; i++) {
    for (const { flavour, side } of rotate(sides, i)) {
      const r = await runSide(side, flavour);
      runs[flavour][side].push(r);
      const collided = Object.values(r.collisions).reduce((a, b) => a + b, 0);
      log(
        `recipe ${i + 1}/${REPEATS}, ${flavour}, ${side}: first test at ${ms(r.firstTestMs)}, done at ${ms(r.wallMs)}, ${collided} collisions`,
      );
    }
  }
  return runs;
}

/** "5 collisions in 3 of 30 tests (sqs 3, postgres 2)" */
function collisions(runs: SuiteRun[]): { count: number; text: string } {
  const byStore: Record<string, number> = {};
  for (const r of runs)
    for (const [store, n] of Object.entries(r.collisions)) byStore[store] = (byStore[store] ?? 0) + n;
  const count = Object.values(byStore).reduce((a, b) => a + b, 0);
  const tests = runs.reduce((sum, r) => sum + r.tests, 0);
  const collided = runs.reduce((sum, r) => sum + r.collidedTests, 0);
  const stores = Object.entries(byStore).map(([store, n]) => `${store} ${n}`);
  return {
    count,
    text: `${count} collisions in ${collided} of ${tests} tests${stores.length ? ` (${stores.join(", ")})` : ""}`,
  };
}

function rows(runs: Runs): Row[] {
  const rows: Row[] = [];
  for (const flavour of FLAVOURS) {
    const { recipe, "campaign-testenv": pkg } = runs[flavour];
    const median = (side: SuiteRun[], of: (r: SuiteRun) => number[]) => summary(side.flatMap(of));
    const pair = (of: (r: SuiteRun) => number[]) => [median(recipe, of), median(pkg, of)];
    const what = `recipe vs campaign-testenv, ${flavour}, Jest cold on ${WORKERS} workers`;
    const [resetRecipe, resetPkg] = pair((r) => r.resetMs);
    const [recipeCollisions, pkgCollisions] = [collisions(recipe), collisions(pkg)];
    const compared = (of: (r: SuiteRun) => number[]) => {
      const [a, b] = pair(of);
      return `recipe ${ms(a.median)}, campaign-testenv ${ms(b.median)} (recipe ${times(a.median, b.median)})`;
    };
    rows.push(
      [`${what}: command to first test (median)`, compared((r) => [r.firstTestMs]), "report", undefined],
      [`${what}: whole run (median)`, compared((r) => [r.wallMs]), "report", undefined],
      [
        `${what}: per-test reset, each file's first (median / p95)`,
        `recipe's TRUNCATE and the rest ${ms(resetRecipe.median)} / ${ms(resetRecipe.p95)}, ` +
          `cleanTestData ${ms(resetPkg.median)} / ${ms(resetPkg.p95)}`,
        "report",
        undefined,
      ],
      [
        `recipe, ${flavour}: isolation across test files on ${WORKERS} workers`,
        `none (one shared database): ${recipeCollisions.text}`,
        "report",
        undefined,
      ],
      [
        `campaign-testenv, ${flavour}: isolation across test files on ${WORKERS} workers`,
        `a store set per file: ${pkgCollisions.text}`,
        "0 collisions",
        pkgCollisions.count === 0,
      ],
    );
  }
  return rows;
}

export async function recipe(): Promise<SectionResult> {
  log(
    `running the reference suite on the recipe (bench/recipe) and on campaign-testenv, Jest on ${WORKERS} workers`,
  );
  const data = await measure();
  return { rows: rows(data), data, samples: `${REPEATS} runs of each recipe side` };
}
