// Detection over HTTP: brute force, the request rate limit, client addresses behind a proxy,
// unexpected errors, shutdown, and a server with audit logging turned off.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { queryAuditLogs } from "@/lib/audit/query";
import { selectRows } from "@/lib/db/client";
import type { Api} from "../support/api";
import { apiFor } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

describe("behind a trusted proxy (MEMORIC_TRUST_PROXY=true)", () => {
  let server: TestServer;
  let api: Api;
  let admin: string;
  const from = (ip: string) => ({ headers: { "x-forwarded-for": `${ip}, 10.0.0.1` } });

  beforeAll(async () => {
    server = await startTestServer({ MEMORIC_TRUST_PROXY: "true", MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
    api = apiFor(server);
    admin = await api.login("admin", "Admin-Passw0rd", from("192.0.2.1").headers);
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it("records the client address from X-Forwarded-For", async () => {
    const [event] = await api.auditLogs(admin, { event_type: "auth.login.success" });
    expect(event.ip_address).toBe("192.0.2.1");
  });

  it("5 failed logins for one username raise security.suspicious.activity once; further attempts get 429", async () => {
    const { password } = await api.createUser("victim");
    for (let i = 1; i <= 5; i++) {
      const response = await api.post("/auth/login", { username: "victim", password: `Guess-${i}x` }, from(`198.51.100.${i}`));
      expect(response.status).toBe(401);
    }
    const blocked = await api.post("/auth/login", { username: "victim", password }, from("198.51.100.9"));
    expect(blocked.status).toBe(429);
    expect(Number(blocked.headers.get("retry-after"))).toBeGreaterThan(0);
    expect(Number(blocked.headers.get("retry-after"))).toBeLessThanOrEqual(900);
    expect(blocked.body.error.code).toBe("rate_limited");
    expect((await api.post("/auth/login", { username: "victim", password: "Guess-7x" }, from("198.51.100.10"))).status).toBe(429);

    const detections = await api.auditLogs(admin, { event_type: "security.suspicious.activity", username: "victim" });
    expect(detections).toHaveLength(1);
    expect(detections[0]).toMatchObject({
      severity: "critical",
      resource_id: "victim",
      metadata: { detection: "brute_force", by: "username", failures: 5, threshold: 5, window_minutes: 15 },
    });
    const limited = await api.auditLogs(admin, { event_type: "security.rate_limit.exceeded" });
    expect(limited.filter((e) => e.request_path === "/auth/login")).toHaveLength(2);
    expect(limited[0]).toMatchObject({ severity: "warning", status_code: 429, ip_address: "198.51.100.10" });
  });

  it("20 failed logins from one IP raise it for the address", async () => {
    for (let i = 0; i < 20; i++) {
      const response = await api.post("/auth/login", { username: `spray_${i}`, password: "Spray-Passw0rd" }, from("203.0.113.66"));
      expect(response.status).toBe(401);
    }
    expect((await api.post("/auth/login", { username: "spray_x", password: "Spray-Passw0rd" }, from("203.0.113.66"))).status).toBe(429);
    const detections = await api.auditLogs(admin, { event_type: "security.suspicious.activity", ip_address: "203.0.113.66" });
    expect(detections).toHaveLength(1);
    expect(detections[0]).toMatchObject({ resource_id: "203.0.113.66", metadata: { by: "ip_address", failures: 20 } });
    // Another address is not affected.
    expect((await api.post("/auth/login", { username: "spray_x", password: "Spray-Passw0rd" }, from("203.0.113.67"))).status).toBe(401);
  });

  it("an unexpected error answers 500 with only an error id and records system.error", async () => {
    await server.stop();
    let handle = await server.openDatabase();
    await handle.db.execute(sql`alter table revoked_tokens rename to revoked_tokens_hidden`);
    await handle.close();
    await server.restart();
    const response = await api.get("/auth/me", { token: admin });
    expect(response.status).toBe(500);
    expect(response.body.error).toEqual({
      code: "internal_error",
      message: expect.stringMatching(/^Internal server error \(error id [0-9a-f-]{36}\)$/),
      details: { error_id: expect.any(String) },
    });
    expect(response.text).not.toMatch(/revoked_tokens|at .*\.js/);
    await server.stop();
    handle = await server.openDatabase();
    try {
      const { logs } = await queryAuditLogs(handle.db, { eventTypes: ["system.error"] });
      expect(logs).toHaveLength(1);
      expect(logs[0]).toMatchObject({
        severity: "error",
        success: false,
        statusCode: 500,
        requestPath: "/auth/me",
        metadata: { error_id: response.body.error.details.error_id },
      });
      expect(JSON.stringify(logs[0])).not.toContain("revoked_tokens");
      await handle.db.execute(sql`alter table revoked_tokens_hidden rename to revoked_tokens`);
    } finally {
      await handle.close();
    }
    await server.restart();
    expect((await api.get("/auth/me", { token: admin })).status).toBe(200);
  });

  it("SIGTERM records system.shutdown before the process exits", async () => {
    expect(await server.stop()).toBe(0);
    const handle = await server.openDatabase();
    try {
      const { logs } = await queryAuditLogs(handle.db, { eventTypes: ["system.shutdown", "system.startup"] });
      expect(logs[0]).toMatchObject({ eventType: "system.shutdown", userId: "system", metadata: { signal: "SIGTERM" } });
      expect(logs.filter((l) => l.eventType === "system.shutdown").length).toBe(logs.filter((l) => l.eventType === "system.startup").length);
    } finally {
      await handle.close();
    }
    await server.restart();
  });
});

describe("without a trusted proxy", () => {
  let server: TestServer;
  let api: Api;

  beforeAll(async () => {
    server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "5" });
    api = apiFor(server);
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it("ignores X-Forwarded-For, and answers 429 with Retry-After past the per-minute limit", async () => {
    const admin = await api.adminToken();
    const statuses: number[] = [];
    for (let i = 0; i < 7; i++) {
      statuses.push((await api.get("/auth/me", { headers: { "x-forwarded-for": `198.51.100.${i}` } })).status);
    }
    // The admin's login was this address's first request of the minute; four more are allowed.
    expect(statuses).toEqual([401, 401, 401, 401, 429, 429, 429]);
    const limited = await api.get("/auth/me");
    expect(limited.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(limited.body.error.message).toBe("Rate limit of 5 requests per minute exceeded");
    // The admin's own budget is separate from the anonymous address's.
    const events = await api.auditLogs(admin, { event_type: "security.rate_limit.exceeded" });
    expect(events).toHaveLength(4);
    expect(events.every((e) => e.ip_address === "127.0.0.1" && e.status_code === 429)).toBe(true);
  });
});

describe("with audit logging disabled (MEMORIC_AUDIT_ENABLED=false)", () => {
  let server: TestServer;

  beforeAll(async () => {
    server = await startTestServer({ MEMORIC_AUDIT_ENABLED: "false" });
  });

  afterAll(async () => {
    await server?.dispose();
  });

  it("writes nothing and audit queries answer empty results", async () => {
    const api = apiFor(server);
    const { token } = await api.createUser("quiet");
    await api.post("/auth/login", { username: "quiet", password: "nope-Nope1" });
    const admin = await api.adminToken();
    expect((await api.get("/audit/logs", { token: admin })).body).toMatchObject({ logs: [], total: 0 });
    expect((await api.get("/audit/statistics", { token: admin })).body).toMatchObject({ total_events: 0, events_by_type: {} });
    expect((await api.get("/audit/logs/security", { token: admin })).body).toMatchObject({ logs: [], total: 0 });
    expect((await api.get("/ready")).body.details.audit_logging).toBe("disabled");
    expect((await api.get("/auth/me", { token })).status).toBe(200);
    // Changes still happen, without their events.
    const created = await api.post("/memories", { content: "Kept without an event." }, { token });
    expect(created.status).toBe(201);
    const listed = await api.get("/memories", { token });
    expect(listed.body).toEqual([created.body.memory]);
    await server.stop();
    const handle = await server.openDatabase();
    try {
      const [row] = await selectRows<{ n: number }>(handle.db, sql`select count(*)::int as n from audit_logs`);
      expect(row?.n).toBe(0);
    } finally {
      await handle.close();
    }
  });
});
