// Testing guide, "Transactions": Mongo transactions, as written. The test is skipped where the
// Mongo server has none (FerretDB, the local image set): that is the example's point.
// #region mongo-transaction
import {
  readContext,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";
import { makeEventLog } from "campaign-testenv/fixtures";

const testWithMongoTransactions = readContext().mongo?.capabilities.transactions.ok ? test : test.skip;

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["mongo"] });
});
afterAll(() => teardownTestEnvironment(env));

testWithMongoTransactions("an aborted Mongo transaction leaves nothing", async () => {
  const session = env.mongoClient.startSession();
  try {
    session.startTransaction();
    await env.mongo.collection("event_logs").insertOne(makeEventLog("call.completed"), { session });
    await session.abortTransaction();
  } finally {
    await session.endSession();
  }
  expect(await env.mongo.collection("event_logs").countDocuments()).toBe(0);
});
// #endregion mongo-transaction
