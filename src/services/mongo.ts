import { readFileSync } from "node:fs";
import path from "node:path";
import { MongoDBContainer } from "@testcontainers/mongodb";
import { type Db, type Document, type IndexDescription, MongoClient, MongoServerError } from "mongodb";
import { GenericContainer, Wait } from "testcontainers";
import type { MongoContext } from "../context";
import { randomToken } from "../random";
import type { Service } from "./service";

const MONGO_PORT = 27017;
export const MAIN_DATABASE = "campaign";

/** fixtures/mongo-collections.json: each collection with its optional $jsonSchema validator and indexes. */
export interface CollectionsSpec {
  collections: { name: string; validator?: Document; indexes?: (IndexDescription & { name: string })[] }[];
}

export function loadCollectionsSpec(fixturesDir: string): CollectionsSpec {
  const file = path.join(fixturesDir, "mongo-collections.json");
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

export const mongo: Service<"mongo"> = {
  name: "mongo",
  fingerprint: (options) =>
    [
      options.images.mongo,
      options.mongoFlavour,
      JSON.stringify(loadCollectionsSpec(options.fixturesDir)),
    ].join("\n"),
  async start(run) {
    const spec = await run.step("reading the collections spec", async () =>
      loadCollectionsSpec(run.options.fixturesDir),
    );
    const flavour = run.options.mongoFlavour;
    let uri: string;
    if (flavour === "mongo") {
      const user = "campaign";
      const password = randomToken();
      const container = await run.startContainer(
        new MongoDBContainer(run.image)
          .withUsername(user)
          .withPassword(password)
          // The module's own replica-set check, polled every 1 s instead of its 5 s: ready sooner.
          .withHealthCheck({
            test: [
              "CMD-SHELL",
              `mongosh -u ${user} -p ${password} --quiet --eval 'try { rs.status(); } catch (e) { rs.initiate(); } ` +
                `while (db.runCommand({isMaster: 1}).ismaster==false) { sleep(100); }'`,
            ],
            interval: 1000,
            timeout: 60_000,
            retries: 1000,
          }),
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
      const context: MongoContext = {
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
      return context;
    } finally {
      await client.close();
    }
  },
};
