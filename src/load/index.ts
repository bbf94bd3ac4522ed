// The load harness: N simultaneous calls of an async handler, timed per step, and the report.
export { runLoad, untimed } from "./harness";
export type { CallHandler, CallTiming, LoadCall, LoadOptions, Step } from "./harness";
export { percentiles, reportTable, writeLoadReport } from "./report";
export type { LoadReport, Percentiles } from "./report";
