import type { Capability } from "../../service";

/** What an AWS flavour may lack where it runs: the context says which, and why. */
export type AwsCapabilities = {
  dynamodb: Capability;
  lambda: Capability;
};

/** What a flavour's start gives the AWS service: the endpoint, and what it can serve there. */
export interface AwsStarted {
  endpoint: string;
  capabilities: AwsCapabilities;
}

/**
 * The capabilities an image has, from what it declares it lacks (labels campaign-testenv.lacks.*) and
 * what the flavour found out itself (`also`, e.g. no Docker socket for LocalStack's Lambda).
 */
export function capabilitiesOf(
  lacks: Record<string, string>,
  also: Partial<Record<keyof AwsCapabilities, string>> = {},
): AwsCapabilities {
  const of = (name: keyof AwsCapabilities): Capability => {
    const reason = lacks[name] ?? also[name];
    return reason === undefined ? { ok: true } : { ok: false, reason };
  };
  return { dynamodb: of("dynamodb"), lambda: of("lambda") };
}
