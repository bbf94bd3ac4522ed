import { CampaignTestenvError } from "../../errors";
import type { Explain } from "../../explaining";
import {
  type AwsClientName,
  type AwsClients,
  type AwsEndpoint,
  awsClient,
  destroyAwsClients,
} from "./clients";
import type { AwsResources } from "./resources";
import type { AwsResourcesSpec } from "./spec";
import { type AwsSdkClient, trackClient, WriteTracker } from "./writes";

/**
 * A store set's AWS store (`env.aws`): SDK clients signed as its account, each made when first read,
 * its resources by spec name, and the tracker of what its clients wrote, which the reset reads.
 */
export class AwsStore implements AwsClients {
  private readonly made: Partial<AwsClients> = {};
  private readonly tracker: WriteTracker;
  private explain?: Explain;

  constructor(
    private readonly account: AwsEndpoint,
    /** The account's resources by spec name: real bucket names, queue URLs and ARNs. */
    readonly resources: AwsResources,
    spec: AwsResourcesSpec,
  ) {
    this.tracker = new WriteTracker(this, spec);
  }

  get s3(): AwsClients["s3"] {
    return this.client("s3");
  }
  get sqs(): AwsClients["sqs"] {
    return this.client("sqs");
  }
  get sns(): AwsClients["sns"] {
    return this.client("sns");
  }
  get secrets(): AwsClients["secrets"] {
    return this.client("secrets");
  }
  get dynamodb(): AwsClients["dynamodb"] {
    return this.client("dynamodb");
  }
  get lambda(): AwsClients["lambda"] {
    return this.client("lambda");
  }

  /** Has `client` (one the code under test makes) record its writes too. */
  track<C>(client: C): C {
    trackClient(this.tracker, client as unknown as AwsSdkClient);
    return client;
  }

  /** For writes no tracked client makes: the next reset resets every resource of the account. */
  markWritten(): void {
    this.tracker.markEverything();
  }

  /** From now on, a call that fails because the emulator's container stopped throws `explain`'s error. */
  explainFailures(explain: Explain): void {
    this.explain = explain;
    for (const client of Object.values(this.made)) explainOn(client as unknown as AwsSdkClient, explain);
  }

  /** Back to the state after prepare, for what the store's clients wrote (cleanTestData). */
  reset(): Promise<void> {
    return this.tracker.reset();
  }

  close(): void {
    destroyAwsClients(this.made);
  }

  private client<K extends AwsClientName>(name: K): AwsClients[K] {
    const made = this.made[name];
    if (made) return made as AwsClients[K];
    const client = awsClient(name, this.account);
    trackClient(this.tracker, client as unknown as AwsSdkClient);
    if (this.explain) explainOn(client as unknown as AwsSdkClient, this.explain);
    this.made[name] = client;
    return client;
  }
}

/** The first middleware a call goes through, so it sees the failure the SDK gives up with. */
function explainOn(client: AwsSdkClient, explain: Explain): void {
  client.middlewareStack.add(
    (next) => async (args) => {
      try {
        return await next(args);
      } catch (error) {
        throw await explain(error);
      }
    },
    { step: "initialize", name: "campaignTestenvExplain" },
  );
}

/** `store` as the AWS store, or a sentence saying what to pass. */
function storeOf(store: unknown, what: string): AwsStore {
  if (store instanceof AwsStore) return store;
  throw new CampaignTestenvError(
    `campaign-testenv: ${what} takes env.aws, a test environment's AWS store; pass that.`,
  );
}

/**
 * Has `client` (any AWS SDK v3 client, such as one the code under test builds for itself) record its
 * writes in the store set's tracker, so cleanTestData resets what it writes too. Returns the client.
 */
export function trackAwsClient<C extends { middlewareStack: { add(...args: never[]): void } }>(
  store: AwsStore,
  client: C,
): C {
  return storeOf(store, "trackAwsClient").track(client);
}

/**
 * For writes no tracked client makes (another process, a client not passed to trackAwsClient): the
 * next cleanTestData resets every queue, bucket and table of the store set's account.
 */
export function markAwsAccountWritten(store: AwsStore): void {
  storeOf(store, "markAwsAccountWritten").markWritten();
}
