// The load harness: N simultaneous calls of an async handler, timed per step, and the report.
export { runLoad, untimed } from "./harness";
export type { CallHandler, LoadCall, LoadOptions, Step } from "./harness";
export { percentiles, reportTable, writeLoadReport } from "./report";
export type { CallTiming, LoadReport, Percentiles } from "./report";
