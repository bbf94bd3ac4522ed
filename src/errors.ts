/**
 * The package's own failures, one class each, so callers (and this package) tell them apart with
 * `instanceof`, never by their text. Every message is one or more sentences naming what failed and the
 * fix; none holds a credential.
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

  constructor(cause: unknown) {
    const where = process.env.DOCKER_HOST ? `at DOCKER_HOST=${process.env.DOCKER_HOST}` : "on this machine";
    super(
      `campaign-testenv: no Docker engine answers ${where}; start Docker (Docker Desktop, ` +
        `"sudo systemctl start docker", or "bash scripts/ensure-docker.sh" in this repo) or point DOCKER_HOST at one, then run the tests again.`,
      { cause },
    );
  }
}

/** A service failed: names the service, its image, the step, the fix and the container's last log lines. */
export class ServiceError extends CampaignTestenvError {
  override name = "ServiceError";

  constructor(
    /** The run whose containers were removed after this failure (label campaign-testenv.run). */
    readonly runId: string,
    readonly service: string,
    readonly image: string,
    readonly step: string,
    cause: unknown,
    readonly fix: string,
    readonly logTail: string[] = [],
  ) {
    super(
      `campaign-testenv: ${service} (image ${image}) failed while ${step}: ${reasonOf(cause)}\nFix: ${fix}` +
        logLines(service, logTail),
      { cause },
    );
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

const reasonOf = (cause: unknown) =>
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

/** The context file is missing or unreadable: no environment is running for this process. */
export class ContextError extends CampaignTestenvError {
  override name = "ContextError";
}

/** A test asked for a service the environment was not started with. */
export class MissingServiceError extends CampaignTestenvError {
  override name = "MissingServiceError";

  constructor(
    readonly missing: string[],
    started: string[],
    /** Set when the environment has the service but this test file's setup did not ask for it. */
    requested?: string[],
  ) {
    super(
      requested
        ? `campaign-testenv: this test uses ${missing.join(", ")}, but its setupTestEnvironment({ services }) ` +
            `asked for ${requested.join(", ")} only. Add ${missing.join(", ")} there.`
        : `campaign-testenv: this test needs ${missing.join(", ")}, but the environment was started with ` +
            `${started.join(", ")} only. Add ${missing.join(", ")} to CAMPAIGN_TESTENV_SERVICES ` +
            `(or the services option of the Jest globals.campaignTestenv).`,
    );
  }
}

/** The runner's environment failed to start (after the run began): every waiting test file says so. */
export class StartupFailedError extends CampaignTestenvError {
  override name = "StartupFailedError";

  constructor(reason: string) {
    super(`campaign-testenv: the environment of this run did not start; its error:\n${reason}`);
  }
}

/** The usual fix for a failure, read from the error text, where the step itself has none to give. */
export function guessFix(cause: unknown, image: string, startupTimeoutMs: number, logTail: string[]): string {
  const message = cause instanceof Error ? cause.message : String(cause);
  const text = `${message}\n${logTail.join("\n")}`;
  if (/License activation failed|LOCALSTACK_AUTH_TOKEN|exit(ed)? (with )?code:? ?55/i.test(text)) {
    return (
      "LocalStack releases after 4.14.0 need an account: set LOCALSTACK_AUTH_TOKEN, or use " +
      "localstack/localstack:4.14.0 (the default), or a local build (npm run images:build)."
    );
  }
  // The engine's own answer, not the container's log: a log line that mentions a registry is no pull error.
  if (/pull|manifest|no such image|repository does not exist|registry/i.test(message)) {
    // The reaper starts with the first container, so its pull error surfaces under whichever service that was.
    const ryuk = process.env.RYUK_CONTAINER_IMAGE ?? "testcontainers/ryuk (Testcontainers' default)";
    return (
      `the image ${image} is neither present nor pullable, or the reaper image ${ryuk} is not (it starts ` +
      `with the first container). Check the names, build them locally (npm run images:build, then load ` +
      `images/local.env, which sets RYUK_CONTAINER_IMAGE too), or set TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX ` +
      `to a registry mirror.`
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
