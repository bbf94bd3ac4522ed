import { resolveOptions, serviceSettings } from "../../src/options";
import { Progress } from "../../src/progress";
import { ServiceRun } from "../../src/service";

let lines: string[];
beforeEach(() => {
  lines = [];
  jest.spyOn(process.stderr, "write").mockImplementation((chunk) => {
    lines.push(String(chunk));
    return true;
  });
});
afterEach(() => jest.restoreAllMocks());

const options = (quiet: boolean, verbose: boolean) =>
  resolveOptions({ services: ["postgres", "redis"], quiet, verbose }, {});
const runOf = (o: ReturnType<typeof options>) => {
  const run = new ServiceRun(
    "redis",
    serviceSettings(o, "redis"),
    "r1",
    async () => undefined,
    () => undefined,
  );
  run.steps.push({ name: "starting the container", ms: 1234 });
  return run;
};

describe("Progress", () => {
  test("one line per event on stderr: start, ready, note, done, failure", () => {
    const o = options(false, false);
    const progress = new Progress(o, "r1");
    progress.ready(runOf(o));
    progress.note("mongo", "no validators");
    progress.done();
    progress.failed(2);
    expect(lines).toHaveLength(5);
    expect(lines.every((l) => l.endsWith("\n") && l.indexOf("\n") === l.length - 1)).toBe(true);
    expect(lines[0]).toBe("campaign-testenv: starting postgres, redis (run r1)\n");
    expect(lines[1]).toMatch(/^ {2}redis {4}ready in \d+\.\d s {2}redis:7-alpine\n$/);
    expect(lines[2]).toBe("  mongo    note: no validators\n");
    expect(lines[3]).toMatch(/^campaign-testenv: environment ready in \d+\.\d s\n$/);
    expect(lines[4]).toBe("campaign-testenv: 2 service(s) failed; removed every container of this run\n");
  });

  test("verbose adds each step's time; a reused service says so", () => {
    const o = options(false, true);
    const progress = new Progress(o, "r1");
    const run = runOf(o);
    run.reused = true;
    progress.ready(run);
    expect(lines[1]).toMatch(/^ {2}redis {4}reused in .* {2}\[starting the container 1\.2 s\]\n$/);
  });

  test("quiet prints nothing", () => {
    const o = options(true, true);
    const progress = new Progress(o, "r1");
    progress.ready(runOf(o));
    progress.note("redis", "x");
    progress.done();
    progress.failed(1);
    expect(lines).toEqual([]);
  });
});
