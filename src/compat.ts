// Every name the package had in an earlier version, in one place: reading or setting an old name fails
// with a sentence naming the new one, instead of being silently ignored. Each entry says the version
// that renamed it (CHANGELOG.md has the migration) and the version that drops it;
// __tests__/unit/compat.test.ts fails once package.json's version reaches that one, as a reminder.
import { CampaignTestenvError, OptionsError } from "./errors";

export interface Shim {
  old: string;
  now: string;
  renamedIn: string;
  removedIn: string;
}

export const SHIMS = {
  awsPrefix: {
    old: "env.worker.awsPrefix",
    now: "env.aws.resources (each store set is an AWS account)",
    renamedIn: "0.2.0",
    removedIn: "0.5.0",
  },
  fixturesDir: {
    old: "fixturesDir / CAMPAIGN_TESTENV_FIXTURES_DIR",
    now: "specsDir / CAMPAIGN_TESTENV_SPECS_DIR",
    renamedIn: "0.2.0",
    removedIn: "0.5.0",
  },
  envFile: {
    old: "campaign-testenv up --env-file",
    now: "--write-env (Node.js claims --env-file)",
    renamedIn: "0.2.0",
    removedIn: "0.5.0",
  },
  worker: { old: "env.worker", now: "env.storeSet", renamedIn: "0.3.0", removedIn: "0.6.0" },
  store: { old: "env.store(name)", now: "env.client(name)", renamedIn: "0.3.0", removedIn: "0.6.0" },
  workerId: {
    old: "the workerId option",
    now: "storeSetId (leave it out to get a free store set)",
    renamedIn: "0.3.0",
    removedIn: "0.6.0",
  },
  validators: {
    old: "context.mongo.validators",
    now: "context.mongo.capabilities.validators.ok",
    renamedIn: "0.3.0",
    removedIn: "0.6.0",
  },
  transactions: {
    old: "context.mongo.transactions",
    now: "context.mongo.capabilities.transactions.ok",
    renamedIn: "0.3.0",
    removedIn: "0.6.0",
  },
  unavailable: {
    old: "context.aws.unavailable",
    now: "context.aws.capabilities (each { ok, reason })",
    renamedIn: "0.3.0",
    removedIn: "0.6.0",
  },
} satisfies Record<string, Shim>;

const sentence = ({ old, now }: Shim) =>
  `campaign-testenv: ${old} was renamed ${now}; see the package's CHANGELOG.md for every rename.`;

/**
 * A getter under the old name that throws the sentence naming the new one (non-enumerable, so logging
 * or serialising the object does not trip it).
 */
function retire(target: object, property: string, shim: Shim): void {
  Object.defineProperty(target, property, {
    enumerable: false,
    get() {
      throw new CampaignTestenvError(sentence(shim));
    },
  });
}

/** The old names on a test file's environment and its store set. */
export function retireEnvironmentNames(env: object, storeSet: object): void {
  retire(env, "worker", SHIMS.worker);
  retire(env, "store", SHIMS.store);
  retire(storeSet, "awsPrefix", SHIMS.awsPrefix);
}

/** The old fields of a context read from a file. */
export function retireContextFields(context: { mongo?: object; aws?: object }): void {
  if (context.mongo) {
    retire(context.mongo, "validators", SHIMS.validators);
    retire(context.mongo, "transactions", SHIMS.transactions);
  }
  if (context.aws) retire(context.aws, "unavailable", SHIMS.unavailable);
}

/** Old names among setupTestEnvironment's options. */
export function refuseOldSetupOptions(options: object): void {
  if ("workerId" in options) throw new OptionsError(sentence(SHIMS.workerId));
}

/** Old names among the environment's options, or its env vars (`fromEnv` reads CAMPAIGN_TESTENV_<key>). */
export function refuseOldEnvironmentOptions(
  options: object,
  fromEnv: (key: string) => string | undefined,
): void {
  if ("fixturesDir" in options || fromEnv("FIXTURES_DIR") !== undefined)
    throw new OptionsError(sentence(SHIMS.fixturesDir));
}

/** The CLI's hint for an option it does not know, when it is an old one. */
export const oldFlagHint = (args: string[]): string =>
  args.includes("--env-file") ? ` (${SHIMS.envFile.old} was renamed ${SHIMS.envFile.now})` : "";
