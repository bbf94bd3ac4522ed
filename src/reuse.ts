import { createHash } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { docker } from "./docker";
import { packageRoot } from "./paths";
import { type ResolvedOptions, serviceSettings } from "./options";
import type { ServiceRun } from "./service";
import { type ServiceName, service } from "./services";

/** Where reuse mode remembers each running service: its container and its context (credentials included). */
const reuseDir = () =>
  path.join(process.env.XDG_CACHE_HOME ?? path.join(os.homedir(), ".cache"), "campaign-testenv", "reuse");

const { version } = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  version: string;
};

interface ReuseRecord {
  containerId: string;
  context: Record<string, unknown>;
}

/** Everything a service's container depends on: its own inputs, its peers' and this package's version. */
export function reuseInputs(name: ServiceName, options: ResolvedOptions): string {
  const settings = serviceSettings(options, name);
  const peers = (service(name).peers?.(settings) ?? []) as ServiceName[];
  const fingerprint = (of: ServiceName) => service(of).fingerprint(serviceSettings(options, of));
  return [version, fingerprint(name), ...peers.map(fingerprint)].join("\n");
}

/**
 * Reuse mode: hands back the container a previous run left running for this service, if its inputs
 * (image, migrations, specs, this package's version) hash the same and it answers a health check;
 * otherwise removes the stale one and starts afresh. A changed migration thus rebuilds PostgreSQL only.
 */
export async function startOrReuse(
  name: ServiceName,
  run: ServiceRun,
  options: ResolvedOptions,
): Promise<Record<string, unknown>> {
  const entry = service(name);
  const hash = await run.step("hashing its inputs", async () =>
    createHash("sha256").update(reuseInputs(name, options)).digest("hex").slice(0, 16),
  );
  const file = path.join(reuseDir(), `${name}-${hash}.json`);
  let record: ReuseRecord | undefined;
  try {
    record = JSON.parse(readFileSync(file, "utf8")) as ReuseRecord;
  } catch {
    record = undefined; // nothing left running by an earlier run
  }
  if (record) {
    const { containerId, context } = record;
    const engine = await docker();
    const reusable = await run.step("checking the running container", async () => {
      const running = await engine
        .getContainer(containerId)
        .inspect()
        .then(
          (c) => c.State.Running,
          () => false,
        );
      return (
        running &&
        entry.check(context, 5000).then(
          () => true,
          () => false,
        )
      );
    });
    if (reusable) {
      run.reused = true;
      return context;
    }
    await engine
      .getContainer(containerId)
      .remove({ force: true, v: true })
      .catch(() => undefined);
  }
  const context = await entry.start(run);
  mkdirSync(reuseDir(), { recursive: true, mode: 0o700 });
  writeFileSync(file, JSON.stringify({ containerId: run.container!.getId(), context }), { mode: 0o600 });
  return context;
}
