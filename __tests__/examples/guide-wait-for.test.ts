// Testing guide, "Waiting for asynchronous effects": an SNS delivery, as written.
// #region wait-for
import { ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import {
  cleanTestData,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
  waitFor,
} from "campaign-testenv";
import { callStores, seedCampaign, startCall } from "campaign-testenv/campaign";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["postgres", "mongo", "redis", "aws"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("a placed call is announced on call-events", async () => {
  const { campaign, contacts } = await seedCampaign(env, { contacts: 1 });
  const started = await startCall(callStores(env), campaign.id, contacts[0].id);
  if (!started.ok) throw new Error(`${started.reason}: ${started.detail}`);

  const message = await waitFor(
    async () => {
      const { Messages } = await env.aws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: env.aws.resources.queues["call-events-observer"].url,
          WaitTimeSeconds: 1,
        }),
      );
      return Messages?.[0];
    },
    { timeoutMs: 10_000, message: "call.dialing in call-events-observer" },
  );
  expect(JSON.parse(message.Body!)).toMatchObject({ type: "call.dialing", callId: started.call.id });
});
// #endregion wait-for
