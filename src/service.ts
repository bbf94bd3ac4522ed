import type { HostConfig } from "dockerode";
import type { GenericContainer, StartedTestContainer } from "testcontainers";
import { LABELS, publishesOnLoopback } from "./docker";
import { ServiceError, guessFix } from "./errors";

/** The main database of PostgreSQL and Mongo: what `campaign-testenv up` users and unisolated code use. */
export const MAIN_DATABASE = "campaign";

/** What one service's start reads: the options, resolved for that service. */
export interface ServiceSettings<Flavour extends string = string> {
  image: string;
  flavour: Flavour;
  startupTimeoutMs: number;
  /** Keep the container after this process (reuse mode): Testcontainers' reaper must not remove it. */
  reuse: boolean;
  migrationsDir: string;
  /** Folder of mongo-collections.json and aws-resources.json. */
  specsDir: string;
  /** Every service this environment starts. */
  services: readonly string[];
}

/**
 * One backing service, whole: how it starts, what a reused container must match, how one worker's
 * store is claimed, reset and closed, how it is checked, and the settings it exports. The registry
 * (services/index.ts) lists them; everything else loops over it.
 */
export interface Service<Name extends string, Context, Client, Flavour extends string = string> {
  readonly name: Name;
  /** The image of each flavour when none is set; the first flavour is the default one. */
  readonly images: Readonly<Record<Flavour, string>>;
  /** Everything a started container depends on (image, migrations, specs): reuse mode hashes it. */
  fingerprint(settings: ServiceSettings<Flavour>): string;
  /** Other services whose context this one's start reads (run.peer); reuse hashes theirs too. */
  peers?(settings: ServiceSettings<Flavour>): string[];
  start(run: ServiceRun<Flavour>): Promise<Context>;
  /** Where this worker's data lives inside the shared container (a database name, a db index...). */
  store(context: Context, workerId: number): Record<string, string | number>;
  /**
   * Builds store `id` afresh (a database cloned, an account's resources created...): what a test file
   * starts from. Returns what `connect` needs to know of it, as JSON; the warm pool runs this ahead,
   * passing what the slot's previous prepare returned (a service may then do less, as AWS does).
   */
  prepare(context: Context, id: number, previous?: unknown): Promise<unknown>;
  /** Connects to store `id`, which `prepare` built, and returns its client(s). */
  connect(context: Context, id: number, prepared: unknown): Promise<Client>;
  /** Back to the state right after prepare. */
  reset(client: Client, context: Context): Promise<void>;
  close(client: Client): Promise<void>;
  /** One real round trip, within timeoutMs; throws when the service does not answer. */
  check(context: Context, timeoutMs: number): Promise<void>;
  /** host:port or endpoint, for health lines. */
  address(context: Context): string;
  /** The settings apps and tools read, as KEY=value lines (`campaign-testenv up`). */
  envLines(context: Context): string[];
}

const LOG_TAIL_LINES = 20;

/** The state of one service while the environment starts: its steps, timings, container and log tail. */
export class ServiceRun<Flavour extends string = string> {
  readonly steps: { name: string; ms: number }[] = [];
  container?: StartedTestContainer;
  /** The container serving this service: started now, or found again by reuse mode. */
  containerId?: string;
  /** Reuse mode found this service running from an earlier run. */
  reused = false;
  private readonly logTail: string[] = [];

  constructor(
    readonly service: string,
    readonly settings: ServiceSettings<Flavour>,
    readonly runId: string,
    /** Another service's context once it is ready (undefined when not started); the AWS secrets need it. */
    readonly peer: (name: string) => Promise<Record<string, unknown> | undefined>,
    /** A line for the startup output, such as a feature the server lacks. */
    readonly note: (message: string) => void,
  ) {}

  get image(): string {
    return this.settings.image;
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
        fix ?? guessFix(error, this.image, this.settings.startupTimeoutMs, logTail),
        logTail,
      );
    }
  }

  /** Labels the container, keeps its last log lines for error messages, and starts it. */
  async startContainer<T extends StartedTestContainer>(
    container: GenericContainer & { start(): Promise<T> },
  ): Promise<T> {
    // Reuse mode: out of the reaper's session, so it outlives this process; `down`/`prune` remove it.
    if (this.settings.reuse) container.withAutoCleanup(false);
    container
      .withLabels({ [LABELS.package]: "true", [LABELS.run]: this.runId, [LABELS.service]: this.service })
      .withStartupTimeout(this.settings.startupTimeoutMs)
      .withLogConsumer((stream) => {
        let partial = "";
        stream.on("data", (chunk: Buffer | string) => {
          const lines = (partial + chunk.toString()).split("\n");
          partial = lines.pop() ?? "";
          this.logTail.push(...lines.filter((l) => l.trim() !== ""));
          this.logTail.splice(0, Math.max(0, this.logTail.length - LOG_TAIL_LINES));
        });
      });
    this.container = await this.step("starting the container", async () => {
      if (await publishesOnLoopback()) publishOnLoopback(container);
      return container.start();
    });
    this.containerId = this.container.getId();
    return this.container as T;
  }
}

/**
 * Publishes the container's ports on 127.0.0.1 only (Testcontainers publishes on every address and
 * has no setting for it): the credentials of a test database are then no use from the network.
 */
function publishOnLoopback(container: GenericContainer): void {
  const { hostConfig } = container as unknown as { hostConfig: HostConfig };
  for (const bindings of Object.values(hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
    for (const binding of bindings) binding.HostIp = "127.0.0.1";
  }
}
