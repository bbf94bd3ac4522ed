// Testing guide, "Asking for only some services": a file whose tests are optional, as written.
// #region optional-services
import {
  readContext,
  setupTestEnvironment,
  teardownTestEnvironment,
  type TestEnvironment,
} from "campaign-testenv";

const describeWithAws = readContext().services.includes("aws") ? describe : describe.skip;

describeWithAws("reports in S3", () => {
  let env: TestEnvironment;
  beforeAll(async () => {
    env = await setupTestEnvironment({ services: ["aws"] });
  });
  afterAll(() => teardownTestEnvironment(env));

  test("the reports bucket exists", () => {
    expect(env.aws.resources.buckets["reports"]).toBe(`${env.storeSet.awsBucketPrefix}reports`);
  });
});
// #endregion optional-services
