#!/usr/bin/env node
import { closeSync, existsSync, fchmodSync, openSync, readFileSync, rmSync, writeSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs, type ParseArgsConfig, styleText } from "node:util";
import {
  CONTEXT_ENV,
  type EnvironmentContext,
  readContext,
  readRunFile,
  removeContext,
  removeDeadRuns,
  writeRunFile,
} from "./context";
import { LABELS, readLogLines, removeContainers } from "./docker";
import { isAlive } from "./lock";
import { pullImages, startEnvironment } from "./environment";
import { oldFlagHint } from "./compat";
import { CampaignTestenvError } from "./errors";
import { checkServicesHealth } from "./helpers/health";
import { environmentVariables } from "./helpers/variables";
import { removeStaleContexts, reusedContainers } from "./reuse";
import type { ServiceName } from "./services";
import { poll } from "./poll";
import { onStopSignal } from "./signals";

const USAGE = `Usage: campaign-testenv <command> [options]

Commands:
  up [--write-env FILE] [--services a,b]   start the environment and print its connection settings,
     [--migrations DIR] [--no-reset-tracking]
                                           passwords included (that is their purpose), as KEY=value
                                           lines; --write-env also writes them to FILE (mode 0600).
                                           --migrations: your own NNN_name.sql files (an empty folder
                                           gives a plain database); --no-reset-tracking: nothing of
                                           this package in the database (cleanTestData truncates).
                                           Runs until Ctrl-C (SIGINT), SIGTERM or SIGHUP, then removes
                                           its containers and every file it wrote; a second Ctrl-C
                                           exits at once (the reaper removes the containers).
  pull [--services a,b]                    pull the images the configured services and flavours need
                                           (and the reaper's) that the engine lacks, with progress: a CI
                                           step before the tests, or a first run on a slow network
  health                                   check each service of the running environment (exit 1 if any fails)
  logs [service] [--follow]                the container logs of the running "up" environment, or
                                           else of the reused one; --follow (-f) keeps printing
  down                                     stop the environment "up" started (its containers and files)
  prune                                    remove every container this package labelled, the folders
                                           of runs whose process is gone, and stale reuse records

Options and images come from CAMPAIGN_TESTENV_* env vars; see the README.`;

/** Where "up" records its context file, so that "health", "logs" and "down" in another shell find it. */
const CURRENT = () => path.join(os.tmpdir(), "campaign-testenv-current");

/** An expected failure of a command: printed as its one sentence, exit code 1. */
class CommandError extends CampaignTestenvError {}

/** The settings apps and tools read, by name: the context file, then each service's own. */
const variablesOf = (context: EnvironmentContext, contextFile: string): Record<string, string> => ({
  [CONTEXT_ENV]: contextFile,
  ...environmentVariables(context),
});

const linesOf = (variables: Record<string, string>) =>
  Object.entries(variables).map(([name, value]) => `${name}=${value}`);

/** Those settings as KEY=value lines, what `up` prints. */
export const envLines = (context: EnvironmentContext, contextFile: string): string[] =>
  linesOf(variablesOf(context, contextFile));

function parse<T extends NonNullable<ParseArgsConfig["options"]>>(
  command: string,
  args: string[],
  options: T,
) {
  try {
    return parseArgs({ args, options, allowPositionals: command === "logs", allowNegative: true });
  } catch (error) {
    throw new CommandError(
      `campaign-testenv ${command}: ${(error as Error).message.split(".")[0]}${oldFlagHint(args)}; run "campaign-testenv help" for the options.`,
    );
  }
}

/** Writes a file only its owner can read, even if it existed with wider permissions. */
function writePrivate(file: string, text: string): void {
  let fd: number;
  try {
    fd = openSync(file, "w", 0o600);
  } catch (error) {
    throw new CommandError(
      `campaign-testenv up: cannot write the settings to ${file} (${(error as NodeJS.ErrnoException).code}); give --write-env a file in an existing, writable folder.`,
    );
  }
  try {
    fchmodSync(fd, 0o600);
    writeSync(fd, text);
  } finally {
    closeSync(fd);
  }
}

/** The --services option: a list, or undefined for the configured ones. */
const servicesOf = (value: string | undefined) =>
  value?.split(",").map((s) => s.trim()) as ServiceName[] | undefined;

async function pull(args: string[]): Promise<number> {
  const { values } = parse("pull", args, { services: { type: "string" } });
  const pulled = await pullImages({ services: servicesOf(values.services) });
  if (pulled.length === 0)
    process.stderr.write("campaign-testenv: every image the run needs is here already\n");
  return 0;
}

async function up(args: string[]): Promise<number> {
  const { values } = parse("up", args, {
    "write-env": { type: "string" },
    services: { type: "string" },
    migrations: { type: "string" },
    "reset-tracking": { type: "boolean" },
  });
  removeDeadRuns();
  const environment = await startEnvironment({
    services: servicesOf(values.services),
    migrationsDir: values.migrations,
    resetTracking: values["reset-tracking"],
  });
  const written: string[] = [];
  const stop = async () => {
    for (const file of written) rmSync(file, { recursive: true, force: true });
    await environment.stop();
  };
  let lines: string;
  try {
    const contextFile = writeRunFile(environment.context);
    written.push(path.dirname(contextFile));
    writePrivate(CURRENT(), contextFile);
    written.push(CURRENT());
    const variables = variablesOf(environment.context, contextFile);
    lines = linesOf(variables).join("\n") + "\n";
    const file = values["write-env"];
    if (file) {
      writePrivate(file, lines);
      written.push(path.resolve(file));
      process.stderr.write(`campaign-testenv: wrote ${Object.keys(variables).join(", ")} to ${file}\n`);
    }
  } catch (error) {
    await stop();
    throw error;
  }
  process.stdout.write(lines);
  process.stderr.write("campaign-testenv: running; press Ctrl-C to stop and remove it\n");

  await new Promise<void>((resolve) => {
    const keepAlive = setInterval(() => undefined, 1 << 30); // signal listeners alone do not keep Node running
    onStopSignal(async () => {
      clearInterval(keepAlive);
      resolve();
    });
  });
  await stop();
  process.stderr.write("campaign-testenv: stopped; its containers and files are removed\n");
  return 0;
}

function runningContextFile(): string | undefined {
  if (process.env[CONTEXT_ENV]) return process.env[CONTEXT_ENV];
  try {
    return readFileSync(CURRENT(), "utf8").trim();
  } catch {
    return undefined;
  }
}

const NO_ENVIRONMENT = `no running environment: start one with "campaign-testenv up", or set ${CONTEXT_ENV}`;

async function health(): Promise<number> {
  const file = runningContextFile();
  if (!file) throw new CommandError(`campaign-testenv health: ${NO_ENVIRONMENT}.`);
  const results = await checkServicesHealth(readContext(file));
  // Coloured on a terminal unless NO_COLOR (or TERM=dumb) says not to, and wherever FORCE_COLOR says to.
  const paint = (ok: boolean, text: string) =>
    styleText(ok ? "green" : "red", text, { stream: process.stdout });
  for (const r of results) {
    const status = paint(r.healthy, r.healthy ? "healthy  " : "UNHEALTHY");
    process.stdout.write(
      `${r.service.padEnd(9)} ${status} ${r.latencyMs.toFixed(0).padStart(5)} ms  ${r.detail}\n`,
    );
  }
  return results.every((r) => r.healthy) ? 0 : 1;
}

/** The containers of the running "up" environment, or else the most recently used reused one of each service. */
async function knownContainers(): Promise<Map<string, string>> {
  const file = runningContextFile();
  if (file && existsSync(file)) return new Map(Object.entries(readContext(file).containers ?? {}));
  const found = new Map<string, string>();
  for (const container of await reusedContainers()) {
    const name = container.Labels[LABELS.service];
    if (!found.has(name)) found.set(name, container.Id);
  }
  return found;
}

async function logs(args: string[]): Promise<number> {
  const { values, positionals } = parse("logs", args, { follow: { type: "boolean", short: "f" } });
  const known = await knownContainers();
  if (known.size === 0) throw new CommandError(`campaign-testenv logs: ${NO_ENVIRONMENT}, or reuse one.`);
  const names = positionals.length > 0 ? positionals : [...known.keys()];
  const unknown = names.filter((n) => !known.has(n));
  if (unknown.length > 0) {
    throw new CommandError(
      `campaign-testenv logs: the environment has no ${unknown.join(", ")}; choose from ${[...known.keys()].join(", ")}.`,
    );
  }
  const prefix = (name: string) => (names.length > 1 ? `${name.padEnd(8)} | ` : "");
  const show = (name: string) =>
    readLogLines(known.get(name)!, { follow: values.follow }, (line) => {
      if (line !== "") process.stdout.write(`${prefix(name)}${line}\n`);
    }).catch((error: { statusCode?: number }) => {
      if (error.statusCode !== 404) throw error;
      throw new CommandError(
        `campaign-testenv logs: the ${name} container ${known.get(name)!.slice(0, 12)} is gone; start the environment again.`,
      );
    });
  // Followed logs interleave as they come; past logs print one service after another, each in one block.
  if (values.follow) await Promise.all(names.map(show));
  else for (const name of names) await show(name);
  return 0;
}

function report(lines: string[], none: string): void {
  process.stdout.write(
    lines.length ? lines.map((l) => `removed ${l}\n`).join("") : `campaign-testenv: ${none}\n`,
  );
}

async function down(): Promise<number> {
  const file = runningContextFile();
  if (!file || !existsSync(file)) {
    throw new CommandError(
      `campaign-testenv down: ${NO_ENVIRONMENT}; "campaign-testenv prune" removes everything.`,
    );
  }
  const {
    pid,
    context: { runId },
  } = readRunFile(file);
  if (pid && pid !== process.pid && isAlive(pid)) {
    process.kill(pid, "SIGTERM"); // "up" removes its containers and every file it wrote, then exits
    const exited = () =>
      isAlive(pid) ? { done: false as const } : { done: true as const, value: undefined };
    // Still running after that: its containers are removed below all the same.
    await poll(exited, { timeoutMs: 10_000, intervalMs: 100 }, () => new Error("up did not exit")).catch(
      () => undefined,
    );
  }
  report(await removeContainers(runId), "no containers of that environment left");
  removeContext(file);
  rmSync(CURRENT(), { force: true });
  return 0;
}

async function prune(): Promise<number> {
  report(await removeContainers(), "no campaign-testenv containers to remove");
  const current = runningContextFile();
  if (current && !existsSync(current)) rmSync(CURRENT(), { force: true });
  report(
    [...removeDeadRuns(), ...(await removeStaleContexts())],
    "no run folders or reuse records to remove",
  );
  return 0;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "up":
      return up(args);
    case "pull":
      return pull(args);
    case "health":
      return health();
    case "logs":
      return logs(args);
    case "down":
      return down();
    case "prune":
      return prune();
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === "--help" || command === "help" ? 0 : 2;
  }
}

if (require.main === module) {
  // A reader that stops early (`logs | head`, `logs | grep -q`) closes the pipe. A printing command then
  // ends with 0, as Unix tools do; `up` keeps its environment until it is stopped.
  process.stdout.on("error", (error: NodeJS.ErrnoException) => {
    if (error.code !== "EPIPE") throw error;
    if (process.argv[2] !== "up") process.exit(0);
  });
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      // The package's own errors are sentences with the fix; anything else is a bug worth its stack.
      const expected = error instanceof CampaignTestenvError;
      process.stderr.write(
        expected ? `${error.message}\n` : `campaign-testenv: unexpected error: ${error.stack}\n`,
      );
      process.exit(1);
    },
  );
}
