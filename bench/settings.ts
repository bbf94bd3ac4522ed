// What every section of `npm run bench` shares: how many times each side runs, the options resolved once
// (images and flavours from the same CAMPAIGN_TESTENV_* settings users have), the AWS flavours compared,
// and the bench's log line.
import { type AwsFlavour, flavoursOf, resolveOptions } from "../src";

export const REPEATS = Number(process.env.BENCH_REPEATS ?? 3);

export const options = resolveOptions({ quiet: true });

/** The AWS flavours compared, as the package lists them; the compose way is the old environment's, LocalStack. */
export const FLAVOURS = flavoursOf("aws");

export const optionsFor = (flavour: AwsFlavour) => resolveOptions({ quiet: true, awsFlavour: flavour });

/** The environment of a child process (a start, a runner) that selects `flavour`. */
export const flavourEnv = (flavour: AwsFlavour): NodeJS.ProcessEnv => ({
  ...process.env,
  CAMPAIGN_TESTENV_AWS_FLAVOUR: flavour,
});

/** Reuse mode on top of flavourEnv. */
export const reuseEnv = (flavour: AwsFlavour): NodeJS.ProcessEnv => ({
  ...flavourEnv(flavour),
  CAMPAIGN_TESTENV_REUSE: "true",
});

export const log = (line: string) => console.log(`bench: ${line}`);
