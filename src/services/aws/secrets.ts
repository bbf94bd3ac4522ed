import type { AwsResourcesSpec } from "./spec";

const PLACEHOLDER = /\{\{(\w+)\.(\w+)\}\}/g;

/** The services whose context the spec's secrets read ({{postgres.url}} reads postgres). */
export function servicesInSecrets(spec: AwsResourcesSpec): string[] {
  return [...new Set([...JSON.stringify(spec.secrets).matchAll(PLACEHOLDER)].map((m) => m[1]))];
}

/**
 * Fills {{service.field}} placeholders from the other services' context. A secret that needs a value
 * no started service has is left out (and said so), rather than stored half-filled.
 */
export function fillSecrets(
  spec: AwsResourcesSpec,
  contexts: Record<string, Record<string, unknown> | undefined>,
  note: (message: string) => void,
): Record<string, Record<string, string>> {
  const filled: Record<string, Record<string, string>> = {};
  for (const secret of spec.secrets) {
    let missing: string | undefined;
    const value = Object.fromEntries(
      Object.entries(secret.value).map(([key, template]) => [
        key,
        template.replace(PLACEHOLDER, (placeholder, service: string, field: string) => {
          const found = contexts[service]?.[field];
          if (found === undefined) missing ??= placeholder;
          return String(found ?? "");
        }),
      ]),
    );
    if (missing)
      note(`secret ${secret.name} is not created: ${missing} has no value (is that service started?)`);
    else filled[secret.name] = value;
  }
  return filled;
}
