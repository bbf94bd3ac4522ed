import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import type { EnvironmentContext } from "./context";
import { docker } from "./docker";
import { checkServicesHealth } from "./helpers/health";
import type { ServiceName } from "./options";
import { packageRoot } from "./paths";
import type { Service, ServiceRun } from "./services/service";

/** Where reuse mode remembers each running service: its container and its context (credentials included). */
const reuseDir = () =>
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "campaign-testenv", "reuse");

const { version } = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  version: string;
};

interface ReuseRecord<K extends ServiceName> {
  containerId: string;
  context: NonNullable<EnvironmentContext[K]>;
}

/**
 * Reuse mode: hands back the container a previous run left running for this service, if its inputs
 * (image, migrations, specs, this package's version) hash the same and it answers a health check;
 * otherwise removes the stale one and starts afresh. A changed migration thus rebuilds PostgreSQL only.
 */
export async function startOrReuse<K extends ServiceName>(
  service: Service<K>,
  run: ServiceRun,
): Promise<NonNullable<EnvironmentContext[K]>> {
  const inputs = await run.step(
    "hashing its inputs",
    async () => `${version}\n${service.fingerprint(run.options)}`,
  );
  const file = path.join(
    reuseDir(),
    `${service.name}-${createHash("sha256").update(inputs).digest("hex").slice(0, 16)}.json`,
  );
  let record: ReuseRecord<K> | undefined;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as ReuseRecord<K>;
  } catch {
    record = undefined; // nothing left running by an earlier run
  }
  if (record) {
    const { containerId, context } = record;
    const reusable = await run.step("checking the running container", async () => {
      const engine = await docker();
      const state = await engine
        .getContainer(containerId)
        .inspect()
        .then(
          (c) => c.State.Running,
          () => false,
        );
      if (!state) return false;
      const [health] = await checkServicesHealth({
        runId: "",
        startedAt: "",
        services: [service.name],
        [service.name]: context,
      });
      return health.healthy;
    });
    if (reusable) {
      run.reused = true;
      return context;
    }
    await (
      await docker()
    )
      .getContainer(containerId)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
  const context = await service.start(run);
  mkdirSync(reuseDir(), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify({ containerId: run.container!.getId(), context }), { mode: 0o600 });
  return context;
}
