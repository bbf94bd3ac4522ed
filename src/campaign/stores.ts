import type { S3Client } from "@aws-sdk/client-s3";
import type { SNSClient } from "@aws-sdk/client-sns";
import type { SQSClient } from "@aws-sdk/client-sqs";
import type { Redis } from "ioredis";
import type { Db } from "mongodb";
import type { Pool } from "pg";
import type { TestEnvironment } from "../worker";

/**
 * The clients and resource names the call data path works on: any store set's, or a user's own.
 * AWS names are the real ones (queue URL, topic ARN, bucket name), not the spec's.
 */
export interface CallStores {
  pg: Pool;
  mongo: Db;
  redis: Redis;
  sqs: SQSClient;
  sns: SNSClient;
  s3: S3Client;
  dialTasksQueueUrl: string;
  callEventsTopicArn: string;
  donationEventsTopicArn: string;
  optoutEventsTopicArn: string;
  reportsBucket: string;
}

/** This store set's clients, by the names of fixtures/aws-resources.json; `overrides` swaps any of them. */
export function callStores(env: TestEnvironment, overrides: Partial<CallStores> = {}): CallStores {
  const { resources } = env.aws;
  return {
    pg: env.postgres,
    mongo: env.mongo,
    redis: env.redis,
    sqs: env.aws.sqs,
    sns: env.aws.sns,
    s3: env.aws.s3,
    dialTasksQueueUrl: resources.queues["dial-tasks"].url,
    callEventsTopicArn: resources.topics["call-events"],
    donationEventsTopicArn: resources.topics["donation-events"],
    optoutEventsTopicArn: resources.topics["optout-events"],
    reportsBucket: resources.buckets["reports"],
    ...overrides,
  };
}
