// Testing guide, "Health checks", as written.
// #region health
import { checkServicesHealth, readContext } from "campaign-testenv";

test("every service of this run answers", async () => {
  const health = await checkServicesHealth(readContext());
  // [{ service: "postgres", healthy: true, latencyMs: 3.2, detail: "localhost:32771" }, ...]
  expect(health.filter((h) => !h.healthy)).toEqual([]);
});
// #endregion health

test("the check covers every service of the run", async () => {
  const health = await checkServicesHealth(readContext());
  expect(health.map((h) => h.service)).toEqual(readContext().services);
});
