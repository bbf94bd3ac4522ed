// Testing guide, "Transactions": Mongo transactions, as written. Where the server has none (FerretDB,
// the local image set), the context says so and the transaction is refused: the test checks that.
// #region mongo-transaction
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";
import { makeEventLog } from "campaign-testenv/fixtures";

let env: TestEnvironment<"mongo">;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["mongo"] });
});
afterAll(() => teardownTestEnvironment(env));

test("an aborted Mongo transaction leaves nothing; a server without transactions refuses one", async () => {
  const { transactions } = env.context.mongo.capabilities; // { ok, reason }: probed at start-up
  const session = env.mongoClient.startSession();
  try {
    session.startTransaction();
    const insert = env.mongo.collection("event_logs").insertOne(makeEventLog("call.completed"), { session });
    if (!transactions.ok) return await expect(insert).rejects.toThrow();
    await insert;
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
  expect(await env.mongo.collection("event_logs").countDocuments()).toBe(0);
});
// #endregion mongo-transaction
