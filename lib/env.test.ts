import { describe, expect, it } from "vitest";
import { EnvError, parseEnv } from "./env";

const production = { NODE_ENV: "production", MEMORIC_JWT_SECRET: "x".repeat(32) };

function problems(source: Record<string, string>): string[] {
  try {
    parseEnv(source);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(EnvError);
    return (error as EnvError).problems;
  }
}

describe("settings", () => {
  it("default to embedded PGlite in ./.data with audit logging on on port 3000", () => {
    const settings = parseEnv({});
    expect(settings.DATABASE_URL).toBeUndefined();
    expect(settings).toMatchObject({
      MEMORIC_DATA_DIR: "./.data",
      MEMORIC_AUDIT_ENABLED: true,
      MEMORIC_TRUST_PROXY: false,
      PORT: 3000,
      NODE_ENV: "development",
    });
  });

  it("read every setting", () => {
    expect(
      parseEnv({
        ...production,
        DATABASE_URL: "postgres://u@db:5432/memoric",
        MEMORIC_DATA_DIR: "/var/lib/memoric",
        MEMORIC_ADMIN_USERNAME: "root_admin",
        MEMORIC_ADMIN_PASSWORD: "Str0ngPassword",
        MEMORIC_ADMIN_EMAIL: "root@example.com",
        MEMORIC_AUDIT_ENABLED: "false",
        MEMORIC_TRUST_PROXY: "1",
        PORT: "8080",
      }),
    ).toMatchObject({
      DATABASE_URL: "postgres://u@db:5432/memoric",
      MEMORIC_DATA_DIR: "/var/lib/memoric",
      MEMORIC_ADMIN_USERNAME: "root_admin",
      MEMORIC_ADMIN_EMAIL: "root@example.com",
      MEMORIC_AUDIT_ENABLED: false,
      MEMORIC_TRUST_PROXY: true,
      PORT: 8080,
    });
  });

  it("leave verification's worker count to the verifier unless set (0 means one thread)", () => {
    expect(parseEnv({}).MEMORIC_AUDIT_VERIFY_WORKERS).toBeUndefined();
    expect(parseEnv({ MEMORIC_AUDIT_VERIFY_WORKERS: "" }).MEMORIC_AUDIT_VERIFY_WORKERS).toBeUndefined();
    expect(parseEnv({ MEMORIC_AUDIT_VERIFY_WORKERS: "0" }).MEMORIC_AUDIT_VERIFY_WORKERS).toBe(0);
    expect(parseEnv({ MEMORIC_AUDIT_VERIFY_WORKERS: "3" }).MEMORIC_AUDIT_VERIFY_WORKERS).toBe(3);
  });

  it("leave the database pool's size to the machine unless set", () => {
    expect(parseEnv({}).MEMORIC_DATABASE_POOL_SIZE).toBeUndefined();
    expect(parseEnv({ MEMORIC_DATABASE_POOL_SIZE: "" }).MEMORIC_DATABASE_POOL_SIZE).toBeUndefined();
    expect(parseEnv({ MEMORIC_DATABASE_POOL_SIZE: "4" }).MEMORIC_DATABASE_POOL_SIZE).toBe(4);
  });

  it("treat an empty value as unset", () => {
    const settings = parseEnv({ DATABASE_URL: "", MEMORIC_DATA_DIR: "", PORT: "" });
    expect(settings.DATABASE_URL).toBeUndefined();
    expect(settings).toMatchObject({
      MEMORIC_DATA_DIR: "./.data",
      PORT: 3000,
    });
  });

  it.each([
    [{ DATABASE_URL: "mysql://x" }, "DATABASE_URL must be a postgres:// or postgresql:// connection URL"],
    [{ MEMORIC_AUDIT_ENABLED: "maybe" }, "MEMORIC_AUDIT_ENABLED must be true or false"],
    [{ MEMORIC_TRUST_PROXY: "sometimes" }, "MEMORIC_TRUST_PROXY must be true or false"],
    [{ PORT: "http" }, "PORT must be a whole number"],
    [{ PORT: "70000" }, "PORT"],
    [{ MEMORIC_JWT_SECRET: "short" }, "MEMORIC_JWT_SECRET must be at least 32 characters"],
    [{ NODE_ENV: "production" }, "MEMORIC_JWT_SECRET is required when NODE_ENV=production"],
    [{ MEMORIC_ADMIN_USERNAME: "root" }, "MEMORIC_ADMIN_PASSWORD is required when MEMORIC_ADMIN_USERNAME is set"],
    [{ MEMORIC_ADMIN_PASSWORD: "Str0ngPassword" }, "MEMORIC_ADMIN_USERNAME is required when MEMORIC_ADMIN_PASSWORD is set"],
    [{ MEMORIC_ADMIN_USERNAME: "a b", MEMORIC_ADMIN_PASSWORD: "Str0ngPassword" }, "MEMORIC_ADMIN_USERNAME must be 3-50"],
    [{ MEMORIC_ADMIN_USERNAME: "root", MEMORIC_ADMIN_PASSWORD: "alllowercase1" }, "MEMORIC_ADMIN_PASSWORD must contain an upper-case letter"],
    [{ MEMORIC_ADMIN_EMAIL: "not-an-email" }, "MEMORIC_ADMIN_EMAIL must be an e-mail address"],
    [{ MEMORIC_AUDIT_VERIFY_WORKERS: "two" }, "MEMORIC_AUDIT_VERIFY_WORKERS must be a whole number"],
    [{ MEMORIC_AUDIT_VERIFY_WORKERS: "1.5" }, "MEMORIC_AUDIT_VERIFY_WORKERS must be a whole number"],
    [{ MEMORIC_AUDIT_VERIFY_WORKERS: "17" }, "MEMORIC_AUDIT_VERIFY_WORKERS"],
    [{ MEMORIC_AUDIT_VERIFY_WORKERS: "-1" }, "MEMORIC_AUDIT_VERIFY_WORKERS"],
    [{ MEMORIC_DATABASE_POOL_SIZE: "many" }, "MEMORIC_DATABASE_POOL_SIZE must be a whole number"],
    [{ MEMORIC_DATABASE_POOL_SIZE: "2.5" }, "MEMORIC_DATABASE_POOL_SIZE must be a whole number"],
    [{ MEMORIC_DATABASE_POOL_SIZE: "0" }, "MEMORIC_DATABASE_POOL_SIZE must be at least 1"],
    [{ MEMORIC_DATABASE_POOL_SIZE: "101" }, "MEMORIC_DATABASE_POOL_SIZE must be at most 100"],
  ])("name the variable of a bad value: %o", (source, message) => {
    const found = problems(source as Record<string, string>);
    expect(found.some((p) => p.startsWith(message))).toBe(true);
  });

  it("report every bad setting at once", () => {
    const found = problems({ PORT: "x", MEMORIC_AUDIT_ENABLED: "y" });
    expect(found).toHaveLength(2);
    expect(new EnvError(found).message).toMatch(/^Invalid configuration:\n {2}- /);
  });
});
