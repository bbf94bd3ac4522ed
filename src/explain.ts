import { setTimeout as sleep } from "node:timers/promises";
import type { EnvironmentContext } from "./context";
import { containerState } from "./docker";
import { CampaignTestenvError, reasonOf, ServiceDownError } from "./errors";
import type { Service, ServiceTypes } from "./service";
import { type ServiceName, service } from "./services";

const CONNECTION_CODES = new Set([
  "ECONNREFUSED",
  "ECONNRESET",
  "EPIPE",
  "ETIMEDOUT",
  "EHOSTUNREACH",
  "ENOTCONN",
]);
/** What Node's own sockets say, in any client's message; each client's own words are its service's. */
const CONNECTION_TEXT = /socket hang up|ECONNREFUSED|ECONNRESET/i;

const STATE_ATTEMPTS = 4;

/**
 * True for the errors a client gives when its server went away: refused, reset or closed sockets, or
 * what the service's own client says then (its `lostConnection`).
 */
export function isConnectionError(
  error: unknown,
  of?: Pick<Service<ServiceTypes>, "lostConnection">,
): boolean {
  // Read, not `instanceof Error`: Node's socket errors come from another realm under Jest.
  type Failure = { code?: unknown; name?: unknown; message?: unknown; cause?: unknown };
  for (let e = error as Failure | undefined, depth = 0; typeof e === "object" && e && depth < 5; depth++) {
    if (typeof e.code === "string" && CONNECTION_CODES.has(e.code)) return true;
    if (of?.lostConnection?.(e)) return true;
    if (typeof e.message === "string" && CONNECTION_TEXT.test(e.message)) return true;
    e = e.cause as Failure | undefined;
  }
  return false;
}

/**
 * The error to show for a failed call to `name`: a ServiceDownError naming the container, its exit
 * code and last log lines when the failure is a lost connection and the container is no longer
 * running; otherwise `error` itself. `step` says what was being done ("a query", "the health check").
 */
export async function explainFailure(
  context: EnvironmentContext,
  name: ServiceName,
  step: string,
  error: unknown,
): Promise<unknown> {
  const id = context.containers?.[name];
  if (!id || error instanceof ServiceDownError || !isConnectionError(error, service(name))) return error;
  // A killed container can still read as running for a moment after its connections dropped.
  for (let attempt = 0; attempt < STATE_ATTEMPTS; attempt++) {
    if (attempt > 0) await sleep(250);
    const state = await containerState(id).catch(() => "unknown" as const); // engine gone too: keep the client's error
    if (state === "unknown") return error;
    if (!state?.running) {
      return new ServiceDownError(name, id, state?.exitCode, step, error, state?.oomKilled, state?.logTail);
    }
  }
  return error;
}

/** How long a store set's preparation keeps trying again after lost connections to a running container. */
const RETRY_LOST_MS = 20_000;

/**
 * Runs `step` (a store set's preparation, say), and again while it fails with a lost connection to
 * `name`'s container that is still running: on a loaded machine, a burst of new connections (many
 * runner workers starting at once) can be refused or reset for a moment. Any other failure, a stopped
 * container's (a ServiceDownError), is thrown, explained; lost connections for `retryMs` end in a
 * sentence that says so.
 */
export async function retryingLostConnections<T>(
  context: EnvironmentContext,
  name: ServiceName,
  what: string,
  step: () => Promise<T>,
  retryMs = RETRY_LOST_MS,
): Promise<T> {
  const deadline = performance.now() + retryMs;
  for (let pause = 250; ; pause = Math.min(pause * 2, 2000)) {
    try {
      return await step();
    } catch (error) {
      const explained = await explainFailure(context, name, what, error);
      if (explained !== error || !isConnectionError(error, service(name))) throw explained;
      if (performance.now() + pause > deadline) {
        throw new CampaignTestenvError(
          `campaign-testenv: ${name} kept refusing or dropping connections for ${(retryMs / 1000).toFixed(0)} s ` +
            `while ${what} (last: ${reasonOf(error)}), though its container runs; the machine may be ` +
            `overloaded: run with fewer runner workers (--maxWorkers), or read the container's log.`,
          { cause: error },
        );
      }
      await sleep(pause);
    }
  }
}
