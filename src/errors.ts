import type { ServiceName } from "./options";

/** A service failed: names the service, its image, the step, the fix and the container's last log lines. */
export class ServiceError extends Error {
  override name = "ServiceError";

  constructor(
    /** The run whose containers were removed after this failure (label campaign-testenv.run). */
    readonly runId: string,
    readonly service: ServiceName,
    readonly image: string,
    readonly step: string,
    cause: unknown,
    readonly fix: string,
    readonly logTail: string[] = [],
  ) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    const logs = logTail.length
      ? `\nLast ${logTail.length} log lines of the ${service} container:\n${logTail.map((l) => `  | ${l}`).join("\n")}`
      : "";
    super(
      `campaign-testenv: ${service} (image ${image}) failed while ${step}: ${reason}\nFix: ${fix}${logs}`,
      {
        cause,
      },
    );
  }
}

export class DockerUnavailableError extends Error {
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

/** The usual fix for a failure, read from the error text, where the step itself has none to give. */
export function guessFix(cause: unknown, image: string, startupTimeoutMs: number, logTail: string[]): string {
  const text = `${cause instanceof Error ? cause.message : String(cause)}\n${logTail.join("\n")}`;
  if (/License activation failed|LOCALSTACK_AUTH_TOKEN|exit(ed)? (with )?code:? ?55/i.test(text)) {
    return (
      "LocalStack releases after 4.14.0 need an account: set LOCALSTACK_AUTH_TOKEN, or use " +
      "localstack/localstack:4.14.0 (the default), or a local build (npm run images:build)."
    );
  }
  if (/pull|manifest|no such image|repository does not exist|registry/i.test(text)) {
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
