#!/usr/bin/env node
import { mkdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { parseArgs } from "node:util";
import { CONTEXT_ENV, type EnvironmentContext, readContext, removeContext, writeContext } from "./context";
import { removeContainers } from "./docker";
import { startEnvironment } from "./environment";
import { checkServicesHealth } from "./helpers/health";
import { type ServiceName, service } from "./services";

const USAGE = `Usage: campaign-testenv <command> [options]

Commands:
  up [--env-file FILE] [--services a,b]   start the environment, print its settings as env lines
                                          (and write them to FILE), keep it running until Ctrl-C
  health                                  check each service of the running environment (exit 1 if any fails)
  down                                    remove the containers of the environment "up" started
  prune                                   remove every container this package ever labelled (after a crash)

Options and images come from CAMPAIGN_TESTENV_* env vars; see the README.`;

/** Where "up" records its context file, so that "health" and "down" in another shell find it. */
const CURRENT = path.join(os.tmpdir(), "campaign-testenv-current");

/** The settings apps and tools read, as KEY=value lines: the context file, then each service's own. */
export function envLines(context: EnvironmentContext, contextFile: string): string[] {
  return [
    `${CONTEXT_ENV}=${contextFile}`,
    ...context.services.flatMap((name) => service(name).envLines(context[name])),
  ];
}

async function up(args: string[]): Promise<number> {
  const { values } = parseArgs({
    args,
    options: { "env-file": { type: "string" }, services: { type: "string" } },
  });
  const services = values.services?.split(",").map((s) => s.trim()) as ServiceName[] | undefined;
  const environment = await startEnvironment({ services });
  const contextFile = writeContext(environment.context);
  mkdirSync(path.dirname(CURRENT), { recursive: true });
  writeFileSync(CURRENT, contextFile);
  const lines = envLines(environment.context, contextFile).join("\n") + "\n";
  process.stdout.write(lines);
  if (values["env-file"]) writeFileSync(values["env-file"], lines, { mode: 0o600 });
  process.stderr.write("campaign-testenv: running; press Ctrl-C to stop and remove it\n");

  await new Promise<void>((resolve) => {
    process.once("SIGINT", resolve);
    process.once("SIGTERM", resolve);
  });
  process.stderr.write("campaign-testenv: stopping\n");
  await environment.stop();
  removeContext(contextFile);
  rmSync(CURRENT, { force: true });
  if (values["env-file"]) rmSync(values["env-file"], { force: true });
  return 0;
}

function runningContextFile(): string | undefined {
  if (process.env[CONTEXT_ENV]) return process.env[CONTEXT_ENV];
  try {
    return readFileSync(CURRENT, "utf8").trim();
  } catch {
    return undefined;
  }
}

async function health(): Promise<number> {
  const file = runningContextFile();
  if (!file) {
    process.stderr.write(
      `campaign-testenv: no running environment: start one with "campaign-testenv up", or set ${CONTEXT_ENV}.\n`,
    );
    return 1;
  }
  const results = await checkServicesHealth(readContext(file));
  const paint = (ok: boolean, text: string) =>
    process.stdout.isTTY ? `\x1b[${ok ? 32 : 31}m${text}\x1b[0m` : text;
  for (const r of results) {
    const status = paint(r.healthy, r.healthy ? "healthy  " : "UNHEALTHY");
    process.stdout.write(
      `${r.service.padEnd(9)} ${status} ${r.latencyMs.toFixed(0).padStart(5)} ms  ${r.detail}\n`,
    );
  }
  return results.every((r) => r.healthy) ? 0 : 1;
}

async function remove(runId: string | undefined, what: string): Promise<number> {
  const removed = await removeContainers(runId);
  process.stdout.write(
    removed.length
      ? removed.map((r) => `removed ${r}\n`).join("")
      : `campaign-testenv: no ${what} to remove\n`,
  );
  return 0;
}

async function down(): Promise<number> {
  const file = runningContextFile();
  if (!file) return remove(undefined, "containers"); // nothing recorded: same as prune
  const { runId } = readContext(file);
  const code = await remove(runId, "containers of that environment");
  removeContext(file);
  rmSync(CURRENT, { force: true });
  return code;
}

export async function main(argv: string[]): Promise<number> {
  const [command, ...args] = argv;
  switch (command) {
    case "up":
      return up(args);
    case "health":
      return health();
    case "down":
      return down();
    case "prune":
      return remove(undefined, "campaign-testenv containers");
    default:
      process.stderr.write(`${USAGE}\n`);
      return command === undefined || command === "--help" || command === "help" ? 0 : 2;
  }
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => process.exit(code),
    (error: Error) => {
      process.stderr.write(`${error.message}\n`);
      process.exit(1);
    },
  );
}
