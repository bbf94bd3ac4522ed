// The load harness: N simultaneous calls of an async handler, timed per step, and the report.
export { runLoad, untimed } from "./harness";
export type { CallHandler, LoadCall, LoadOptions, Step } from "./harness";
export { loadChart } from "./chart";
export { percentiles, reportTable } from "./report";
export { writeLoadReport } from "./write";
export type { CallTiming, LoadReport, Percentiles, TimelineSecond } from "./report";
