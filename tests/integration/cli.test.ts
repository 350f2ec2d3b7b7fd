// npm run user:create: the CLI that creates users (and the first admin) from a terminal.
import { execFile } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAuditLogs } from "@/lib/audit/query";
import { verifyPassword } from "@/lib/auth/passwords";
import { connect, type DatabaseHandle } from "@/lib/db/client";
import { createPostgresDatabase } from "@/lib/db/testing";
import { findUserByUsername } from "@/lib/users/service";

const run = promisify(execFile);
let env: Record<string, string>;
let cleanup: () => Promise<void>;
let open: () => Promise<DatabaseHandle>;

beforeAll(async () => {
  if (process.env.DATABASE_URL) {
    const database = await createPostgresDatabase(process.env.DATABASE_URL);
    env = { DATABASE_URL: database.url };
    cleanup = database.drop;
    open = () => connect({ url: database.url });
  } else {
    const dir = await mkdtemp(path.join(tmpdir(), "memoric-cli-"));
    env = { DATABASE_URL: "", MEMORIC_DATA_DIR: path.join(dir, "data") };
    cleanup = () => rm(dir, { recursive: true, force: true });
    open = () => connect({ dataDir: path.join(dir, "data") });
  }
});

afterAll(async () => {
  await cleanup?.();
});

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "scripts/create-user.ts", ...args], {
      env: { ...process.env, NODE_ENV: "development", ...env },
    });
    return { code: 0, output: stdout + stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, output: e.stdout + e.stderr };
  }
}

describe("npm run user:create", () => {
  it("creates an admin, refuses a duplicate and bad input, and records user.created from the CLI", async () => {
    const created = await cli("--username", "ops_admin", "--email", "ops@example.com", "--password", "Ops-Passw0rd", "--admin");
    expect(created.code).toBe(0);
    expect(created.output).toMatch(/Created ops_admin \(.+\) with roles admin, user\./);

    const duplicate = await cli("--username", "ops_admin", "--email", "other@example.com", "--password", "Ops-Passw0rd");
    expect(duplicate.code).toBe(1);
    expect(duplicate.output).toContain("exists already");

    const bad = await cli("--username", "x", "--email", "nope", "--password", "weak");
    expect(bad.code).toBe(2);
    expect(bad.output).toContain("username must be 3-50 characters");
    expect(bad.output).toContain("email must be an e-mail address");

    const missing = await cli("--username", "only_name");
    expect(missing.code).toBe(2);
    expect(missing.output).toContain("usage: npm run user:create");

    const handle = await open();
    try {
      const user = await findUserByUsername(handle.db, "ops_admin");
      expect(user).toMatchObject({ email: "ops@example.com", roles: ["admin", "user"], isActive: true });
      expect(await verifyPassword("Ops-Passw0rd", user!.passwordHash)).toBe(true);
      const { logs } = await queryAuditLogs(handle.db, { eventTypes: ["user.created"] });
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({ userId: "system", resourceId: user!.id, metadata: { source: "cli" } });
      expect(JSON.stringify(logs[0])).not.toContain("Ops-Passw0rd");
    } finally {
      await handle.close();
    }
  });
});
