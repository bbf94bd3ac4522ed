import path from "node:path";
import type { GenericContainer, StartedTestContainer } from "testcontainers";
import { LABELS, publishesOnLoopback, tcInternals, testcontainers } from "./docker";
import { OptionsError, ServiceError, guessFix } from "./errors";
import type { Explain } from "./explaining";
import { packageRoot } from "./paths";

/** The main database of PostgreSQL and Mongo: what `campaign-testenv up` users and unisolated code use. */
export const MAIN_DATABASE = "campaign";

/**
 * Store sets in use at once, across every process that shares the containers: what the allocator
 * hands out (ids 1..N), and what each service is started to hold (Redis: N + 1 logical databases).
 */
export const STORE_SET_CAPACITY = 512;

/** What a service can do on what actually runs: probed, or declared by its image, never assumed from a name. */
export interface Capability {
  ok: boolean;
  /** Why not, and the way out; set when `ok` is false. */
  reason?: string;
}

/** The part of every service's context that generic code reads. */
export interface ServiceContext {
  image: string;
  /** The product filling the service's role (the service's own name when it has one flavour only). */
  flavour: string;
  capabilities: Record<string, Capability>;
}

/**
 * An option only some services read (a folder, a switch), with its env var and default; the options of
 * every service are merged into EnvironmentOptions by name.
 */
export interface OwnOption<V> {
  /** CAMPAIGN_TESTENV_<env> */
  env: string;
  default: V;
  /** The value the service reads, from the option's or from its env var's text; a bad one throws the sentence. */
  read(value: V | string): V;
}

/** A folder: a relative path is from the working directory. */
export const folderOption = (env: string, folder: string): OwnOption<string> => ({
  env,
  default: folder,
  read: (value) => path.resolve(value),
});

/** An env var's text as true or false ("1", "true", "yes"; "0", "false", "no"), or the sentence naming it. */
export function parseFlag(env: string, text: string): boolean {
  if (["1", "true", "yes"].includes(text.toLowerCase())) return true;
  if (["0", "false", "no"].includes(text.toLowerCase())) return false;
  throw new OptionsError(`campaign-testenv: CAMPAIGN_TESTENV_${env} is "${text}"; use true or false.`);
}

/** A switch. */
export const flagOption = (env: string, on: boolean): OwnOption<boolean> => ({
  env,
  default: on,
  read: (value) => (typeof value === "boolean" ? value : parseFlag(env, value)),
});

/** The folder of mongo-collections.json and aws-resources.json: an option of the two services that read it. */
export const SPECS_DIR = folderOption("SPECS_DIR", path.join(packageRoot, "fixtures"));

/** The types one service module fixes; the registry derives the environment's types from them. */
export interface ServiceTypes {
  name: string;
  context: ServiceContext;
  /** What `prepare` returns (JSON: the warm pool writes it to a file) and `connect` takes back. */
  prepared: unknown;
  /**
   * A test file's store of this service, as `connect` returns it and `reset` and `close` take it: its
   * client(s) and whatever the reset keeps between tests (what was written, a connection of its own).
   */
  store: object;
  /** What a test reaches its store through: `env.client(name)`, which the accessors read. */
  client: object;
  /** Where a store set's data lives in this service (a database name, a db index...). */
  names: Record<string, string | number>;
  /** The TestEnvironment fields this service adds, by name: `env.postgres`, `env.redis`... */
  accessors: Record<string, unknown>;
  /** The products that can fill the role; the first is the default. */
  flavour: string;
  /** The options only this service reads, by name, with their types (ServiceSettings gets them). */
  options: Record<string, string | boolean>;
  /** What a flavour's start gives the service's own start to go on with (a container, an endpoint...). */
  started: unknown;
}

/** The settings every service reads, whatever its own options. */
type Common = { flavour: string; options: Record<never, never> };

/** What one service's start reads: the options, resolved for that service. */
export type ServiceSettings<T extends Pick<ServiceTypes, "flavour" | "options"> = Common> = {
  image: string;
  flavour: T["flavour"];
  startupTimeoutMs: number;
  /** Keep the container after this process (reuse mode): Testcontainers' reaper must not remove it. */
  reuse: boolean;
  /** Every service this environment starts. */
  services: readonly string[];
} & T["options"];

/** One product that can fill a service's role: its official image and how its container starts. */
export interface Flavour<Started> {
  /** The image used when none is set. */
  readonly image: string;
  /** Starts the container and returns what the service's own start goes on with (an endpoint...). */
  start(run: ServiceRun): Promise<Started>;
}

/**
 * One backing service, whole: how it starts, what a reused container must match, how a store set's
 * part of it is named, prepared, connected, reset and closed, how it is checked, and what it exports.
 * The registry (services/index.ts) lists them; everything else loops over it.
 */
export interface Service<T extends ServiceTypes> {
  readonly name: T["name"];
  /**
   * Started when a run names no services. A service added later leaves it out: it starts only for the
   * runs that ask for it (the services option, CAMPAIGN_TESTENV_SERVICES).
   */
  readonly startedByDefault?: true;
  /** Every product that can fill this role, each with its image; the first is the default. */
  readonly flavours: { readonly [F in T["flavour"]]: Flavour<T["started"]> };
  /** Options only this service reads, e.g. `migrationsDir`. */
  readonly options?: { readonly [K in keyof T["options"]]: OwnOption<T["options"][K]> };
  /** Everything a started container depends on (image, migrations, specs): reuse mode hashes it. */
  fingerprint(settings: ServiceSettings<T>): string;
  /** Other services whose context this one's start reads (run.peer); reuse hashes theirs too. */
  peers?(settings: ServiceSettings<T>): string[];
  start(run: ServiceRun<Pick<T, "flavour" | "options">>): Promise<T["context"]>;
  /** Where store set `id`'s data lives inside the shared container, by name (`postgresDatabase`...). */
  readonly names: { readonly [N in keyof T["names"]]: (id: number, context: T["context"]) => T["names"][N] };
  /**
   * Builds store set `id` afresh (a database cloned, an account's resources created...): what a test
   * file starts from. The warm pool runs this ahead, passing what the set's previous prepare returned
   * (a service may then do less, as AWS does).
   */
  prepare(context: T["context"], id: number, previous?: T["prepared"]): Promise<T["prepared"]>;
  /** Connects to store set `id`, which `prepare` built, and returns the store. */
  connect(context: T["context"], id: number, prepared: T["prepared"]): Promise<T["store"]>;
  /** The client(s) a test reaches the store through. */
  client(store: T["store"]): T["client"];
  /**
   * The client(s) again, such that a call that fails because the container stopped throws what
   * `explain` makes of the error (a ServiceDownError naming the container) instead of a bare
   * "ECONNREFUSED". Every service has one: a test meets each service through its client.
   */
  explaining(client: T["client"], explain: Explain): T["client"];
  /** Back to the state right after prepare (what `cleanTestData` calls). */
  reset(store: T["store"], context: T["context"]): Promise<void>;
  close(store: T["store"]): Promise<void>;
  /** The TestEnvironment fields of this service, from its client(s); the first is named after it. */
  readonly accessors: { readonly [A in keyof T["accessors"]]: (client: T["client"]) => T["accessors"][A] };
  /** One real round trip, within timeoutMs; throws when the service does not answer. */
  check(context: T["context"], timeoutMs: number): Promise<void>;
  /** host:port or endpoint, for health lines. */
  address(context: T["context"]): string;
  /** The settings apps and tools read, by name (`DATABASE_URL`...): what `campaign-testenv up` prints. */
  variables(context: T["context"]): Record<string, string>;
  /**
   * Waits up to `waitMs` for the connections clients left open to close, and returns how many still
   * are (for a service whose driver crashes the process holding an idle connection when the server
   * goes: PostgreSQL's pg).
   */
  openConnections?(context: T["context"], waitMs: number): Promise<number>;
  /** True for its client's errors that mean the server went away (beyond refused and reset sockets). */
  lostConnection?(failure: { code?: unknown; name?: unknown; message?: unknown }): boolean;
  /** The fix for a start failure that only this service knows, read from the error and the log tail. */
  fix?(text: string): string | undefined;
}

/** The capabilities an image's labels say it lacks (`campaign-testenv.lacks.<capability>=<reason>`). */
export function lacksOf(labels: Record<string, string>): Record<string, string> {
  const prefix = `${LABELS.package}.lacks.`;
  return Object.fromEntries(
    Object.entries(labels)
      .filter(([key]) => key.startsWith(prefix))
      .map(([key, reason]) => [key.slice(prefix.length), reason]),
  );
}

/** A service of any types: for code that loops over the registry (settings then carry every own option). */
export type AnyService = Service<Omit<ServiceTypes, "options"> & { options: Record<never, never> }>;

const LOG_TAIL_LINES = 20;

/** The state of one service while the environment starts: its steps, timings, container and log tail. */
export class ServiceRun<T extends Pick<ServiceTypes, "flavour" | "options"> = Common> {
  readonly steps: { name: string; ms: number }[] = [];
  container?: StartedTestContainer;
  /** The container serving this service: started now, or found again by reuse mode. */
  containerId?: string;
  /** Reuse mode found this service running from an earlier run. */
  reused = false;
  /** Extra labels for the container (reuse mode's input hash). */
  readonly labels: Record<string, string> = {};
  private readonly logTail: string[] = [];
  /** The container's log as it comes, for the tail of a start's failure (read until `started`). */
  private logs?: NodeJS.ReadableStream;

  constructor(
    readonly service: string,
    readonly settings: ServiceSettings<T>,
    readonly runId: string,
    /** Another service's context once it is ready (undefined when not started); the AWS secrets need it. */
    readonly peer: (name: string) => Promise<Record<string, unknown> | undefined>,
    /** A line for the startup output, such as a capability the server lacks. */
    readonly note: (message: string) => void,
    /** The service's own fix hints, tried before the generic ones. */
    private readonly fixFor?: (text: string) => string | undefined,
    /** Told the name of each step as it begins. */
    private readonly stepping?: (step: string) => void,
  ) {}

  get image(): string {
    return this.settings.image;
  }

  /** Runs one named step; a failure becomes a ServiceError naming the service, image, step and fix. */
  async step<R>(name: string, fn: () => Promise<R>, fix?: string): Promise<R> {
    this.stepping?.(name);
    const started = performance.now();
    try {
      const result = await fn();
      this.steps.push({ name, ms: performance.now() - started });
      return result;
    } catch (error) {
      if (error instanceof ServiceError) throw error;
      const logTail = [...this.logTail];
      throw new ServiceError({
        runId: this.runId,
        service: this.service,
        image: this.image,
        step: name,
        reason: error instanceof Error ? error.message : String(error),
        fix: fix ?? guessFix(error, this.settings.startupTimeoutMs, logTail, this.fixFor),
        logTail,
        cause: error,
      });
    }
  }

  /**
   * What the image says it lacks, by capability: labels `campaign-testenv.lacks.<capability>` whose
   * value is the reason (the local image set declares them). The run pulled absent images before any
   * start, so its declaration counts on its first run too.
   */
  async declaredLacks(): Promise<Record<string, string>> {
    const { getContainerRuntimeClient, ImageName } = testcontainers();
    const { image: images } = await getContainerRuntimeClient();
    // As Testcontainers names it (TESTCONTAINERS_HUB_IMAGE_NAME_PREFIX included).
    const name = ImageName.fromString(this.image);
    return lacksOf(
      (await this.step("reading the image's labels", () => images.inspect(name))).Config?.Labels ?? {},
    );
  }

  /**
   * The service is ready: its log stream is closed. Kept open, every line the container wrote for the
   * rest of the run (LocalStack logs each request) went through the engine into this process, beside
   * the tests it runs in band; a failure later reads its tail from the engine (containerState).
   */
  started(): void {
    (this.logs as (NodeJS.ReadableStream & { destroy?(): void }) | undefined)?.destroy?.();
  }

  /** Labels the container, keeps its last log lines for error messages, and starts it. */
  async startContainer<C extends StartedTestContainer>(
    container: GenericContainer & { start(): Promise<C> },
  ): Promise<C> {
    // Reuse mode: out of the reaper's session, so it outlives this process; `down`/`prune` remove it.
    if (this.settings.reuse) container.withAutoCleanup(false);
    container
      .withLabels({
        ...this.labels,
        [LABELS.package]: "true",
        [LABELS.run]: this.runId,
        [LABELS.service]: this.service,
      })
      .withStartupTimeout(this.settings.startupTimeoutMs)
      .withLogConsumer((stream) => {
        this.logs = stream;
        let partial = "";
        stream.on("data", (chunk: Buffer | string) => {
          const lines = (partial + chunk.toString()).split("\n");
          partial = lines.pop() ?? "";
          this.logTail.push(...lines.filter((l) => l.trim() !== ""));
          this.logTail.splice(0, Math.max(0, this.logTail.length - LOG_TAIL_LINES));
        });
      });
    this.container = await this.step("starting the container", async () => {
      if (await publishesOnLoopback()) tcInternals().publishOnLoopback(container);
      return container.start();
    });
    this.containerId = this.container.getId();
    return this.container as C;
  }
}
