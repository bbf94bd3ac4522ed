// The old names: each fails with a sentence naming the new one, and each shim is dropped in the version
// it names (this test fails once package.json reaches it, so the removal is not forgotten).
import { readFileSync } from "node:fs";
import path from "node:path";
import {
  oldFlagHint,
  refuseOldEnvironmentOptions,
  refuseOldSetupOptions,
  retireContextFields,
  retireEnvironmentNames,
  SHIMS,
} from "../../src/compat";
import { OptionsError } from "../../src/errors";
import { packageRoot } from "../../src/paths";

const { version } = JSON.parse(readFileSync(path.join(packageRoot, "package.json"), "utf8")) as {
  version: string;
};
const parts = (v: string) => v.split(".").map(Number);
const before = (a: string, b: string) => {
  const [x, y] = [parts(a), parts(b)];
  const i = x.findIndex((n, k) => n !== y[k]);
  return i !== -1 && x[i] < y[i];
};

test.each(Object.entries(SHIMS))(
  "%s: renamed before this version, and not yet due for removal",
  (_name, shim) => {
    expect(before(shim.renamedIn, version) || shim.renamedIn === version).toBe(true);
    expect(before(version, shim.removedIn)).toBe(true);
  },
);

test("an old name on an environment, its store set and a context throws the new one, and stays out of JSON", () => {
  const env = { storeSet: { id: 1 } };
  retireEnvironmentNames(env, env.storeSet);
  const context = { mongo: { uri: "m" }, aws: { endpoint: "e" } };
  retireContextFields(context);
  const read = (o: object, key: string) => () => (o as Record<string, unknown>)[key];
  expect(read(env, "worker")).toThrow(
    "campaign-testenv: env.worker was renamed env.storeSet; see the package's CHANGELOG.md for every rename.",
  );
  expect(read(env, "store")).toThrow("env.store(name) was renamed env.client(name)");
  expect(read(env.storeSet, "awsPrefix")).toThrow("env.worker.awsPrefix was renamed env.aws.resources");
  expect(read(context.mongo, "validators")).toThrow("context.mongo.capabilities.validators.ok");
  expect(read(context.mongo, "transactions")).toThrow("context.mongo.capabilities.transactions.ok");
  expect(read(context.aws, "unavailable")).toThrow("context.aws.capabilities");
  expect(JSON.parse(JSON.stringify({ env, context }))).toEqual({
    env: { storeSet: { id: 1 } },
    context: { mongo: { uri: "m" }, aws: { endpoint: "e" } },
  });
});

test("old options are refused with the new name, as OptionsError", () => {
  const none = () => undefined;
  expect(() => refuseOldSetupOptions({ workerId: 3 })).toThrow(OptionsError);
  expect(() => refuseOldSetupOptions({ workerId: 3 })).toThrow("the workerId option was renamed storeSetId");
  expect(() => refuseOldEnvironmentOptions({ fixturesDir: "x" }, none)).toThrow(
    "fixturesDir / CAMPAIGN_TESTENV_FIXTURES_DIR was renamed specsDir / CAMPAIGN_TESTENV_SPECS_DIR",
  );
  expect(() => refuseOldEnvironmentOptions({}, (key) => (key === "FIXTURES_DIR" ? "/f" : undefined))).toThrow(
    OptionsError,
  );
  expect(() => refuseOldSetupOptions({ storeSetId: 3 })).not.toThrow();
  expect(() => refuseOldEnvironmentOptions({ specsDir: "x" }, none)).not.toThrow();
});

test("the CLI's hint names --write-env for --env-file only", () => {
  expect(oldFlagHint(["up", "--env-file", "x"])).toContain("--write-env");
  expect(oldFlagHint(["up", "--bogus"])).toBe("");
});
