import type { ServiceRun } from "./service";

const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;

/** Startup output on stderr: one line per service when it is ready, a total; nothing when quiet. */
export class Progress {
  private readonly started = performance.now();

  constructor(
    private readonly options: { services: readonly string[]; quiet: boolean; verbose: boolean },
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
    if (!this.options.quiet) process.stderr.write(`${line}\n`);
  }
}
