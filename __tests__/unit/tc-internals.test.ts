// What src/tc-internals.ts reaches past Testcontainers' public API, pinned: an upgrade that moves or
// renames any of it fails here, by name, instead of breaking a run (no engine needed).
import { LocalstackContainer } from "@testcontainers/localstack";
import { GenericContainer } from "testcontainers";
import {
  LocalstackWithoutSessionHook,
  publishOnLoopback,
  reaperImage,
  registryAuth,
} from "../../src/tc-internals";

const protectedOf = (container: object) =>
  container as unknown as {
    hostConfig: { PortBindings?: Record<string, { HostIp?: string; HostPort: string }[]> };
    beforeContainerCreated?: () => Promise<void>;
  };

test("publishOnLoopback: the exposed ports' bindings live in the protected hostConfig, and become 127.0.0.1's", () => {
  const container = new GenericContainer("redis:7-alpine").withExposedPorts(6379, {
    container: 5432,
    host: 15432,
  });
  const { hostConfig } = protectedOf(container);
  expect(Object.keys(hostConfig.PortBindings ?? {})).toEqual(["6379/tcp", "5432/tcp"]);
  publishOnLoopback(container);
  expect(Object.values(hostConfig.PortBindings!).flat()).toEqual([
    { HostIp: "127.0.0.1", HostPort: "0" },
    { HostIp: "127.0.0.1", HostPort: "15432" },
  ]);
});

test("LocalstackWithoutSessionHook: the module still has the protected hook, and the subclass blanks it", async () => {
  expect(typeof protectedOf(LocalstackContainer.prototype).beforeContainerCreated).toBe("function");
  const container = new LocalstackWithoutSessionHook("localstack/localstack:4.14.0");
  await protectedOf(container).beforeContainerCreated!(); // no engine asked: it would throw here otherwise
  expect((container as unknown as { environment: Record<string, string> }).environment).toEqual({});
});

test("reaperImage: Testcontainers' pinned Ryuk, or RYUK_CONTAINER_IMAGE", () => {
  const before = process.env.RYUK_CONTAINER_IMAGE;
  try {
    delete process.env.RYUK_CONTAINER_IMAGE;
    expect(reaperImage()).toMatch(/^testcontainers\/ryuk:\d+\.\d+\.\d+$/);
    process.env.RYUK_CONTAINER_IMAGE = "mirror.local/ryuk:1";
    expect(reaperImage()).toBe("mirror.local/ryuk:1");
  } finally {
    if (before === undefined) delete process.env.RYUK_CONTAINER_IMAGE;
    else process.env.RYUK_CONTAINER_IMAGE = before;
  }
});

test("registryAuth: DOCKER_AUTH_CONFIG's credentials for a registry, none for another", async () => {
  const before = process.env.DOCKER_AUTH_CONFIG;
  try {
    const auth = Buffer.from("user:secret").toString("base64");
    // Testcontainers reads the config once, when the module loads: load a fresh copy after setting it.
    process.env.DOCKER_AUTH_CONFIG = JSON.stringify({ auths: { "registry.example.com": { auth } } });
    let fresh: typeof registryAuth = registryAuth;
    jest.isolateModules(() => {
      fresh = (require("../../src/tc-internals") as { registryAuth: typeof registryAuth }).registryAuth;
    });
    expect(fresh).not.toBe(registryAuth);
    expect(await fresh("registry.example.com")).toMatchObject({ username: "user", password: "secret" });
    expect(await fresh("other.example.com")).toBeUndefined();
  } finally {
    if (before === undefined) delete process.env.DOCKER_AUTH_CONFIG;
    else process.env.DOCKER_AUTH_CONFIG = before;
  }
});
