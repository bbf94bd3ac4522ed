// The AWS resources spec (fixtures/aws-resources.json), apart from the code that creates the resources:
// a reused environment reads the spec for its fingerprint and peers, and must not load the AWS SDK to do it.
import { readFileSync } from "node:fs";
import path from "node:path";

/**
 * fixtures/aws-resources.json. Names are the production ones: each store set is an AWS account of its own,
 * so only bucket names (one namespace across accounts, as in AWS) get a per-store-set prefix.
 */
export interface AwsResourcesSpec {
  buckets: { name: string; objects?: { key: string; body: string; contentType?: string }[] }[];
  queues: {
    name: string;
    deadLetterQueue?: string;
    maxReceiveCount?: number;
    visibilityTimeoutSeconds?: number;
  }[];
  topics: { name: string; subscribeQueues?: string[] }[];
  /** String values may hold {{service.field}} placeholders, filled from the started services' context. */
  secrets: { name: string; value: Record<string, string> }[];
  /** DynamoDB tables: a string partition key, and the attribute DynamoDB's TTL expires items by. */
  tables: { name: string; partitionKey: string; ttlAttribute?: string }[];
  /** Lambda functions: the files of `source` (a folder beside the spec) zipped, and the queue that feeds them. */
  functions: {
    name: string;
    runtime: string;
    handler: string;
    source: string;
    timeoutSeconds?: number;
    eventSourceQueue?: string;
    batchSize?: number;
  }[];
}

export function loadAwsResourcesSpec(specsDir: string): AwsResourcesSpec {
  const file = path.join(specsDir, "aws-resources.json");
  try {
    const spec = JSON.parse(readFileSync(file, "utf8")) as Partial<AwsResourcesSpec>;
    return { buckets: [], queues: [], topics: [], secrets: [], tables: [], functions: [], ...spec };
  } catch (error) {
    throw new Error(`cannot read the AWS resources spec ${file} (${(error as Error).message})`, {
      cause: error,
    });
  }
}
