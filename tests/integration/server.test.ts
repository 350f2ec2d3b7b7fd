// The built server, started as a user would start it, answering over HTTP.
import { readFileSync } from "node:fs";
import path from "node:path";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAuditLogs } from "@/lib/audit/query";
import { databasePoolSize, GENERIC_PLAN_POOL_NAME, selectRows } from "@/lib/db/client";
import { Api } from "../support/api";
import { TEST_ADMIN, runServerUntilExit, startTestServer, type TestServer } from "../support/server";

let server: TestServer;
/** Every migration in drizzle/, as the journal lists them. */
const MIGRATIONS = (JSON.parse(readFileSync(path.join(process.cwd(), "drizzle/meta/_journal.json"), "utf8")) as { entries: unknown[] }).entries.length;

beforeAll(async () => {
  server = await startTestServer();
});

afterAll(async () => {
  await server?.dispose();
});

describe("a freshly started server", () => {
  it("GET /health answers 200 healthy", async () => {
    const response = await fetch(`${server.baseUrl}/health`);
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({ status: "healthy" });
  });

  it("GET /ready answers 200 with the database connected and every migration applied", async () => {
    const response = await fetch(`${server.baseUrl}/ready`);
    expect(response.status).toBe(200);
    const body = await response.json();
    expect(body).toEqual({
      status: "ready",
      details: {
        database: "connected",
        engine: process.env.DATABASE_URL ? "postgres" : "pglite",
        migrations: `${MIGRATIONS}/${MIGRATIONS} applied`,
        authentication: "configured",
        audit_logging: "enabled",
      },
    });
  });

  it("shows its status on the home page", async () => {
    const response = await fetch(server.baseUrl);
    expect(response.status).toBe(200);
    const html = await response.text();
    expect(html).toContain("Memoric");
    expect(html).toContain("Ready");
  });

  it("created the admin from MEMORIC_ADMIN_* once, recorded start-up, and does not repeat the admin on restart", async () => {
    await server.stop();
    await server.restart();
    expect((await fetch(`${server.baseUrl}/ready`)).status).toBe(200);
    await server.stop();
    const handle = await server.openDatabase();
    try {
      const [admin] = await selectRows<{ username: string; email: string; roles: string[]; password_hash: string }>(
        handle.db,
        sql`select username, email, roles, password_hash from users where username = ${TEST_ADMIN.username}`,
      );
      expect(admin).toMatchObject({ username: TEST_ADMIN.username, email: TEST_ADMIN.email, roles: ["admin", "user"] });
      expect(admin!.password_hash).toMatch(/^\$2[ab]\$12\$/);
      expect(admin!.password_hash).not.toContain(TEST_ADMIN.password);

      const created = await queryAuditLogs(handle.db, { eventTypes: ["user.created"] });
      expect(created.total).toBe(1);
      expect(created.logs[0]).toMatchObject({
        userId: "system",
        username: "system",
        resourceType: "user",
        metadata: { source: "bootstrap" },
        afterState: { username: TEST_ADMIN.username, roles: ["admin", "user"] },
      });
      expect(JSON.stringify(created.logs[0])).not.toContain(TEST_ADMIN.password);

      const startups = await queryAuditLogs(handle.db, { eventTypes: ["system.startup"] });
      expect(startups.total).toBe(2);
      expect(startups.logs.map((l) => l.metadata?.admin_bootstrap)).toEqual(["exists", "created"]);
    } finally {
      await handle.close();
    }
    await server.restart();
  });
});

describe.skipIf(!process.env.DATABASE_URL)("MEMORIC_DATABASE_POOL_SIZE (PostgreSQL)", () => {
  it("caps each of the server's pools, and requests beyond it wait their turn and succeed", async () => {
    // A size other than this machine's default, so that a setting left unread fails the test.
    const size = databasePoolSize(undefined) === 3 ? 4 : 3;
    const small = await startTestServer({ MEMORIC_DATABASE_POOL_SIZE: String(size) });
    const handle = await small.openDatabase();
    try {
      const api = new Api(small.baseUrl);
      const { token } = await api.createUser("pooled");
      const responses = await Promise.all(
        Array.from({ length: 40 }, (_, i) => api.post("/memories", { content: `pooled ${i}` }, { token })),
      );
      expect(responses.map((r) => r.status)).toEqual(Array(40).fill(201));
      const listed = await api.get("/memories?top_k=100", { token });
      expect(listed.body).toHaveLength(40);
      const events = await api.auditLogs(await api.adminToken(), { event_type: "memory.created", username: "pooled" });
      expect(events.map((e) => e.resource_id).sort()).toEqual(listed.body.map((m: { id: number }) => String(m.id)).sort());
      const pools = await selectRows<{ name: string; n: number }>(
        handle.db,
        sql`select application_name as name, count(*)::int as n from pg_stat_activity where datname = current_database() and application_name like 'memoric%' and pid <> pg_backend_pid() group by 1 order by 1`,
      );
      // 40 writes at once filled the write pool to its cap and no further.
      expect(pools).toEqual([
        { name: "memoric", n: expect.any(Number) },
        { name: GENERIC_PLAN_POOL_NAME, n: size },
      ]);
      expect(pools[0]!.n).toBeLessThanOrEqual(size);
    } finally {
      await handle.close();
      await small.dispose();
    }
  });
});

describe("start-up on a port already in use", () => {
  it("stops with a message naming the port, before it opens the database or writes to the audit log", async () => {
    const api = new Api(server.baseUrl);
    const token = await api.adminToken();
    const startups = async () => (await api.get("/audit/logs?event_type=system.startup", { token })).body.total as number;
    const before = await startups();
    expect(before).toBeGreaterThan(0);
    // The same database too (on PostgreSQL; a PGlite folder is the server's own).
    const taken = new URL(server.baseUrl).port;
    const { code, output } = await runServerUntilExit({ PORT: taken, DATABASE_URL: server.env.DATABASE_URL ?? "" });
    expect(code).toBe(1);
    expect(output).toContain(`[memoric] cannot listen on 0.0.0.0:${taken}: the port is in use`);
    expect(output).not.toContain("[memoric] ready");
    expect(await startups()).toBe(before);
  });
});

describe("start-up with a bad setting", () => {
  it.each([
    ["MEMORIC_AUDIT_ENABLED", { MEMORIC_AUDIT_ENABLED: "maybe" }],
    ["MEMORIC_JWT_SECRET", { MEMORIC_JWT_SECRET: "short" }],
    ["MEMORIC_DATABASE_POOL_SIZE", { MEMORIC_DATABASE_POOL_SIZE: "0" }],
    ["DATABASE_URL", { DATABASE_URL: "mysql://localhost/db" }],
    ["MEMORIC_ADMIN_PASSWORD", { MEMORIC_ADMIN_USERNAME: "root", MEMORIC_ADMIN_PASSWORD: "weak" }],
  ])("stops with a message naming %s", async (name, env) => {
    const { code, output } = await runServerUntilExit(env);
    expect(code).toBe(1);
    expect(output).toContain("Invalid configuration");
    expect(output).toContain(name);
  });
});
