// Public API: re-exports only.
export { CONTEXT_ENV, readContext } from "./context";
export type { EnvironmentContext } from "./context";
export { startEnvironment } from "./environment";
export type { StartedEnvironment } from "./environment";
export {
  CampaignTestenvError,
  ContextError,
  DockerUnavailableError,
  MissingServiceError,
  OptionsError,
  ServiceDownError,
  ServiceError,
  StartupError,
} from "./errors";
export { DEFAULT_IMAGES, resolveOptions } from "./options";
export type { EnvironmentOptions, ResolvedOptions } from "./options";
export { SERVICE_NAMES } from "./services";
export type { ServiceName } from "./services";
export { AWS_FLAVOURS } from "./services/aws";
export type { AwsContext, AwsFlavour, AwsStore } from "./services/aws";
export type { AwsClients, AwsResources, AwsResourcesSpec } from "./services/aws/resources";
export { MONGO_FLAVOURS } from "./services/mongo";
export type { CollectionsSpec, MongoContext, MongoFlavour } from "./services/mongo";
export type { PostgresContext } from "./services/postgres";
export type { RedisContext } from "./services/redis";
export { cleanTestData } from "./helpers/clean";
export { checkServicesHealth } from "./helpers/health";
export type { ServiceHealth } from "./helpers/health";
export { seedTestData } from "./helpers/seed";
export type { SeedData } from "./helpers/seed";
export { withTransaction } from "./helpers/transaction";
export { waitFor } from "./helpers/wait-for";
export type { WaitForOptions } from "./helpers/wait-for";
export { setupTestEnvironment, teardownTestEnvironment } from "./worker";
export type { SetupOptions, TestEnvironment, WorkerStores } from "./worker";
export * from "./load";
