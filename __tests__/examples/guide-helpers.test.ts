// Testing guide, "The helpers at a glance": the imports, then the statements, run in order against this
// test file's store set, with a check after each of what its comment promises.
// #region helpers
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { checkServicesHealth, cleanTestData, seedTestData, waitFor, withTransaction } from "campaign-testenv";
// #endregion helpers
import { PublishCommand } from "@aws-sdk/client-sns";
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));

test("the guide's helpers do what their comments say", async () => {
  await env.redis.set("left-over", "1");
  // #region helpers
  await cleanTestData(env); // back to the state after setup, touching only what the test wrote (the testing guide says how)
  const data = await seedTestData(env); // fixtures/test-data.ts into PostgreSQL and Mongo; or pass { tables, collections }
  // #endregion helpers
  expect(await env.redis.get("left-over")).toBeNull();
  const blacklisted = async () => (await env.postgres.query("SELECT count(*) FROM blacklist")).rows[0].count;
  expect(await blacklisted()).toBe(String(data.tables.blacklist.length));

  // #region helpers
  const count = await withTransaction(env.postgres, async (client) => {
    await client.query("DELETE FROM blacklist");
    return (await client.query("SELECT count(*) FROM blacklist")).rows[0].count; // "0" in here...
  }); // ...and rolled back afterwards, always
  // #endregion helpers
  expect(count).toBe("0");
  expect(await blacklisted()).toBe(String(data.tables.blacklist.length));

  // The call path publishes call events on the call-events topic, which delivers to this queue.
  const event = JSON.stringify({ type: "call.dialing", callId: "readme-helpers" });
  await env.aws.sns.send(
    new PublishCommand({ TopicArn: env.aws.resources.topics["call-events"], Message: event }),
  );
  // #region helpers
  const message = await waitFor(
    async () =>
      (
        await env.aws.sqs.send(
          new ReceiveMessageCommand({ QueueUrl: env.aws.resources.queues["call-events-observer"].url }),
        )
      ).Messages?.[0],
    { timeoutMs: 5000, message: "the call event" },
  ); // or: Error "waitFor timed out after 5000 ms waiting for the call event"
  // #endregion helpers
  expect(message.Body).toBe(event);
  await expect(waitFor(() => false, { timeoutMs: 100, message: "the call event" })).rejects.toThrow(
    "waitFor timed out after 100 ms waiting for the call event",
  );

  // #region helpers
  const health = await checkServicesHealth(env.context); // [{ service: "postgres", healthy: true, latencyMs: 3.2, detail: "localhost:32771" }, ...]
  // #endregion helpers
  expect(health.map((h) => [h.service, h.healthy])).toEqual(env.context.services.map((s) => [s, true]));
});
