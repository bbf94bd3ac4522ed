// Public API: re-exports only.
export { CONTEXT_ENV, readContext } from "./context";
export type { EnvironmentContext } from "./context";
export { pullImages, startEnvironment } from "./environment";
export type { StartedEnvironment } from "./environment";
export {
  CampaignTestenvError,
  ContextError,
  DockerUnavailableError,
  FunctionFailedError,
  ImagePullError,
  MissingServiceError,
  OptionsError,
  PeerFailedError,
  ServiceDownError,
  ServiceError,
  StartupError,
  StoreSetError,
} from "./errors";
export type { PullFailure, ServiceFailure } from "./errors";
export { DEFAULT_IMAGES, resolveOptions } from "./options";
export type { EnvironmentOptions, ResolvedOptions } from "./options";
export { STORE_SET_CAPACITY } from "./service";
export type { Capability } from "./service";
export { flavoursOf, SERVICE_NAMES } from "./services";
export type { ServiceClients, ServiceContexts, ServiceFlavours, ServiceName } from "./services";
export type { AwsContext, AwsFlavour } from "./services/aws";
export type { AwsCapabilities } from "./services/aws/capabilities";
export type { AwsClients } from "./services/aws/clients";
export type { AwsResources } from "./services/aws/resources";
export type { AwsResourcesSpec } from "./services/aws/spec";
export { markAwsAccountWritten, trackAwsClient } from "./services/aws/store";
export type { AwsStore } from "./services/aws/store";
export type { CollectionsSpec, MongoClients, MongoContext, MongoFlavour } from "./services/mongo";
export type { PostgresContext } from "./services/postgres";
export type { RedisContext } from "./services/redis";
export { cleanTestData } from "./helpers/clean";
export { checkServicesHealth } from "./helpers/health";
export { environmentVariables } from "./helpers/variables";
export type { ServiceHealth } from "./helpers/health";
export { seedTestData } from "./campaign/seed";
export type { SeedData } from "./helpers/seed";
export { withTransaction } from "./helpers/transaction";
export { waitFor } from "./helpers/wait-for";
export type { WaitForOptions } from "./helpers/wait-for";
export { setupTestEnvironment, teardownTestEnvironment } from "./worker";
export type { SetupOptions, StoreSet, TestEnvironment } from "./worker";
export * from "./load";
