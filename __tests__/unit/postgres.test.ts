import { writeFileSync } from "node:fs";
import path from "node:path";
import { serviceSettings } from "../../src/options";
import { service } from "../../src/services";
import { postgresContainer, quoteIdent } from "../../src/services/postgres";
import { specsFolder } from "./specs-folder";

const scratch = specsFolder("postgres");
const setUp = scratch.options;

describe("fingerprint (what reuse mode hashes)", () => {
  test("postgres: changes with its image and with any migration", () => {
    const settings = serviceSettings(setUp(), "postgres");
    const before = service("postgres").fingerprint(settings);
    expect(service("postgres").fingerprint({ ...settings, image: "other" })).not.toBe(before);
    writeFileSync(path.join(scratch.folder(), "001_a.sql"), "SELECT 2;");
    expect(service("postgres").fingerprint(settings)).not.toBe(before);
  });
});

describe("quoteIdent", () => {
  test("wraps the name in double quotes", () => {
    expect(quoteIdent("campaign_s1")).toBe('"campaign_s1"');
  });

  test("doubles a quote inside the name, so a caller-supplied table name cannot end the identifier", () => {
    expect(quoteIdent('a"; DROP TABLE x; --')).toBe('"a""; DROP TABLE x; --"');
  });
});

describe("postgresContainer: what the official postgres:15-alpine gets (it cannot be pulled here)", () => {
  /** The GenericContainer fields read here (protected in its types). */
  const configured = postgresContainer("postgres:15-alpine", "pw") as unknown as {
    healthCheck: unknown;
    waitStrategy: { message?: RegExp };
    createOpts: { Cmd?: string[] };
    hostConfig: { Tmpfs?: Record<string, string> };
  };

  test("no health check (Docker's NONE): nothing runs in the container for its whole life", () => {
    expect(configured.healthCheck).toEqual({ test: ["NONE"] });
  });

  test("ready when the real server listens on TCP (the init's temporary one does not)", () => {
    expect(configured.waitStrategy.constructor.name).toBe("LogWaitStrategy");
    expect(configured.waitStrategy.message).toEqual(/listening on IPv4 address/);
  });

  test("its data in memory, no durability, room for many runner workers' pools", () => {
    expect(configured.hostConfig.Tmpfs).toEqual({ "/var/lib/postgresql/data": "rw" });
    expect(configured.createOpts.Cmd).toEqual([
      "postgres",
      ...["-c", "fsync=off", "-c", "synchronous_commit=off", "-c", "full_page_writes=off"],
      ...["-c", "max_connections=1000"],
    ]);
  });
});
