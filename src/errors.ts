/**
 * The package's own failures, one class each, so callers (and this package) tell them apart with
 * `instanceof`, never by their text. Every message is one or more sentences naming what failed and the
 * fix; none holds a credential. A failure of the runner's parent reaches test files as data (toWire)
 * and is rebuilt there as the same class (fromWire).
 */
export class CampaignTestenvError extends Error {
  override name = "CampaignTestenvError";
}

/** An option or CAMPAIGN_TESTENV_* env var has a value the package cannot use. Nothing was started. */
export class OptionsError extends CampaignTestenvError {
  override name = "OptionsError";
}

/** No Docker engine answers where Testcontainers looks for one. Nothing was started. */
export class DockerUnavailableError extends CampaignTestenvError {
  override name = "DockerUnavailableError";

  constructor(cause?: unknown) {
    const where = process.env.DOCKER_HOST ? `at DOCKER_HOST=${process.env.DOCKER_HOST}` : "on this machine";
    super(
      `campaign-testenv: no Docker engine answers ${where}; start Docker (Docker Desktop, ` +
        `"sudo systemctl start docker" or "sudo dockerd &") or point DOCKER_HOST at one, then run the tests again.`,
      { cause },
    );
  }
}

/** What a ServiceError says: the service, its image, the step, why, the fix and the container's log tail. */
export interface ServiceFailure {
  /** The run whose containers were removed after this failure (label campaign-testenv.run). */
  runId: string;
  service: string;
  image: string;
  step: string;
  reason: string;
  fix: string;
  logTail: string[];
}

/** A service failed: names the service, its image, the step, the fix and the container's last log lines. */
export class ServiceError extends CampaignTestenvError implements ServiceFailure {
  override name = "ServiceError";
  declare readonly runId: string;
  declare readonly service: string;
  declare readonly image: string;
  declare readonly step: string;
  declare readonly reason: string;
  declare readonly fix: string;
  declare readonly logTail: string[];

  constructor({ cause, ...failure }: ServiceFailure & { cause?: unknown }) {
    const { service, image, step, reason, fix, logTail } = failure;
    super(
      `campaign-testenv: ${service} (image ${image}) failed while ${step}: ${reason}\nFix: ${fix}` +
        logLines(service, logTail),
      { cause },
    );
    Object.assign(this, failure);
  }
}

/**
 * A service's container stopped (or was removed) while the run needed it: names the service, what was
 * being done, the exit code, the fix and its last log lines, instead of a bare "connect ECONNREFUSED".
 */
export class ServiceDownError extends CampaignTestenvError {
  override name = "ServiceDownError";

  constructor(
    readonly service: string,
    readonly containerId: string,
    /** undefined: the engine no longer has the container (removed). */
    readonly exitCode: number | undefined,
    readonly step: string,
    cause: unknown,
    oomKilled = false,
    readonly logTail: string[] = [],
  ) {
    const what =
      exitCode === undefined
        ? "was removed"
        : `exited with code ${exitCode}${oomKilled ? " (out of memory)" : ""}`;
    const fix = oomKilled
      ? "give the engine more memory"
      : "something outside this run stopped it (docker kill/stop/rm, campaign-testenv prune, or the engine restarting)";
    super(
      `campaign-testenv: the ${service} container ${containerId.slice(0, 12)} ${what} during the run, so ` +
        `${step} failed (${reasonOf(cause)}); ${fix}, then start the run again.` +
        logLines(service, logTail),
      { cause },
    );
  }
}

/** A failure's message, whatever was thrown. */
export const reasonOf = (cause: unknown) =>
  typeof (cause as Error | undefined)?.message === "string" ? (cause as Error).message : String(cause);

function logLines(service: string, logTail: string[]): string {
  if (logTail.length === 0) return "";
  return `\nLast ${logTail.length} log lines of the ${service} container:\n${logTail.map((l) => `  | ${l}`).join("\n")}`;
}

/** A service could not start because one it needs failed first; that one's own error is the cause to read. */
export class PeerFailedError extends CampaignTestenvError {
  override name = "PeerFailedError";

  constructor(readonly peer: string) {
    super(`${peer} did not start, see its own error`);
  }
}

/** Several services failed at once: every root cause, one after the other. Their containers are removed. */
export class StartupError extends CampaignTestenvError {
  override name = "StartupError";

  constructor(
    readonly runId: string,
    readonly failures: ServiceError[],
  ) {
    super(failures.map((f) => f.message).join("\n\n"), { cause: failures });
  }
}

/** No running environment for this process, or its context cannot be read or never became ready. */
export class ContextError extends CampaignTestenvError {
  override name = "ContextError";
}

/** Where each runner's users set the options: named by errors that tell them to change one. */
const CONFIG_OF_RUNNER = {
  jest: "the Jest config's globals.campaignTestenv",
  vitest: "the Vitest config's test.provide.campaignTestenv",
} as const;
export type Runner = keyof typeof CONFIG_OF_RUNNER;

/** A test asked for a service the environment was not started with, or that its setup did not ask for. */
export class MissingServiceError extends CampaignTestenvError {
  override name = "MissingServiceError";

  constructor(
    readonly missing: string[],
    started: string[],
    options: {
      /** Set when the environment has the service but this test file's setup did not ask for it. */
      requested?: string[];
      /** The runner whose config started the environment. */
      runner?: Runner;
    } = {},
  ) {
    const { requested, runner } = options;
    const config = runner ? ` (or the services option in ${CONFIG_OF_RUNNER[runner]})` : "";
    super(
      requested
        ? `campaign-testenv: this test uses ${missing.join(", ")}, but its setupTestEnvironment({ services }) ` +
            `asked for ${requested.join(", ")} only. Add ${missing.join(", ")} there.`
        : `campaign-testenv: this test needs ${missing.join(", ")}, but the environment was started with ` +
            `${started.join(", ")} only. Add ${missing.join(", ")} to CAMPAIGN_TESTENV_SERVICES${config}.`,
    );
  }
}

/** Every store set is in use, or the one a test asked for is. */
export class StoreSetError extends CampaignTestenvError {
  override name = "StoreSetError";
}

/** What one failed pull says: the image, what needed it, the registry, why, and the fix. */
export interface PullFailure {
  image: string;
  /** A service's name, or "the reaper". */
  neededBy: string;
  /** "Docker Hub", or the registry's host. */
  registry: string;
  reason: string;
  fix: string;
}

/**
 * An image the run needs could not be pulled: each failed pull, with its registry, reason and fix.
 * Nothing was started.
 */
export class ImagePullError extends CampaignTestenvError {
  override name = "ImagePullError";

  constructor(readonly pulls: PullFailure[]) {
    super(
      pulls
        .map(
          (p) =>
            `campaign-testenv: could not pull ${p.image} (for ${p.neededBy}) from ${p.registry}: ${p.reason}.\n` +
            `Fix: ${p.fix}.`,
        )
        .join("\n"),
    );
  }
}

/** An AWS emulator could not make a Lambda function runnable (no runtime image, no engine...): its reason. */
export class FunctionFailedError extends CampaignTestenvError {
  override name = "FunctionFailedError";
}

/** An error as data, to cross from the runner's parent to test files in the context file. */
export interface WireError {
  name: string;
  message: string;
  /** The class's own fields (service, image, step, fix, logTail, failures...). */
  fields: Record<string, unknown>;
}

/** Every class above: an error crosses to a test file as the class it was (the unit test checks it is all). */
export const WIRE_CLASSES = {
  CampaignTestenvError,
  OptionsError,
  DockerUnavailableError,
  ServiceError,
  ServiceDownError,
  PeerFailedError,
  StartupError,
  ContextError,
  MissingServiceError,
  StoreSetError,
  ImagePullError,
  FunctionFailedError,
};

/** The error as data: its class name, message and own fields; nested failures too. */
export function toWire(error: unknown): WireError {
  if (!(error instanceof Error)) return { name: "CampaignTestenvError", message: String(error), fields: {} };
  const { name, message } = error;
  const fields: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(error)) {
    if (key === "name" || key === "cause") continue;
    fields[key] = key === "failures" ? (value as Error[]).map(toWire) : value;
  }
  return { name, message, fields };
}

/** The same class again, with the same message and fields (an unknown class: its message, as ours). */
export function fromWire({ name, message, fields }: WireError): CampaignTestenvError {
  const Class: { prototype: CampaignTestenvError; name: string } =
    name in WIRE_CLASSES ? WIRE_CLASSES[name as keyof typeof WIRE_CLASSES] : CampaignTestenvError;
  const error = new CampaignTestenvError(message);
  Object.setPrototypeOf(error, Class.prototype);
  const own = { ...fields };
  if (Array.isArray(own.failures)) own.failures = (own.failures as WireError[]).map(fromWire);
  return Object.assign(error, own, { name: Class === CampaignTestenvError ? name : Class.name });
}

/**
 * The usual fix for a start failure, read from the error text and the log tail, where the step itself
 * has none to give: first what the service knows (`serviceFix`), then what applies to any container.
 */
export function guessFix(
  cause: unknown,
  startupTimeoutMs: number,
  logTail: string[],
  serviceFix?: (text: string) => string | undefined,
): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const text = `${message}\n${logTail.join("\n")}`;
  const own = serviceFix?.(text);
  if (own) return own;
  // The engine's own answer, not the container's log: a log line that mentions a registry is no pull error.
  if (/pull|manifest|no such image|repository does not exist|registry/i.test(message)) {
    // The reaper starts with the first container, so its pull error surfaces under whichever service that was.
    const ryuk = process.env.RYUK_CONTAINER_IMAGE ?? "testcontainers/ryuk (Testcontainers' default)";
    return (
      `the image is neither present nor pullable, or the reaper image ${ryuk} is not (it starts with the ` +
      `first container). Check the names, set TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX to a registry mirror, ` +
      `or set the service's CAMPAIGN_TESTENV_<SERVICE>_IMAGE (and RYUK_CONTAINER_IMAGE) to images the ` +
      `engine has; see docs/TROUBLESHOOTING.md in the package.`
    );
  }
  if (/timed? ?out|timeout|not received after|not healthy after/i.test(text)) {
    return (
      `the container was not ready within ${startupTimeoutMs} ms. Read its log below; on a slow machine ` +
      `raise startupTimeoutMs / CAMPAIGN_TESTENV_STARTUP_TIMEOUT_MS.`
    );
  }
  return "read the container's log below; run with CAMPAIGN_TESTENV_VERBOSE=true and DEBUG=testcontainers* for more.";
}
