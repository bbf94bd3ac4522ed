// Testing guide, "Resetting between tests": an AWS client the code under test makes itself, tracked,
// and a whole reset of the account asked for; each checked against the queue it wrote to.
// #region reset-aws
import { SendMessageCommand, SQSClient } from "@aws-sdk/client-sqs";
import { cleanTestData, markAwsAccountWritten, trackAwsClient } from "campaign-testenv";
// #endregion reset-aws
import { GetQueueAttributesCommand } from "@aws-sdk/client-sqs";
import { setupTestEnvironment, teardownTestEnvironment, type TestEnvironment } from "campaign-testenv";

let env: TestEnvironment;
beforeAll(async () => {
  env = await setupTestEnvironment({ services: ["aws"] });
});
afterAll(() => teardownTestEnvironment(env));

const QueueUrl = () => env.aws.resources.queues["crm-updates"].url;
const waiting = async () => {
  const { Attributes } = await env.aws.sqs.send(
    new GetQueueAttributesCommand({ QueueUrl: QueueUrl(), AttributeNames: ["ApproximateNumberOfMessages"] }),
  );
  return Attributes!.ApproximateNumberOfMessages;
};

test("what the code's own tracked client sends is reset; markAwsAccountWritten resets everything", async () => {
  // #region reset-aws
  // The code under test makes its own SQS client from the store set's settings: track it.
  const { endpoint, region, secretAccessKey } = env.context.aws!;
  const credentials = { accessKeyId: env.storeSet.awsAccount, secretAccessKey };
  const sqs = trackAwsClient(env.aws, new SQSClient({ endpoint, region, credentials }));
  // #endregion reset-aws
  await sqs.send(new SendMessageCommand({ QueueUrl: QueueUrl(), MessageBody: "sent by the code" }));
  expect(await waiting()).toBe("1");
  await cleanTestData(env);
  expect(await waiting()).toBe("0");

  const untracked = new SQSClient({ endpoint, region, credentials });
  await untracked.send(new SendMessageCommand({ QueueUrl: QueueUrl(), MessageBody: "sent unseen" }));
  untracked.destroy();
  // #region reset-aws
  // Something the test process has no client of wrote (another process): reset the whole account.
  markAwsAccountWritten(env.aws);
  await cleanTestData(env);
  // #endregion reset-aws
  expect(await waiting()).toBe("0");
  sqs.destroy();
});
