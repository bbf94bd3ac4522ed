// The service docs/ARCHITECTURE.md adds in its walkthrough, "Adding a service": add-a-service.test.ts
// copies it into a copy of src/ as src/services/kv/index.ts, registers it, type-checks and runs it.
// It is not part of the package; its imports are written from where the copy puts it.
// #region kv-module
import type { Service, ServiceContext } from "../../service";

/** A key-value store: a Map per store set, kept in this process (a real service starts a container). */
export interface KvContext extends ServiceContext {
  flavour: "kv";
}
const namespaces = new Map<string, Map<string, string>>();

export const kv: Service<{
  name: "kv";
  context: KvContext;
  prepared: null;
  store: Map<string, string>;
  client: Map<string, string>;
  names: { kvNamespace: string };
  accessors: { kv: Map<string, string> };
  flavour: "kv";
  options: Record<never, never>;
  started: null;
}> = {
  name: "kv",
  flavours: { kv: { image: "example/kv:1", start: async () => null } },
  fingerprint: (settings) => settings.image,
  start: async (run) => ({ image: run.image, flavour: "kv", capabilities: {} }),
  names: { kvNamespace: (id) => `kv${id}` },
  async prepare(_context, id) {
    namespaces.set(`kv${id}`, new Map());
    return null;
  },
  connect: async (_context, id) => namespaces.get(`kv${id}`)!,
  client: (store) => store,
  // A Map in this process never goes away; a container's client goes through explaining() (redis).
  explaining: (client) => client,
  reset: async (store) => store.clear(),
  close: async () => undefined,
  accessors: { kv: (client) => client },
  check: async () => undefined,
  address: () => "in this process",
  variables: () => ({ KV: "in-process" }),
};
// #endregion kv-module
