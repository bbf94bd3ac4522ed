import type { ServiceRun } from "../../service";

/** What an AWS flavour may lack: the package reports it in the context instead of failing. */
export type AwsCapability = "dynamodb" | "lambda";

/** One flavour of the AWS role: a product that speaks the AWS APIs on one endpoint. */
export interface AwsEmulator {
  /** The official image. */
  image: string;
  /** What this flavour cannot do here, each with the reason and the way out. */
  unavailable: Partial<Record<AwsCapability, string>>;
  /** Starts the container and returns its endpoint. */
  start(run: ServiceRun): Promise<string>;
}
