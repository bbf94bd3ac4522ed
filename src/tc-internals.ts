// The only module that reaches past Testcontainers' public API. Each entry is something the public API
// does not offer; __tests__/unit/tc-internals.test.ts fails when an upgrade of testcontainers moves or
// renames one, so that an upgrade breaks here, loudly, and nowhere else.
import { LocalstackContainer } from "@testcontainers/localstack";
import type { HostConfig } from "dockerode";
import type { GenericContainer } from "testcontainers";
import { getAuthConfig } from "testcontainers/build/container-runtime/auth/get-auth-config";
import { getReaperImage } from "testcontainers/build/reaper/reaper";

/**
 * Publishes the container's ports on 127.0.0.1 only (Testcontainers publishes on every address and
 * has no setting for it): the credentials of a test database are then no use from the network. The
 * bindings live in the container's protected `hostConfig`, filled by `withExposedPorts`.
 */
export function publishOnLoopback(container: GenericContainer): void {
  const { hostConfig } = container as unknown as { hostConfig: HostConfig };
  for (const bindings of Object.values(hostConfig.PortBindings ?? {}) as { HostIp?: string }[][]) {
    for (const binding of bindings) binding.HostIp = "127.0.0.1";
  }
}

/**
 * A LocalStack container without the module's protected `beforeContainerCreated` hook, which labels
 * function containers with this process's reaper session (the reaper would then remove reuse mode's
 * warm function containers with this process) and sets LOCALSTACK_HOST (the caller sets it).
 */
export class LocalstackWithoutSessionHook extends LocalstackContainer {
  protected override async beforeContainerCreated(): Promise<void> {}
}

/** The reaper's image as Testcontainers will start it (RYUK_CONTAINER_IMAGE, or its pinned default). */
export const reaperImage = (): string => getReaperImage();

/** The credentials Testcontainers would pull from `registry` with (DOCKER_AUTH_CONFIG, ~/.docker/config.json, helpers). */
export const registryAuth = (registry: string): ReturnType<typeof getAuthConfig> => getAuthConfig(registry);
