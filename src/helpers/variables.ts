import type { EnvironmentContext } from "../context";
import { service } from "../services";

/**
 * The settings apps and tools read, by name, for every started service: DATABASE_URL and PG*, MONGO_URL,
 * REDIS_URL, AWS_ENDPOINT_URL and AWS_*; what `campaign-testenv up` prints. A project's own global
 * setup copies them into process.env, and the runner's workers inherit them.
 */
export function environmentVariables(context: EnvironmentContext): Record<string, string> {
  return Object.assign({}, ...context.services.map((name) => service(name).variables(context[name]!)));
}
