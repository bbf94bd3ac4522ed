import type { GenericContainer, StartedTestContainer } from "testcontainers";
import type { EnvironmentContext } from "../context";
import { ServiceError, guessFix } from "../errors";
import type { ResolvedOptions, ServiceName } from "../options";

/** One backing service: starts its container, initialises it and describes itself for the context. */
export interface Service<K extends ServiceName> {
  name: K;
  start(run: ServiceRun): Promise<NonNullable<EnvironmentContext[K]>>;
  /** Everything a started container depends on (image, migrations, specs): reuse mode hashes it. */
  fingerprint(options: ResolvedOptions): string;
}

/** Labels on every container this package starts: `down`/`prune` and failure cleanup find them by these. */
export const LABELS = {
  package: "campaign-testenv",
  run: "campaign-testenv.run",
  service: "campaign-testenv.service",
};

const LOG_TAIL_LINES = 20;

/** The state of one service while the environment starts: its steps, timings, container and log tail. */
export class ServiceRun {
  readonly steps: { name: string; ms: number }[] = [];
  container?: StartedTestContainer;
  /** Reuse mode found this service running from an earlier run. */
  reused = false;
  private readonly logTail: string[] = [];

  constructor(
    readonly service: ServiceName,
    readonly options: ResolvedOptions,
    readonly runId: string,
    /** Another service's context once it is ready (undefined when not started); the AWS secrets need it. */
    readonly peer: <K extends ServiceName>(name: K) => Promise<EnvironmentContext[K]>,
    /** A line for the startup output, such as a feature the server lacks. */
    readonly note: (message: string) => void,
  ) {}

  get image(): string {
    return this.options.images[this.service];
  }

  /** Runs one named step; a failure becomes a ServiceError naming the service, image, step and fix. */
  async step<T>(name: string, fn: () => Promise<T>, fix?: string): Promise<T> {
    const started = performance.now();
    try {
      const result = await fn();
      this.steps.push({ name, ms: performance.now() - started });
      return result;
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      const logTail = [...this.logTail];
      throw new ServiceError(
        this.runId,
        this.service,
        this.image,
        name,
        error,
        fix ?? guessFix(error, this.image, this.options.startupTimeoutMs, logTail),
        logTail,
      );
    }
  }

  /** Labels the container, keeps its last log lines for error messages, and starts it. */
  async startContainer<T extends StartedTestContainer>(
    container: GenericContainer & { start(): Promise<T> },
  ): Promise<T> {
    // Reuse mode: Testcontainers then leaves it out of the reaper's session, so it outlives this process.
    if (this.options.reuse) container.withReuse();
    container
      .withLabels({ [LABELS.package]: "true", [LABELS.run]: this.runId, [LABELS.service]: this.service })
      .withStartupTimeout(this.options.startupTimeoutMs)
      .withLogConsumer((stream) => {
        let partial = "";
        stream.on("data", (chunk: Buffer | string) => {
          const lines = (partial + chunk.toString()).split("\n");
          partial = lines.pop() ?? "";
          this.logTail.push(...lines.filter((l) => l.trim() !== ""));
          this.logTail.splice(0, Math.max(0, this.logTail.length - LOG_TAIL_LINES));
        });
      });
    this.container = await this.step("starting the container", () => container.start());
    return this.container as T;
  }
}
