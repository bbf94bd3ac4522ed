// npm run bench: campaign-testenv against the Campaign System's old compose way and against the recipe a
// team would write instead, measured side by side in one run on this machine with the same images. Each
// section (bench/sections/) measures and returns its rows with their targets; this prints them as one
// table and writes bench/results/<timestamp>.json. BENCH_ONLY=<section>[,<section>...] runs only those.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { packageRoot } from "../src/paths";
import { load } from "./sections/load";
import { recipe } from "./sections/recipe";
import { reset } from "./sections/reset";
import { reuse } from "./sections/reuse";
import { runners } from "./sections/runners";
import { startup } from "./sections/startup";
import { storeSets } from "./sections/store-sets";
import { suite } from "./sections/suite";
import { FLAVOURS, log, options, optionsFor, REPEATS } from "./settings";
import { type Row, type SectionResult, table } from "./table";

/** In the order they run. */
const SECTIONS: Record<string, () => Promise<SectionResult>> = {
  startup,
  reuse,
  reset,
  "store-sets": storeSets,
  load,
  suite,
  recipe,
  runners,
};

export function selectedSections(only = process.env.BENCH_ONLY ?? ""): string[] {
  const names = only
    .split(",")
    .map((s) => s.trim())
    .filter(Boolean);
  const unknown = names.filter((name) => !(name in SECTIONS));
  if (unknown.length) {
    throw new Error(
      `bench: BENCH_ONLY names no section ${unknown.join(", ")}; choose from ${Object.keys(SECTIONS).join(", ")}.`,
    );
  }
  return Object.keys(SECTIONS).filter((name) => names.length === 0 || names.includes(name));
}

async function measure(sections: string[]): Promise<void> {
  log(`sections ${sections.join(", ")}; flavours ${FLAVOURS.join(", ")}`);
  log(
    `services ${options.services.join(", ")}; images ${options.services.map((s) => options.images[s]).join(", ")}`,
  );
  const machine = { cores: os.cpus().length, memoryGiB: os.totalmem() / 2 ** 30, loadAverage: os.loadavg() };
  log(
    `machine: ${machine.cores} cores, ${machine.memoryGiB.toFixed(0)} GiB, load ${machine.loadAverage[0].toFixed(2)}`,
  );
  const rows: Row[] = [];
  const samples: string[] = [];
  const results: Record<string, unknown> = {};
  for (const name of sections) {
    const result = await SECTIONS[name]();
    rows.push(...result.rows);
    samples.push(result.samples);
    results[name] = result.data;
  }
  console.log(`\n${table(rows)}\n\n${[...samples, "one noisy shared machine"].join(", ")}.`);

  const dir = path.join(__dirname, "results");
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${new Date().toISOString().replace(/[:.]/g, "-")}.json`);
  const images = {
    ...options.images,
    ...Object.fromEntries(FLAVOURS.map((f) => [f, optionsFor(f).images.aws])),
  };
  const json = {
    date: new Date().toISOString(),
    machine,
    sections,
    services: options.services,
    images,
    repeats: REPEATS,
  };
  writeFileSync(file, JSON.stringify({ ...json, results }, null, 2) + "\n");
  log(`written ${path.relative(packageRoot, file)}`);
}

async function main(): Promise<void> {
  const sections = selectedSections();
  // The run folders (context, credentials, pool) of the bench's runs in a temporary folder of its own,
  // kept between bench runs like /tmp (Jest's cache is there too): a process of another version of the
  // package sharing /tmp may not read their context, take them for dead runs, and remove them mid-run.
  process.env.TMPDIR = path.join(os.tmpdir(), "campaign-testenv-bench");
  mkdirSync(process.env.TMPDIR, { recursive: true });
  // Reuse mode's contexts and locks in a folder of the bench's own, for every run it starts: its reuse runs
  // never take an environment someone keeps on this machine, and it knows its own containers to remove.
  process.env.XDG_CACHE_HOME = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-bench-"));
  try {
    await measure(sections);
  } finally {
    rmSync(process.env.XDG_CACHE_HOME, { recursive: true, force: true });
  }
}

if (require.main === module) {
  main().catch((error: unknown) => {
    console.error(error);
    process.exit(1);
  });
}
