// The layers of docs/ARCHITECTURE.md ("Layers and imports"), checked by dependency-cruiser:
// `npm run lint:layers`, and __tests__/unit/layers.test.ts under `npm run test:unit`. Each rule's
// name says what it forbids and why, so a violation reads in one line:
//   error <rule>: <from> → <to>

/** The core, top to bottom: a layer imports the layers below it, never one above. */
const LAYERS = [
  ["the entry points", "^src/(index|cli)[.]ts$|^src/(jest|vitest)/"],
  ["runner.ts", "^src/runner[.]ts$"],
  [
    "worker.ts, helpers/ and their peers",
    "^src/(worker|environment|reuse|pool|explain|sentinel|signals|store-sets)[.]ts$|^src/helpers/",
  ],
  ["options.ts and context.ts", "^src/(options|context)[.]ts$"],
  ["the registry services/index.ts", "^src/services/index[.]ts$"],
  ["a service folder services/<name>/", "^src/services/[^/]+/"],
  [
    "the base layer of service.ts, docker.ts, errors.ts and peers",
    "^src/(service|docker|errors|explaining|lock|progress|pull|compat|tc-internals|random|paths|poll)[.]ts$",
  ],
];
/** The Campaign domain: it may use the core; the core never uses it. */
const DOMAIN = "^src/(campaign|load)/|^fixtures/";
const any = (paths) => paths.join("|");
const CORE = any(LAYERS.slice(1).map(([, path]) => path));
const KNOWN = any([...LAYERS.map(([, path]) => path), DOMAIN]);

module.exports = {
  forbidden: [
    ...LAYERS.slice(1).map(([name, path], i) => ({
      name: `layer order (nothing in ${name} imports a layer above it)`,
      severity: "error",
      from: { path },
      to: { path: any(LAYERS.slice(0, i + 1).map(([, above]) => above)) },
    })),
    {
      name: "services are independent (a service folder never imports another one)",
      severity: "error",
      from: { path: "^src/services/([^/]+)/" },
      to: { path: "^src/services/[^/]+/", pathNot: "^src/services/$1/" },
    },
    {
      name: "the core never imports the domain (src/campaign/, src/load/, fixtures/)",
      severity: "error",
      from: { path: CORE },
      to: { path: DOMAIN },
    },
    {
      name: "the domain never imports an entry point (the entry points import the domain: a cycle)",
      severity: "error",
      from: { path: DOMAIN },
      to: { path: LAYERS[0][1] },
    },
    {
      name: "fixtures are data of the domain's model (fixtures/ imports only src/campaign/schema.ts of src/)",
      severity: "error",
      from: { path: "^fixtures/" },
      to: { path: "^src/", pathNot: "^src/campaign/schema[.]ts$" },
    },
    {
      name: "no import cycle (type-only imports included)",
      severity: "error",
      from: {},
      to: { circular: true },
    },
    {
      name: "every module of src/ is in a layer (add a new one to .dependency-cruiser.cjs and ARCHITECTURE.md)",
      severity: "error",
      from: { path: "^src/", pathNot: KNOWN },
      to: {},
    },
    {
      name: "every module src/ imports is in a layer (add a new one to .dependency-cruiser.cjs and ARCHITECTURE.md)",
      severity: "error",
      from: {},
      to: { path: "^src/", pathNot: KNOWN },
    },
  ],
  options: {
    // Type-only imports count: the compiler follows them, and so does a reader.
    tsPreCompilationDeps: true,
    doNotFollow: { path: "node_modules" },
  },
};
