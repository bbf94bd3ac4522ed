import { readFileSync } from "node:fs";
import path from "node:path";
import type { Db, Document, IndexDescription, MongoClient } from "mongodb";
import { testcontainers } from "../../docker";
import { explaining } from "../../explaining";
import { randomToken } from "../../random";
import { type Capability, MAIN_DATABASE, type Service, type ServiceContext, SPECS_DIR } from "../../service";
import { MongoStore } from "./reset";

// Loaded on first use (docs/ARCHITECTURE.md, "Loaded on first use").
const mongodb = (): typeof import("mongodb") => require("mongodb");

/** fixtures/mongo-collections.json: each collection with its optional $jsonSchema validator and indexes. */
export interface CollectionsSpec {
  collections: { name: string; validator?: Document; indexes?: (IndexDescription & { name: string })[] }[];
}

/** `mongo`: the official image, a one-node replica set. `ferretdb`: FerretDB v1, MongoDB-wire-compatible. */
export type MongoFlavour = "mongo" | "ferretdb";

export interface MongoContext extends ServiceContext {
  flavour: MongoFlavour;
  /** Probed at start: does the server enforce $jsonSchema validators, and run multi-document transactions? */
  capabilities: { validators: Capability; transactions: Capability };
  host: string;
  port: number;
  /** Connection string without a database name. */
  uri: string;
  database: string;
  /** The collections every store set's database gets. */
  spec: CollectionsSpec;
}

/** A store set's Mongo client and its own database. */
export interface MongoClients {
  client: MongoClient;
  db: Db;
}

export function loadCollectionsSpec(specsDir: string): CollectionsSpec {
  const file = path.join(specsDir, "mongo-collections.json");
  try {
    return JSON.parse(readFileSync(file, "utf8")) as CollectionsSpec;
  } catch (error) {
    throw new Error(`cannot read the collections spec ${file} (${(error as Error).message})`, {
      cause: error,
    });
  }
}

/** Creates the spec's collections with their validators (where enforced) and indexes. */
export async function createCollections(db: Db, spec: CollectionsSpec, validators: boolean): Promise<void> {
  await Promise.all(
    spec.collections.map(async ({ name, validator, indexes }) => {
      await db.createCollection(name, validators && validator ? { validator } : {});
      if (indexes?.length) await db.collection(name).createIndexes(indexes);
    }),
  );
}

/** A validator is enforced when the server rejects a document it forbids (FerretDB v1 accepts it). */
async function probeValidators(db: Db, flavour: string): Promise<Capability> {
  const probe = `validator_probe_${randomToken(8)}`;
  const without = "collections are created without validators";
  try {
    await db.createCollection(probe, { validator: { $jsonSchema: { required: ["x"] } } });
    await db.collection(probe).insertOne({});
    return {
      ok: false,
      reason: `${flavour} accepted a document its $jsonSchema validator forbids: ${without}`,
    };
  } catch (error) {
    const { MongoServerError } = mongodb();
    if (error instanceof MongoServerError && error.code === 121) return { ok: true }; // DocumentValidationFailure
    if (!(error instanceof MongoServerError)) throw error; // not the server's answer: the step fails
    return { ok: false, reason: `${flavour} refused a $jsonSchema validator (${error.message}): ${without}` };
  } finally {
    await db.dropCollection(probe).catch(() => undefined);
  }
}

/** Transactions work when one commits (FerretDB v1 has none; MongoDB needs a replica set). */
async function probeTransactions(client: MongoClient, db: Db, flavour: string): Promise<Capability> {
  const probe = db.collection(`transaction_probe_${randomToken(8)}`);
  try {
    await client.withSession((session) =>
      session.withTransaction(() => probe.insertOne({ inTransaction: true }, { session })),
    );
    return { ok: true };
  } catch (error) {
    return {
      ok: false,
      reason: `${flavour} refused a multi-document transaction (${(error as Error).message})`,
    };
  } finally {
    await probe.drop().catch(() => undefined);
  }
}

/** Store set N's database. */
const storeSetDatabase = (id: number) => `${MAIN_DATABASE}_s${id}`;

const MONGO_PORT = 27017;

export const mongo: Service<{
  name: "mongo";
  context: MongoContext;
  prepared: null;
  store: MongoStore;
  client: MongoClients;
  names: { mongoDatabase: string };
  accessors: { mongo: Db; mongodb: Db; mongoClient: MongoClient };
  flavour: MongoFlavour;
  options: { specsDir: string };
  started: { uri: string };
}> = {
  name: "mongo",
  startedByDefault: true,
  flavours: {
    mongo: {
      image: "mongo:7.0",
      async start(run) {
        const { MongoDBContainer } =
          require("@testcontainers/mongodb") as typeof import("@testcontainers/mongodb");
        // The module's own replica-set health check and wait, as its maintainers ship them.
        const container = await run.startContainer(
          new MongoDBContainer(run.image).withUsername("campaign").withPassword(randomToken()),
        );
        // directConnection: the replica set advertises the container's own host name, unreachable from here.
        return { uri: `${container.getConnectionString()}&directConnection=true` };
      },
    },
    ferretdb: {
      image: "ghcr.io/ferretdb/ferretdb:1.24.0",
      async start(run) {
        const { GenericContainer, Wait } = testcontainers();
        const container = await run.startContainer(
          new GenericContainer(run.image)
            .withExposedPorts(MONGO_PORT)
            // Its own line, not a port check that execs in the container (see postgres/index.ts).
            .withWaitStrategy(Wait.forLogMessage(/Listening on TCP/)),
        );
        return { uri: `mongodb://${container.getHost()}:${container.getMappedPort(MONGO_PORT)}` };
      },
    },
  },
  options: { specsDir: SPECS_DIR },
  fingerprint: (settings) =>
    [settings.image, settings.flavour, JSON.stringify(loadCollectionsSpec(settings.specsDir))].join("\n"),

  async start(run) {
    const spec = await run.step("reading the collections spec", async () =>
      loadCollectionsSpec(run.settings.specsDir),
    );
    const { flavour } = run.settings;
    const { uri } = await mongo.flavours[flavour].start(run);
    const client = await run.step("connecting", () => new (mongodb().MongoClient)(uri).connect());
    try {
      const db = client.db(MAIN_DATABASE);
      const capabilities = await run.step("probing for validators and transactions", async () => ({
        validators: await probeValidators(db, flavour),
        transactions: await probeTransactions(client, db, flavour),
      }));
      await run.step(`creating ${spec.collections.length} collections`, () =>
        createCollections(db, spec, capabilities.validators.ok),
      );
      const url = new URL(uri);
      return {
        image: run.image,
        flavour,
        capabilities,
        host: url.hostname,
        port: Number(url.port),
        uri,
        database: MAIN_DATABASE,
        spec,
      };
    } finally {
      await client.close();
    }
  },

  names: { mongoDatabase: storeSetDatabase },

  async prepare({ uri, spec, capabilities }, id) {
    const client = await new (mongodb().MongoClient)(uri).connect();
    try {
      const db = client.db(storeSetDatabase(id));
      await db.dropDatabase();
      await createCollections(db, spec, capabilities.validators.ok);
    } finally {
      await client.close();
    }
    return null;
  },

  async connect({ uri }, id) {
    // The driver connects on the first operation: a claim from the warm pool waits for no handshake.
    // A call on a stopped server fails after 10 s of finding none, not the driver's 30 s.
    const client = new (mongodb().MongoClient)(uri, {
      monitorCommands: true,
      serverSelectionTimeoutMS: 10_000,
    });
    return new MongoStore(client, client.db(storeSetDatabase(id)));
  },

  client: ({ client, db }) => ({ client, db }),

  // Its database's collections and cursors too: `env.mongo.collection("x").find().toArray()`.
  explaining({ client, db }, explain) {
    const { AbstractCursor, Collection, Db } = mongodb();
    const deeper = (value: object) =>
      value instanceof Db || value instanceof Collection || value instanceof AbstractCursor;
    return { client: explaining(client, explain, deeper), db: explaining(db, explain, deeper) };
  },

  reset: (store, { spec, capabilities }) =>
    store.reset(spec.collections, (missing) =>
      createCollections(store.db, { collections: missing }, capabilities.validators.ok),
    ),

  close: (store) => store.client.close(),

  // env.mongodb is the Campaign System's old environment's name for the database.
  accessors: { mongo: ({ db }) => db, mongodb: ({ db }) => db, mongoClient: ({ client }) => client },

  async check({ uri }, timeoutMs) {
    const client = new (mongodb().MongoClient)(uri, { serverSelectionTimeoutMS: timeoutMs });
    try {
      await client.db("admin").command({ ping: 1 });
    } finally {
      await client.close();
    }
  },

  address: ({ host, port }) => `${host}:${port}`,

  variables: (c) => ({ MONGO_URL: c.uri, MONGO_DATABASE: c.database }),

  lostConnection: ({ name }) => name === "MongoNetworkError" || name === "MongoServerSelectionError",
};
