import type { AttributeValue } from "@aws-sdk/client-dynamodb";
import type { AwsClients } from "./clients";
import type { AwsResources } from "./resources";
import type { AwsResourcesSpec } from "./spec";

/** What a tracker resets through: the store set's clients (made when first read) and its resources. */
type Store = AwsClients & { readonly resources: AwsResources };

// Loaded when a reset first needs them: after a test that wrote nothing, a reset sends nothing.
const resources = (): typeof import("./resources") => require("./resources");

/** What an AWS SDK v3 client offers a middleware: enough to see each command before it is sent. */
type Handler = (args: { input: object }) => Promise<unknown>;
type Middleware = (next: Handler, context: { clientName?: string; commandName?: string }) => Handler;
export interface AwsSdkClient {
  middlewareStack: {
    add(middleware: Middleware, options: { step: "initialize" | "build"; name: string }): void;
  };
}

/** What was written since the last reset, by spec name. */
interface Writes {
  /** A write the tracker cannot scope: the next reset empties every resource of the account. */
  everything: boolean;
  queues: Set<string>;
  /** The keys written in each bucket; "all" for a write to the bucket itself. */
  objects: Map<string, Set<string> | "all">;
  /** The keys of the items written in each table (by their JSON); "all" when a request names none. */
  items: Map<string, Map<string, Record<string, AttributeValue>> | "all">;
}

const noWrites = (): Writes => ({
  everything: false,
  queues: new Set(),
  objects: new Map(),
  items: new Map(),
});

/** Commands that change nothing, by name; ReceiveMessage is not one (it puts messages in flight). */
const READ = /^(Get|Head|List|Describe|Query|Scan|BatchGet|TransactGet|Select)/;
/** SQS commands that can leave messages in a queue, which prepare left empty. */
const ADDING = new Set([
  "SendMessage",
  "SendMessageBatch",
  "ReceiveMessage",
  "ChangeMessageVisibility",
  "ChangeMessageVisibilityBatch",
]);
/** SQS commands that only take messages away: a queue they touch needs no reset for them. */
const TAKING = new Set(["DeleteMessage", "DeleteMessageBatch", "PurgeQueue"]);

/**
 * Records what a store set's clients write that can leave a resource unlike prepare left it, so that
 * a reset touches only that: the queues sent to or received from (with a queue's dead-letter queue,
 * where redrive moves messages), the objects and items written, by key. Deletes of messages, items
 * and objects that are not samples are not recorded: prepare left none. So a reset's own requests
 * record nothing (it deletes, and puts samples back as they were). Writes it cannot scope mean a
 * reset of everything of the account: any write that can run a Lambda function (which may write
 * anywhere), and any command it does not know. Clients it is not given go unseen (see trackAwsClient).
 */
export class WriteTracker {
  private writes = noWrites();
  /** A function fed by a queue may still be running: resets stay whole until its queues are idle. */
  private functionsMayRun = false;
  /** Subscriptions, event sources or functions changed, or one was invoked asynchronously: what a
   * write reaches is no longer known, so every reset of this store set is whole. */
  private wiringChanged = false;
  private readonly sourceQueues: Set<string>;

  constructor(
    private readonly store: Store,
    private readonly spec: AwsResourcesSpec,
  ) {
    this.sourceQueues = new Set(
      spec.functions
        .filter((fn) => store.resources.functions[fn.name])
        .flatMap((fn) => fn.eventSourceQueue ?? []),
    );
  }

  readonly middleware: Middleware = (next, context) => (args) => {
    this.record(context.clientName, (context.commandName ?? "").replace(/Command$/, ""), args.input);
    return next(args);
  };

  markEverything(): void {
    this.writes.everything = true;
  }

  // The inputs are the SDK's own request shapes, read loosely: a missing field scopes nothing.
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private record(client: string | undefined, command: string, input: any): void {
    if (READ.test(command)) return;
    switch (client) {
      case "SQSClient":
        if (TAKING.has(command)) return;
        if (!ADDING.has(command)) return this.markEverything();
        return this.markQueue(this.queueOf(input.QueueUrl), command === "ReceiveMessage");
      case "S3Client":
        return this.markObjects(command, input);
      case "DynamoDBClient":
        return this.markItems(command, input);
      case "SNSClient":
        if (command !== "Publish" && command !== "PublishBatch") {
          this.wiringChanged = true;
          return;
        }
        for (const queue of this.spec.topics.find(
          (t) => this.store.resources.topics[t.name] === input.TopicArn,
        )?.subscribeQueues ?? [])
          this.markQueue(queue, false);
        return;
      case "LambdaClient":
        // A synchronous invocation is over when it returns; anything else may go on unseen.
        if (command === "Invoke" && input.InvocationType !== "Event") return this.markEverything();
        this.wiringChanged = true;
        return;
      default:
        return this.markEverything();
    }
  }

  private queueOf(url: unknown): string | undefined {
    const name = typeof url === "string" ? url.split("/").pop() : undefined;
    return name && this.store.resources.queues[name] ? name : undefined;
  }

  private markQueue(queue: string | undefined, received: boolean): void {
    if (!queue) return; // a queue the spec does not have: not part of the state after prepare
    this.writes.queues.add(queue);
    if (this.sourceQueues.has(queue)) this.functionsMayRun = true;
    const deadLetterQueue = this.spec.queues.find((q) => q.name === queue)?.deadLetterQueue;
    if (received && deadLetterQueue) this.markQueue(deadLetterQueue, false);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private markObjects(command: string, input: any): void {
    const { buckets } = this.store.resources;
    const bucket = Object.keys(buckets).find((name) => buckets[name] === input.Bucket);
    if (!bucket) {
      if (input.Bucket === undefined) this.markEverything();
      return; // a bucket the spec does not have: not part of the state after prepare
    }
    const samples = this.spec.buckets.find((b) => b.name === bucket)?.objects ?? [];
    const sample = (key: unknown) => samples.find((o) => o.key === key);
    let keys: unknown[] | undefined = input.Key === undefined ? undefined : [input.Key];
    if (command === "DeleteObjects") keys = input.Delete?.Objects?.map((o: { Key?: string }) => o.Key);
    // Deleting what is no sample, or putting a sample back as it was, leaves the bucket as prepared.
    if (command === "DeleteObject" || command === "DeleteObjects") keys = keys?.filter(sample);
    const restored = sample(input.Key);
    if (
      command === "PutObject" &&
      restored?.body === input.Body &&
      restored?.contentType === input.ContentType
    )
      return;
    const written = this.writes.objects.get(bucket) ?? new Set<string>();
    if (written === "all" || !keys || keys.some((k) => typeof k !== "string")) {
      this.writes.objects.set(bucket, "all");
      return;
    }
    if (keys.length === 0) return;
    for (const key of keys as string[]) written.add(key);
    this.writes.objects.set(bucket, written);
  }

  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  private markItems(command: string, input: any): void {
    switch (command) {
      // Deletes are not recorded: prepare left every table empty.
      case "DeleteItem":
        return;
      case "PutItem":
        return this.markItem(input.TableName, input.Item);
      case "UpdateItem":
        return this.markItem(input.TableName, input.Key);
      case "BatchWriteItem":
        for (const [table, requests] of Object.entries(input.RequestItems ?? {}))
          // eslint-disable-next-line @typescript-eslint/no-explicit-any
          for (const r of requests as any[]) if (r.PutRequest) this.markItem(table, r.PutRequest.Item);
        return;
      case "TransactWriteItems":
        for (const { Put, Update } of input.TransactItems ?? []) {
          if (Put) this.markItem(Put.TableName, Put.Item);
          if (Update) this.markItem(Update.TableName, Update.Key);
        }
        return;
      default:
        return this.markEverything();
    }
  }

  private markItem(tableName: unknown, attributes: Record<string, AttributeValue> | undefined): void {
    // A table is named by its name or its ARN (arn:...:table/NAME).
    const name = typeof tableName === "string" ? tableName.split("/").pop()! : "";
    const table = this.spec.tables.find((t) => t.name === name && this.store.resources.tables[t.name]);
    if (!table) return;
    const written = this.writes.items.get(name) ?? new Map<string, Record<string, AttributeValue>>();
    const value = attributes?.[table.partitionKey];
    if (written === "all" || !value) {
      this.writes.items.set(name, "all");
      return;
    }
    written.set(JSON.stringify(value), { [table.partitionKey]: value });
    this.writes.items.set(name, written);
  }

  /** Back to the state after prepare, touching only what was written: one request per queue,
   * bucket and table written (and per sample object written), in parallel; none when nothing was. */
  async reset(): Promise<void> {
    const writes = this.writes;
    this.writes = noWrites();
    if (writes.everything || this.functionsMayRun || this.wiringChanged) return this.resetEverything();
    const { queues } = this.store.resources;
    await Promise.all([
      ...[...writes.queues].map((q) => {
        const { PurgeQueueCommand } = require("@aws-sdk/client-sqs") as typeof import("@aws-sdk/client-sqs");
        return this.store.sqs.send(new PurgeQueueCommand({ QueueUrl: queues[q].url }));
      }),
      ...[...writes.objects].map(([bucket, keys]) => this.resetObjects(bucket, keys)),
      ...[...writes.items].map(([table, keys]) => this.resetItems(table, keys)),
    ]);
  }

  /** The written keys that are samples are put back, the others deleted. */
  private async resetObjects(name: string, keys: Set<string> | "all"): Promise<void> {
    const { s3 } = this.store;
    const { DeleteObjectCommand, DeleteObjectsCommand } =
      require("@aws-sdk/client-s3") as typeof import("@aws-sdk/client-s3");
    const { putSample, resetBucket } = resources();
    const bucket = this.store.resources.buckets[name];
    const samples = this.spec.buckets.find((b) => b.name === name)?.objects ?? [];
    if (keys === "all") return resetBucket(s3, bucket, samples);
    const extra = [...keys].filter((key) => !samples.some((o) => o.key === key));
    // One key: DeleteObject, a third cheaper than DeleteObjects (no XML body, no checksum).
    const deletes =
      extra.length === 1
        ? [s3.send(new DeleteObjectCommand({ Bucket: bucket, Key: extra[0] }))]
        : chunks(extra, 1000).map((batch) =>
            s3.send(
              new DeleteObjectsCommand({
                Bucket: bucket,
                Delete: { Objects: batch.map((Key) => ({ Key })), Quiet: true },
              }),
            ),
          );
    await Promise.all([
      ...samples.filter((o) => keys.has(o.key)).map((o) => putSample(s3, bucket, o)),
      ...deletes,
    ]);
  }

  /** The table was empty after prepare: the written items are deleted, 25 a request. */
  private async resetItems(
    table: string,
    keys: Map<string, Record<string, AttributeValue>> | "all",
  ): Promise<void> {
    const { dynamodb } = this.store;
    const { BatchWriteItemCommand } =
      require("@aws-sdk/client-dynamodb") as typeof import("@aws-sdk/client-dynamodb");
    if (keys === "all") {
      const { partitionKey } = this.spec.tables.find((t) => t.name === table)!;
      return resources().emptyTable(dynamodb, table, partitionKey);
    }
    await Promise.all(
      chunks([...keys.values()], 25).map((batch) =>
        dynamodb.send(
          new BatchWriteItemCommand({
            RequestItems: { [table]: batch.map((Key) => ({ DeleteRequest: { Key } })) },
          }),
        ),
      ),
    );
  }

  private async resetEverything(): Promise<void> {
    // A function's writes are all in once the queues feeding it hold nothing, not even in flight: it
    // deletes its batch only after it returns. Checked before the reset, so the reset sees them.
    const idle =
      this.functionsMayRun &&
      !(
        await Promise.all(
          [...this.sourceQueues].map((q) =>
            resources().queueHoldsMessages(this.store.sqs, this.store.resources.queues[q].url),
          ),
        )
      ).some(Boolean);
    await resources().resetAwsResources(this.store, this.spec);
    if (idle) this.functionsMayRun = false;
  }
}

const chunks = <T>(items: T[], size: number): T[][] =>
  Array.from({ length: Math.ceil(items.length / size) }, (_, i) => items.slice(i * size, (i + 1) * size));

/** Has `client` record its writes in `tracker` (the store's own clients, and any passed to trackAwsClient). */
export function trackClient(tracker: WriteTracker, client: AwsSdkClient): void {
  client.middlewareStack.add(tracker.middleware, { step: "build", name: "campaignTestenvWrites" });
}
