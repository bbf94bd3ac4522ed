// The registry: the only list of services. Adding one is a folder under services/ plus a line here;
// the Service interface makes the compiler name whatever the new module is missing, and every type
// below (the context, a store set's names, the TestEnvironment fields, options, flavours) follows.
import type { AnyService, Service } from "../service";
import { aws } from "./aws";
import { mongo } from "./mongo";
import { postgres } from "./postgres";
import { redis } from "./redis";

/** Checks that each entry's key is its name, and keeps every entry's own types. */
const registry = <T extends { [K in keyof T]: { name: K } }>(services: T): T => services;

/** In start order of output and context: the order users read them in. */
export const SERVICES = registry({ postgres, mongo, redis, aws });

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];
/** What a run starts when it names no services. */
export const DEFAULT_SERVICES = SERVICE_NAMES.filter((name) => SERVICES[name].startedByDefault);

/** The types service `K`'s module fixed. */
type TypesOf<K extends ServiceName> = (typeof SERVICES)[K] extends Service<infer T> ? T : never;
type Merge<U> = (U extends unknown ? (u: U) => void : never) extends (m: infer M) => void ? M : never;

/** What each service writes to the context. */
export type ServiceContexts = { [K in ServiceName]: TypesOf<K>["context"] };
/** What a store set has of each service: its connected client(s). */
export type ServiceClients = { [K in ServiceName]: TypesOf<K>["client"] };
/** What each service's prepare returns and its connect takes back. */
export type ServicePrepared = { [K in ServiceName]: TypesOf<K>["prepared"] };
export type ServiceFlavours = { [K in ServiceName]: TypesOf<K>["flavour"] };
/** Every service's names of a store set's data, in one object: `postgresDatabase`, `redisDb`... */
export type StoreNames = Merge<{ [K in ServiceName]: TypesOf<K>["names"] }[ServiceName]>;
/** Every service's TestEnvironment fields, in one object: `postgres`, `pg`, `mongo`, `redis`... */
export type ServiceAccessors = Merge<{ [K in ServiceName]: TypesOf<K>["accessors"] }[ServiceName]>;
/** Every service's own options, in one object: `migrationsDir`, `resetTracking`, `specsDir`. */
export type ServiceOptions = Merge<{ [K in ServiceName]: TypesOf<K>["options"] }[ServiceName]>;

/** The flavours of service `name`, the default first: the one list options, docs and the bench read. */
export const flavoursOf = <K extends ServiceName>(name: K): ServiceFlavours[K][] =>
  Object.keys(SERVICES[name].flavours) as ServiceFlavours[K][];

/** The registry entry of `name`, typed loosely: for code that loops over every service. */
export const service = (name: ServiceName): AnyService => SERVICES[name] as unknown as AnyService;
