// The registry: the only list of services. Adding one is a folder under services/ plus a line here;
// the Service interface makes the compiler name whatever the new module is missing.
import type { Service } from "../service";
import { aws } from "./aws";
import { mongo } from "./mongo";
import { postgres } from "./postgres";
import { redis } from "./redis";

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- each entry has its own context and store types
type AnyService<Name extends string> = Service<Name, any, any, any>;

/** Checks that each entry's key is its name, and keeps every entry's own types. */
const registry = <T extends { [K in keyof T]: AnyService<K & string> }>(services: T): T => services;

/** In start order of output and context: the order users read them in. */
export const SERVICES = registry({ postgres, mongo, redis, aws });

export type ServiceName = keyof typeof SERVICES;
export const SERVICE_NAMES = Object.keys(SERVICES) as ServiceName[];

type Parts<S> =
  S extends Service<string, infer Context, infer Store, infer Flavour> ? [Context, Store, Flavour] : never;
/** What each service writes to the context. */
export type ServiceContexts = { [K in ServiceName]: Parts<(typeof SERVICES)[K]>[0] };
/** What one worker gets of each service: its connected client(s). */
export type ServiceStores = { [K in ServiceName]: Parts<(typeof SERVICES)[K]>[1] };
export type ServiceFlavours = { [K in ServiceName]: Parts<(typeof SERVICES)[K]>[2] };

/** The registry entry of `name`, typed loosely: for code that loops over every service. */
export const service = (name: ServiceName): AnyService<ServiceName> => SERVICES[name];
