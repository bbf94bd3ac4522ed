import { megabytes, type NeededImage, type PullState, type PullWatcher } from "./pull";
import type { ServiceRun } from "./service";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** What every output of a start reads: whether to print at all, and where. */
interface Output {
  quiet: boolean;
  stream?: NodeJS.WriteStream;
}

/** Startup output on stderr: one line per service when it is ready, a total; nothing when quiet. */
export class Progress {
  private readonly started = performance.now();

  constructor(
    private readonly options: { services: readonly string[]; verbose: boolean } & Output,
    runId: string,
  ) {
    this.print(`campaign-testenv: starting ${options.services.join(", ")} (run ${runId})`);
  }

  ready(run: ServiceRun): void {
    const steps = this.options.verbose
      ? `  [${run.steps.map((s) => `${s.name} ${seconds(s.ms)}`).join(", ")}]`
      : "";
    this.print(
      `  ${run.service.padEnd(8)} ${run.reused ? "reused" : "ready"} in ${seconds(performance.now() - this.started)}  ${run.image}${steps}`,
    );
  }

  note(service: string, message: string): void {
    this.print(`  ${service.padEnd(8)} note: ${message}`);
  }

  done(): void {
    this.print(`campaign-testenv: environment ready in ${seconds(performance.now() - this.started)}`);
  }

  failed(count: number): void {
    this.print(`campaign-testenv: ${count} service(s) failed; removed every container of this run`);
  }

  private print(line: string): void {
    if (!this.options.quiet) (this.options.stream ?? process.stderr).write(`${line}\n`);
  }
}

/** How often a pull's progress is shown: redrawn in place on a terminal, a new line elsewhere (CI logs). */
const REDRAW_MS = 250;
const LINE_EVERY_MS = 10_000;

/** What a pull in progress shows: how much arrived, of how much (once every layer has said), for how long. */
export function pullLine(state: PullState, now = performance.now()): string {
  const size =
    state.total === undefined
      ? megabytes(state.received)
      : `${megabytes(state.received)} of ${megabytes(state.total)}`;
  const layers = state.layers === 0 ? "asking the registry" : `${state.done} of ${state.layers} layers`;
  return `  pulling ${state.image}  ${size}, ${layers}, ${seconds(now - state.startedAt)}`;
}

/**
 * Pull progress on stderr. On a terminal, one line per image pulling, redrawn in place a few times a
 * second; elsewhere (a CI log), a line when a pull starts, one every 10 s while it lasts, and one when it
 * ends, with its time and size. Nothing when quiet.
 */
export class PullProgress implements PullWatcher {
  private readonly stream: NodeJS.WriteStream;
  private readonly live = new Map<string, PullState>();
  private readonly shown = new Map<string, number>();
  private drawn = 0;
  private drawnAt = 0;

  constructor(private readonly options: Output) {
    this.stream = options.stream ?? process.stderr;
  }

  absent(images: NeededImage[]): void {
    this.print(
      `campaign-testenv: pulling ${images.length} image(s) this Docker engine lacks (once per engine; later ` +
        `runs find them here; "npx campaign-testenv pull" does it ahead of a run)`,
    );
  }

  started(state: PullState): void {
    this.live.set(state.image, state);
    if (this.tty) this.draw();
    else this.print(`  pulling ${state.image} from ${state.registry}`);
    this.shown.set(state.image, performance.now());
  }

  progressed(state: PullState): void {
    const now = performance.now();
    if (this.tty) {
      if (now - this.drawnAt >= REDRAW_MS) this.draw();
    } else if (now - (this.shown.get(state.image) ?? 0) >= LINE_EVERY_MS) {
      this.print(pullLine(state, now));
      this.shown.set(state.image, now);
    }
  }

  finished(state: PullState): void {
    this.live.delete(state.image);
    const line = `  pulled  ${state.image} in ${seconds(performance.now() - state.startedAt)} (${megabytes(state.received)})`;
    if (this.tty) this.draw(line);
    else this.print(line);
  }

  private get tty(): boolean {
    return !this.options.quiet && this.stream.isTTY === true;
  }

  /** Redraws the lines of the pulls in progress in place, with `above` printed for good above them. */
  private draw(above?: string): void {
    const width = Math.max(20, (this.stream.columns ?? 100) - 1);
    const erase = this.drawn > 0 ? `\x1b[${this.drawn}A\x1b[J` : "";
    const lines = [...this.live.values()].map((s) => pullLine(s).slice(0, width));
    this.stream.write(erase + [...(above ? [above] : []), ...lines].map((l) => `${l}\n`).join(""));
    this.drawn = lines.length;
    this.drawnAt = performance.now();
  }

  private print(line: string): void {
    if (!this.options.quiet) this.stream.write(`${line}\n`);
  }
}
