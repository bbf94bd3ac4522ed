import {
  ConditionalCheckFailedException,
  DeleteItemCommand,
  type DynamoDBClient,
  PutItemCommand,
} from "@aws-sdk/client-dynamodb";

/** The Campaign System's distributed locks: one DynamoDB item per lock, expiring by DynamoDB's TTL. */
export interface LockTable {
  dynamodb: DynamoDBClient;
  /** Partition key `lockId`; `expiresAt` (epoch seconds) is its TTL attribute, for DynamoDB's sweep. */
  table: string;
}

/**
 * Takes `lockId` for `owner` for `ttlMs`, unless someone holds it unexpired: one conditional put, so
 * of many contenders at once exactly one wins. An expired lock can be taken over at once, without
 * waiting for DynamoDB's TTL sweep (which may take its time, on AWS as on the emulators).
 */
export async function acquireLock(
  locks: LockTable,
  { lockId, owner, ttlMs, now = Date.now() }: { lockId: string; owner: string; ttlMs: number; now?: number },
): Promise<boolean> {
  try {
    await locks.dynamodb.send(
      new PutItemCommand({
        TableName: locks.table,
        // leaseUntil (ms) decides who holds it; expiresAt, whole seconds as TTL wants, only lets
        // DynamoDB delete the item some time later.
        Item: {
          lockId: { S: lockId },
          owner: { S: owner },
          leaseUntil: { N: String(now + ttlMs) },
          expiresAt: { N: String(Math.ceil((now + ttlMs) / 1000)) },
        },
        ConditionExpression: "attribute_not_exists(lockId) OR leaseUntil <= :now",
        ExpressionAttributeValues: { ":now": { N: String(now) } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}

/** Gives the lock back, only if `owner` still holds it. Returns whether it did. */
export async function releaseLock(
  locks: LockTable,
  { lockId, owner }: { lockId: string; owner: string },
): Promise<boolean> {
  try {
    await locks.dynamodb.send(
      new DeleteItemCommand({
        TableName: locks.table,
        Key: { lockId: { S: lockId } },
        // "owner" is a DynamoDB reserved word: it goes through a name placeholder.
        ConditionExpression: "#owner = :owner",
        ExpressionAttributeNames: { "#owner": "owner" },
        ExpressionAttributeValues: { ":owner": { S: owner } },
      }),
    );
    return true;
  } catch (error) {
    if (error instanceof ConditionalCheckFailedException) return false;
    throw error;
  }
}
