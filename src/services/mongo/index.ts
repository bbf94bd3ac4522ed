import { readFileSync } from "node:fs";
import path from "node:path";
import { MongoDBContainer } from "@testcontainers/mongodb";
import { type Db, type Document, type IndexDescription, MongoClient, MongoServerError } from "mongodb";
import { GenericContainer, Wait } from "testcontainers";
import { randomToken } from "../../random";
import { MAIN_DATABASE, type Service } from "../../service";

export const MONGO_FLAVOURS = ["mongo", "ferretdb"] as const;
/** `mongo`: the official image, a one-node replica set. `ferretdb`: FerretDB v1, MongoDB-wire-compatible. */
export type MongoFlavour = (typeof MONGO_FLAVOURS)[number];

/** fixtures/mongo-collections.json: each collection with its optional $jsonSchema validator and indexes. */
export interface CollectionsSpec {
  collections: { name: string; validator?: Document; indexes?: (IndexDescription & { name: string })[] }[];
}

export interface MongoContext {
  image: string;
  flavour: MongoFlavour;
  host: string;
  port: number;
  /** Connection string without a database name. */
  uri: string;
  database: string;
  /** False where the server does not enforce $jsonSchema validators (FerretDB). */
  validators: boolean;
  /** False where the server has no multi-document transactions (FerretDB). */
  transactions: boolean;
  /** The collections every worker database gets. */
  spec: CollectionsSpec;
}

/** A worker's Mongo store: the client and its own database. */
export interface MongoStore {
  client: MongoClient;
  db: Db;
}

const MONGO_PORT = 27017;

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
async function enforcesValidators(db: Db): Promise<boolean> {
  const probe = `validator_probe_${randomToken(8)}`;
  try {
    await db.createCollection(probe, { validator: { $jsonSchema: { required: ["x"] } } });
    await db.collection(probe).insertOne({});
    return false;
  } catch (error) {
    return error instanceof MongoServerError && error.code === 121; // DocumentValidationFailure
  } finally {
    await db.dropCollection(probe).catch(() => undefined);
  }
}

const workerDatabase = (workerId: number) => `${MAIN_DATABASE}_w${workerId}`;

export const mongo: Service<"mongo", MongoContext, MongoStore, MongoFlavour> = {
  name: "mongo",
  images: { mongo: "mongo:7.0", ferretdb: "ghcr.io/ferretdb/ferretdb:1.24.0" },
  fingerprint: (settings) =>
    [settings.image, settings.flavour, JSON.stringify(loadCollectionsSpec(settings.specsDir))].join("\n"),

  async start(run) {
    const spec = await run.step("reading the collections spec", async () =>
      loadCollectionsSpec(run.settings.specsDir),
    );
    const { flavour } = run.settings;
    let uri: string;
    if (flavour === "mongo") {
      // The module's own replica-set health check and wait, as its maintainers ship them.
      const container = await run.startContainer(
        new MongoDBContainer(run.image).withUsername("campaign").withPassword(randomToken()),
      );
      // directConnection: the replica set advertises the container's own host name, unreachable from here.
      uri = `${container.getConnectionString()}&directConnection=true`;
    } else {
      const container = await run.startContainer(
        new GenericContainer(run.image)
          .withExposedPorts(MONGO_PORT)
          .withWaitStrategy(Wait.forListeningPorts()),
      );
      uri = `mongodb://${container.getHost()}:${container.getMappedPort(MONGO_PORT)}`;
    }

    const client = await run.step("connecting", () => new MongoClient(uri).connect());
    try {
      const db = client.db(MAIN_DATABASE);
      const validators = await run.step("probing for validators", () => enforcesValidators(db));
      if (!validators) {
        run.note(`${flavour} does not enforce $jsonSchema validators: collections are created without them`);
      }
      await run.step(`creating ${spec.collections.length} collections`, () =>
        createCollections(db, spec, validators),
      );
      const url = new URL(uri);
      return {
        image: run.image,
        flavour,
        host: url.hostname,
        port: Number(url.port),
        uri,
        database: MAIN_DATABASE,
        validators,
        transactions: flavour === "mongo",
        spec,
      };
    } finally {
      await client.close();
    }
  },

  store: (_context, workerId) => ({ mongoDatabase: workerDatabase(workerId) }),

  async prepare({ uri, spec, validators }, id) {
    const client = await new MongoClient(uri).connect();
    try {
      const db = client.db(workerDatabase(id));
      await db.dropDatabase();
      await createCollections(db, spec, validators);
    } finally {
      await client.close();
    }
  },

  async connect({ uri }, id) {
    // The driver connects on the first operation: a claim from the warm pool waits for no handshake.
    const client = new MongoClient(uri);
    return { client, db: client.db(workerDatabase(id)) };
  },

  /** Collections of the spec keep their validators and indexes; any other collection a test made is dropped. */
  async reset({ db }, { spec }) {
    const specified = new Set(spec.collections.map((c) => c.name));
    const present = await db.listCollections({}, { nameOnly: true }).toArray();
    await Promise.all(
      present.map(({ name }) =>
        specified.has(name) ? db.collection(name).deleteMany({}) : db.dropCollection(name),
      ),
    );
  },

  close: ({ client }) => client.close(),

  async check({ uri }, timeoutMs) {
    const client = new MongoClient(uri, { serverSelectionTimeoutMS: timeoutMs });
    try {
      await client.db("admin").command({ ping: 1 });
    } finally {
      await client.close();
    }
  },

  address: ({ host, port }) => `${host}:${port}`,

  envLines: (c) => [`MONGO_URL=${c.uri}`, `MONGO_DATABASE=${c.database}`],
};
