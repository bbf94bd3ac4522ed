// docs/JEST_AND_VITEST.md, "Without a runner": a second environment next to the run's, started and
// stopped by the example; afterwards no container of it is left.
// #region start-environment
import { startEnvironment } from "campaign-testenv";
// #endregion start-environment
import Docker from "dockerode";

test("startEnvironment starts the services asked for, and stop() removes them", async () => {
  const printed = jest.spyOn(console, "log").mockImplementation(() => {});
  // #region start-environment
  const environment = await startEnvironment({ services: ["postgres", "redis"], quiet: true });
  console.log(environment.context.postgres?.url);
  await environment.stop();
  // #endregion start-environment
  expect(environment.context.services).toEqual(["postgres", "redis"]);
  expect(printed).toHaveBeenCalledWith(expect.stringMatching(/^postgres(ql)?:\/\//));
  const left = await new Docker().listContainers({
    all: true,
    filters: { label: [`campaign-testenv.run=${environment.context.runId}`] },
  });
  expect(left).toEqual([]);
});
