import { resetAwsResources } from "../services/aws";
import type { TestEnvironment } from "../worker";

/**
 * Brings this worker's four stores back to their state right after setup: every table but
 * schema_migrations empty, every collection empty, the Redis database empty, queues empty and buckets
 * holding only their sample objects. Each store takes one or two round trips, all in parallel.
 */
export async function cleanTestData(env: TestEnvironment): Promise<void> {
  const { context } = env;
  await Promise.all([
    context.postgres && truncateAllTables(env),
    context.mongo && emptyCollections(env),
    context.redis && env.redis.flushdb(),
    context.aws && resetAwsResources(env.aws, context.aws.spec),
  ]);
}

// One round trip: the table list is read and truncated inside the server.
const TRUNCATE_ALL = `DO $$ DECLARE tables text; BEGIN
  SELECT string_agg(format('%I.%I', schemaname, tablename), ', ') INTO tables
    FROM pg_tables WHERE schemaname NOT IN ('pg_catalog', 'information_schema') AND tablename <> 'schema_migrations';
  IF tables IS NOT NULL THEN EXECUTE 'TRUNCATE ' || tables || ' RESTART IDENTITY CASCADE'; END IF;
END $$`;

async function truncateAllTables(env: TestEnvironment): Promise<void> {
  await env.pg.query(TRUNCATE_ALL);
}

/** Collections of the spec keep their validators and indexes; any other collection a test made is dropped. */
async function emptyCollections(env: TestEnvironment): Promise<void> {
  const specified = new Set(env.context.mongo!.spec.collections.map((c) => c.name));
  const present = await env.mongo.listCollections({}, { nameOnly: true }).toArray();
  await Promise.all(
    present.map(({ name }) =>
      specified.has(name) ? env.mongo.collection(name).deleteMany({}) : env.mongo.dropCollection(name),
    ),
  );
}
