// docs/ARCHITECTURE.md's walkthrough, "Adding a service", done for real on a copy of src/: one module
// (kv-service.ts, copied in as src/services/kv/index.ts) and one registry line give a service whose
// TestEnvironment field, store-set names, image env var, reset and health check the compiler types
// and the package runs; and the benchmark (bench/, copied beside it) still type-checks, since it reads the
// services from the registry. The new service lives in this process (a Map per store set): no Docker needed.
import { execFileSync, spawnSync } from "node:child_process";
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";

const root = path.join(__dirname, "..", "..");
let copy: string;
beforeAll(() => {
  copy = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-add-"));
  for (const folder of ["src", "fixtures", "bench"])
    cpSync(path.join(root, folder), path.join(copy, folder), {
      recursive: true,
      filter: (from) => from !== path.join(root, "bench", "results"), // what bench runs wrote
    });
  cpSync(path.join(root, "package.json"), path.join(copy, "package.json"));
  symlinkSync(path.join(root, "node_modules"), path.join(copy, "node_modules"));
});
afterAll(() => rmSync(copy, { recursive: true, force: true }));

// A consumer of the copy: what the compiler must accept (and refuse), and what must run.
const USE = `import { checkServicesHealth, cleanTestData, resolveOptions, setupTestEnvironment } from "./src";
import { StoreSets } from "./src/store-sets";

async function main() {
  const storeSets = process.argv[2];
  const context = {
    runId: "addkvtest1",
    startedAt: new Date().toISOString(),
    services: ["kv" as const],
    storeSets,
    kv: { image: "example/kv:1", flavour: "kv" as const, capabilities: {} },
  };
  const env = await setupTestEnvironment({ context, services: ["kv"] });
  env.kv.set("a", "1");
  const namespace: string = env.storeSet.kvNamespace;
  const id: number = env.storeSet.id;
  // @ts-expect-error: the client is a Map of strings
  env.kv.set("b", 2);
  const before = env.kv.size;
  await cleanTestData(env);
  const health = await checkServicesHealth(context);
  const image = resolveOptions({}, { CAMPAIGN_TESTENV_KV_IMAGE: "mine/kv:2" }).images.kv;
  // Started only where asked for: a run that names no services starts the four it always did.
  const byDefault = resolveOptions({}, {}).services;
  const held = Object.keys(new StoreSets(storeSets).held()).map(Number);
  await env.close();
  console.log(JSON.stringify({ namespace, id, before, after: env.kv.size, health, image, held, byDefault }));
}
void main();
`;

test("a new service is one module plus one registry line: typed (the bench too), and it runs", () => {
  const registry = path.join(copy, "src/services/index.ts");
  const before = readFileSync(registry, "utf8");
  writeFileSync(
    registry,
    before
      .replace('import { aws } from "./aws";', 'import { aws } from "./aws";\nimport { kv } from "./kv";')
      .replace("registry({ postgres, mongo, redis, aws })", "registry({ postgres, mongo, redis, aws, kv })"),
  );
  mkdirSync(path.join(copy, "src/services/kv"));
  cpSync(path.join(__dirname, "kv-service.ts"), path.join(copy, "src/services/kv/index.ts"));
  writeFileSync(path.join(copy, "use.ts"), USE);
  writeFileSync(
    path.join(copy, "tsconfig.json"),
    JSON.stringify({
      compilerOptions: {
        target: "es2023",
        module: "nodenext",
        strict: true,
        noEmit: true,
        rootDir: ".",
        skipLibCheck: true,
        esModuleInterop: true,
        // The bench's reference suite: Jest's globals, and the package by its public name.
        types: ["node", "jest"],
        paths: { "campaign-testenv": ["./src/index.ts"] },
      },
      files: ["use.ts"],
      include: ["bench"],
    }),
  );
  const tsc = path.join(root, "node_modules", "typescript", "bin", "tsc");
  const typed = spawnSync(process.execPath, [tsc, "-p", copy], { encoding: "utf8" });
  expect(typed.stdout).toBe(""); // the compiler's errors, if any

  const ran = execFileSync(
    process.execPath,
    [
      "-r",
      require.resolve("ts-node/register/transpile-only"),
      path.join(copy, "use.ts"),
      path.join(copy, "sets"),
    ],
    { encoding: "utf8", cwd: copy },
  );
  const result = JSON.parse(ran.trim().split("\n").at(-1)!) as Record<string, unknown>;
  expect(result).toEqual({
    namespace: `kv${result.id}`,
    id: 512, // the first id handed out
    before: 2,
    after: 0,
    health: [expect.objectContaining({ service: "kv", healthy: true, detail: "in this process" })],
    image: "mine/kv:2",
    held: [512],
    byDefault: ["postgres", "mongo", "redis", "aws"],
  });
}, 120_000);
