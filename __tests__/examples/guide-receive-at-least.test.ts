// Testing guide, "Waiting for asynchronous effects": the helper for several messages, as written,
// then used on three messages published on call-events.
// #region receive-at-least
import { type Message, ReceiveMessageCommand } from "@aws-sdk/client-sqs";
import { type TestEnvironment, waitFor } from "campaign-testenv";

/** At least `count` messages from one of this store set's queues, by its name in aws-resources.json. */
export async function receiveAtLeast(env: TestEnvironment, queue: string, count: number) {
  const messages: Message[] = [];
  await waitFor(
    async () => {
      const { Messages = [] } = await env.aws.sqs.send(
        new ReceiveMessageCommand({
          QueueUrl: env.aws.resources.queues[queue].url,
          MaxNumberOfMessages: 10,
          WaitTimeSeconds: 1,
        }),
      );
      messages.push(...Messages);
      return messages.length >= count;
    },
    { timeoutMs: 10_000, message: `${count} messages in ${queue}` },
  );
  return messages;
}
// #endregion receive-at-least

import { PublishCommand } from "@aws-sdk/client-sns";
import { cleanTestData, setupTestEnvironment, teardownTestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["aws"] });
});
afterAll(() => teardownTestEnvironment(env));
beforeEach(() => cleanTestData(env));

test("receiveAtLeast keeps every message each try received", async () => {
  const sent = ["a", "b", "c"].map((callId) => JSON.stringify({ type: "call.dialing", callId }));
  for (const Message of sent) {
    await env.aws.sns.send(
      new PublishCommand({ TopicArn: env.aws.resources.topics["call-events"], Message }),
    );
  }
  const messages = await receiveAtLeast(env, "call-events-observer", 3);
  expect(messages.map((m) => m.Body).sort()).toEqual(sent);
});
