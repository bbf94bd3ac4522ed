import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import {
  CONTEXT_ENV,
  type EnvironmentContext,
  readContext,
  readRunFile,
  removeContext,
  writeRunFile,
} from "../../src/context";
import { randomToken } from "../../src/random";

const context = (): EnvironmentContext => ({
  runId: `unit${randomToken(10)}`,
  startedAt: "2024-07-15T12:00:00.000Z",
  services: ["redis"],
  storeSets: "/tmp/sets",
  redis: {
    image: "redis:7-alpine",
    flavour: "redis",
    capabilities: {},
    host: "localhost",
    port: 6379,
    password: "pw",
    url: "redis://:pw@localhost:6379",
  },
});

/** Runs `fn` with CAMPAIGN_TESTENV_CONTEXT set to `value` (or unset), then puts it back. */
function withContextEnv<T>(value: string | undefined, fn: () => T): T {
  const before = process.env[CONTEXT_ENV];
  if (value === undefined) delete process.env[CONTEXT_ENV];
  else process.env[CONTEXT_ENV] = value;
  try {
    return fn();
  } finally {
    if (before === undefined) delete process.env[CONTEXT_ENV];
    else process.env[CONTEXT_ENV] = before;
  }
}

const written: string[] = [];
afterEach(() =>
  written.splice(0).forEach((file) => rmSync(path.dirname(file), { recursive: true, force: true })),
);
const write = (c: EnvironmentContext) => {
  const file = writeRunFile(c, { readyBy: 42 });
  written.push(file);
  return file;
};

describe("writeRunFile / readContext / removeContext", () => {
  test("writes into a per-run folder of the temp dir, readable only by the owner", () => {
    const c = context();
    const file = write(c);
    expect(file).toBe(path.join(os.tmpdir(), `campaign-testenv-${c.runId}`, "context.json"));
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(path.dirname(file)).mode & 0o077).toBe(0);
  });

  test("what is written reads back the same", () => {
    const c = context();
    expect(readContext(write(c))).toEqual(c);
  });

  test("the run's state is beside the context, not in it: the context is what a user may pass on", () => {
    const c = context();
    expect(readRunFile(write(c))).toEqual({ pid: process.pid, context: c, state: { readyBy: 42 } });
    expect(Object.keys(readContext(write(c)))).not.toContain("pid");
  });

  test("without a file argument, CAMPAIGN_TESTENV_CONTEXT names the file", () => {
    const c = context();
    const file = write(c);
    expect(withContextEnv(file, () => readContext())).toEqual(c);
  });

  test("with CAMPAIGN_TESTENV_CONTEXT unset, the error says how to get an environment", () => {
    expect(() => withContextEnv(undefined, () => readContext())).toThrow(
      /CAMPAIGN_TESTENV_CONTEXT is not set.*preset "campaign-testenv".*npx campaign-testenv up/s,
    );
    expect(() => withContextEnv("", () => readContext())).toThrow("CAMPAIGN_TESTENV_CONTEXT is not set");
  });

  test("a missing or broken file is an error naming it", () => {
    const dir = mkdtempSync(path.join(os.tmpdir(), "campaign-testenv-unit-context-"));
    try {
      const missing = path.join(dir, "gone.json");
      expect(() => readContext(missing)).toThrow(
        new RegExp(`cannot read the environment context ${missing} \\(ENOENT.*has probably stopped`),
      );
      const broken = path.join(dir, "broken.json");
      writeFileSync(broken, "{ not json");
      expect(() => readContext(broken)).toThrow(`cannot read the environment context ${broken}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  test("removeContext removes the run's folder; removing again is harmless", () => {
    const file = write(context());
    removeContext(file);
    expect(existsSync(path.dirname(file))).toBe(false);
    expect(() => removeContext(file)).not.toThrow();
  });
});
