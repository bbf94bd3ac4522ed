import type { CollectionInfo, Db, MongoClient } from "mongodb";

/** Commands that can put documents into a collection (the one they name). */
const INSERTING = new Set(["insert", "update", "findAndModify"]);

/**
 * A store set's Mongo store: its client and database, and what the reset needs to know between tests.
 * The client records the collections its inserts and updates reach, through the driver's command
 * monitoring (it is made with monitorCommands): a reset empties those without asking first.
 */
export class MongoStore {
  /** Collections its inserts and updates reached since the last reset. */
  private readonly written = new Set<string>();
  /** Each spec collection's UUID at the last reset: a new one means it was dropped and made again. */
  private ids = new Map<string, string>();

  constructor(
    readonly client: MongoClient,
    readonly db: Db,
  ) {
    client.on("commandStarted", ({ commandName, command }) => {
      if (INSERTING.has(commandName)) this.written.add(String(command[commandName]));
    });
  }

  /**
   * Back to the state after prepare: the spec's collections exist, empty, with their indexes (and
   * validators where enforced), and no other collection does. One parallel burst: the collection list,
   * a delete in each collection this client wrote, and a count (collection metadata, not a scan, on
   * MongoDB) of each other one, since code under test may write through a client of its own. A second
   * only for what that found: documents to delete, a collection to drop, a spec collection a test
   * dropped (made again from the spec, also when an insert has made it again without its indexes).
   */
  async reset<C extends { name: string }>(
    collections: C[],
    create: (collections: C[]) => Promise<void>,
  ): Promise<void> {
    const { db } = this;
    const written = new Set(this.written);
    this.written.clear();
    const [present, ...counts] = await Promise.all([
      db.listCollections().toArray(),
      ...collections.map(async ({ name }) => {
        if (!written.has(name)) return db.collection(name).estimatedDocumentCount();
        await db.collection(name).deleteMany({});
        return 0;
      }),
    ]);
    const ids = idsOf(present);
    const specified = new Set(collections.map((c) => c.name));
    // The first reset learns the UUIDs prepare left.
    const remade = collections.filter(
      (c) => ids.has(c.name) && ids.get(c.name) !== (this.ids.get(c.name) ?? ids.get(c.name)),
    );
    const missing = collections.filter((c) => !ids.has(c.name));
    await Promise.all([
      ...[...ids.keys()]
        .filter((name) => !specified.has(name) || remade.some((c) => c.name === name))
        .map((name) => db.dropCollection(name)),
      ...collections
        .filter((c, i) => counts[i] > 0 && !remade.includes(c))
        .map((c) => db.collection(c.name).deleteMany({})),
    ]);
    // Made after the rest: FerretDB's SQLite backend failed a createIndexes that ran beside a delete
    // ("index ... already exists"), now and then.
    if (remade.length + missing.length > 0) await create([...remade, ...missing]);
    this.ids = remade.length + missing.length > 0 ? idsOf(await db.listCollections().toArray()) : ids;
  }
}

const idsOf = (collections: CollectionInfo[]) => {
  const { BSON } = require("mongodb") as typeof import("mongodb");
  return new Map(collections.map((c) => [c.name, BSON.EJSON.stringify(c.info?.uuid ?? null)]));
};
