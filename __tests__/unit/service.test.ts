import { ServiceError } from "../../src/errors";
import { resolveOptions, serviceSettings } from "../../src/options";
import { LABELS } from "../../src/docker";
import { ServiceRun } from "../../src/service";

const options = resolveOptions({ startupTimeoutMs: 7000, images: { mongo: "my/mongo:7" } }, {});
const serviceRun = () =>
  new ServiceRun(
    "mongo",
    serviceSettings(options, "mongo"),
    "run42",
    async () => undefined,
    () => undefined,
  );

describe("ServiceRun.step", () => {
  test("returns the step's value and records its name and time", async () => {
    const run = serviceRun();
    await expect(run.step("connecting", async () => "client")).resolves.toBe("client");
    await run.step("creating collections", () => new Promise((resolve) => setTimeout(resolve, 20)));
    expect(run.steps.map((s) => s.name)).toEqual(["connecting", "creating collections"]);
    expect(run.steps[1].ms).toBeGreaterThanOrEqual(15);
  });

  test("a failure becomes a ServiceError naming the run, service, image and step, with a guessed fix", async () => {
    const run = serviceRun();
    const cause = new Error("Container not healthy after 7000ms");
    const failure = await run
      .step("starting the container", async () => Promise.reject(cause))
      .catch((e) => e);
    expect(failure).toBeInstanceOf(ServiceError);
    expect(failure).toMatchObject({
      runId: "run42",
      service: "mongo",
      image: "my/mongo:7",
      step: "starting the container",
      cause,
      logTail: [],
    });
    expect(failure.fix).toContain("not ready within 7000 ms");
    expect(run.steps).toEqual([]); // a failed step is not recorded as done
  });

  test("a step's own fix wins over the guess", async () => {
    const run = serviceRun();
    const failure = await run
      .step("applying migrations", async () => Promise.reject(new Error("timeout")), "fix the SQL")
      .catch((e) => e);
    expect(failure.fix).toBe("fix the SQL");
  });

  test("a ServiceError from a nested step passes through unwrapped", async () => {
    const run = serviceRun();
    const inner = new ServiceError({
      runId: "run42",
      service: "mongo",
      image: "my/mongo:7",
      step: "inner",
      reason: "x",
      fix: "inner fix",
      logTail: [],
    });
    await expect(run.step("outer", async () => Promise.reject(inner))).rejects.toBe(inner);
  });

  test("image is the resolved image of the run's service", () => {
    expect(serviceRun().image).toBe("my/mongo:7");
  });
});

describe("LABELS", () => {
  test("run and service labels are namespaced under the package label", () => {
    expect(LABELS.package).toBe("campaign-testenv");
    expect(LABELS.run.startsWith(`${LABELS.package}.`)).toBe(true);
    expect(LABELS.service.startsWith(`${LABELS.package}.`)).toBe(true);
    expect(new Set(Object.values(LABELS)).size).toBe(Object.keys(LABELS).length);
    for (const label of Object.values(LABELS).slice(1))
      expect(label.startsWith(`${LABELS.package}.`)).toBe(true);
  });
});
