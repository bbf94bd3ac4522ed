import { type EnvironmentContext, readContext } from "../context";
import { explainFailure } from "../explain";
import { type ServiceName, service } from "../services";

export interface ServiceHealth {
  service: ServiceName;
  healthy: boolean;
  /** Round trip of the check, ms. */
  latencyMs: number;
  /** Where it was checked, or why it failed. */
  detail: string;
}

const CHECK_TIMEOUT_MS = 5000;

/** Checks every started service with a real round trip through its client, in parallel. */
export async function checkServicesHealth(
  context: EnvironmentContext = readContext(),
): Promise<ServiceHealth[]> {
  return Promise.all(
    context.services.map(async (name) => {
      const started = performance.now();
      const entry = service(name);
      const where = entry.address(context[name]!);
      try {
        await entry.check(context[name]!, CHECK_TIMEOUT_MS);
        return { service: name, healthy: true, latencyMs: performance.now() - started, detail: where };
      } catch (failure) {
        const error = await explainFailure(context, name, "the health check", failure);
        const reason = error instanceof Error ? error.message : String(error);
        return {
          service: name,
          healthy: false,
          latencyMs: performance.now() - started,
          detail: `${where}: ${reason}`,
        };
      }
    }),
  );
}
