// The physical floor of a cold start: a service's bare container, image present, from its creation to
// ready, with no initialisation (no migrations, no collections, no AWS resources). It runs the
// flavour's own container start (`flavours[flavour].start` of the service module: the same container,
// settings and ready wait the package uses) and none of the service's start after it.
import { removeContainers } from "../src/docker";
import { type ResolvedOptions, serviceSettings } from "../src/options";
import { randomToken } from "../src/random";
import { ServiceRun } from "../src/service";
import { type ServiceName, service } from "../src/services";
import { timed } from "./lib";

/**
 * Milliseconds from each named service's container start to its ready wait passing, all started at
 * once, and the wall time of them all (`together`); the containers are removed.
 */
export async function bareReady(
  options: ResolvedOptions,
  names: ServiceName[],
): Promise<{ each: Partial<Record<ServiceName, number>>; together: number }> {
  const runId = `bench-floor-${randomToken(6)}`;
  try {
    const { ms: together, value: each } = await timed(async () =>
      Object.fromEntries(
        await Promise.all(
          names.map(async (name) => {
            const settings = serviceSettings(options, name);
            // No peer and no notes: a flavour's container start reads neither.
            const run = new ServiceRun(
              name,
              settings,
              runId,
              async () => undefined,
              () => undefined,
            );
            const { ms } = await timed(() => service(name).flavours[settings.flavour].start(run));
            return [name, ms] as const;
          }),
        ),
      ),
    );
    return { each, together };
  } finally {
    await removeContainers(runId);
  }
}
