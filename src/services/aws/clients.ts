import type { DynamoDBClient } from "@aws-sdk/client-dynamodb";
import type { LambdaClient } from "@aws-sdk/client-lambda";
import type { S3Client } from "@aws-sdk/client-s3";
import type { SecretsManagerClient } from "@aws-sdk/client-secrets-manager";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";

/** The emulator's endpoint and the credentials that select an account in it. */
export interface AwsEndpoint {
  endpoint: string;
  region: string;
  accessKeyId: string;
  secretAccessKey: string;
}

export interface AwsClients {
  s3: S3Client;
  sqs: SQSClient;
  sns: SNSClient;
  secrets: SecretsManagerClient;
  dynamodb: DynamoDBClient;
  lambda: LambdaClient;
}

export type AwsClientName = keyof AwsClients;

/**
 * How each SDK client is made. Each package is loaded only when its client is first made: a test file
 * that never touches S3 never loads the S3 client.
 */
const MAKERS: { [K in AwsClientName]: (config: object) => AwsClients[K] } = {
  // Path-style: bucket host names such as reports.localhost do not resolve.
  s3: (config) =>
    new (require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3")).S3Client({
      ...config,
      forcePathStyle: true,
    }),
  sqs: (config) =>
    new (require("@aws-sdk/client-sqs") as typeof import("@aws-sdk/client-sqs")).SQSClient(config),
  sns: (config) =>
    new (require("@aws-sdk/client-sns") as typeof import("@aws-sdk/client-sns")).SNSClient(config),
  secrets: (config) =>
    new (
      require("@aws-sdk/client-secrets-manager") as typeof import("@aws-sdk/client-secrets-manager")
    ).SecretsManagerClient(config),
  dynamodb: (config) =>
    new (require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb")).DynamoDBClient(
      config,
    ),
  lambda: (config) =>
    new (require("@aws-sdk/client-lambda") as typeof import("@aws-sdk/client-lambda")).LambdaClient(config),
};

export const AWS_CLIENT_NAMES = Object.keys(MAKERS) as AwsClientName[];

/** One SDK client, signed as the endpoint's account. */
export function awsClient<K extends AwsClientName>(name: K, aws: AwsEndpoint): AwsClients[K] {
  const credentials = { accessKeyId: aws.accessKeyId, secretAccessKey: aws.secretAccessKey };
  return MAKERS[name]({ endpoint: aws.endpoint, region: aws.region, credentials });
}

/** Every SDK client, signed as the endpoint's account. */
export function awsClients(aws: AwsEndpoint): AwsClients {
  return Object.fromEntries(
    AWS_CLIENT_NAMES.map((name) => [name, awsClient(name, aws)]),
  ) as unknown as AwsClients;
}

export function destroyAwsClients(clients: Partial<AwsClients>): void {
  // Named, not Object.values: a store set's AWS clients come with its resources.
  for (const name of AWS_CLIENT_NAMES) clients[name]?.destroy();
}
