// /audit/* over HTTP with an admin token: the original document's curl examples, every filter,
// paging, statistics that match the rows, export, the live stream, and audited reads.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api} from "../support/api";
import { apiFor } from "../support/api";
import { TEST_ADMIN, startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let api: Api;
let admin: string;
let alice: { token: string; user: any; password: string };

beforeAll(async () => {
  // The export test sends over 1000 requests within a minute.
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = apiFor(server);
  admin = await api.adminToken();
  alice = await api.createUser("alice");
  // Some failures to look for.
  for (const password of ["Wrong-1a", "Wrong-2b"]) await api.post("/auth/login", { username: "alice", password });
});

afterAll(async () => {
  await server?.dispose();
});

describe("the original document's curl examples, unchanged but for the port", () => {
  it.each([
    ["/audit/logs", (b: any) => expect(b.logs.length).toBeGreaterThan(0)],
    ["/audit/logs?event_type=auth.login.failed&hours=24", (b: any) => {
      expect(b.total).toBe(2);
      expect(b.logs.every((l: any) => l.event_type === "auth.login.failed")).toBe(true);
    }],
    ["/audit/logs/user/user123?hours=168", (b: any) => expect(b).toMatchObject({ user_id: "user123", logs: [], total: 0 })],
    ["/audit/logs/security?hours=1", (b: any) => expect(b.logs.some((l: any) => l.event_type === "auth.login.failed")).toBe(true)],
    ["/audit/statistics?hours=168", (b: any) => expect(b.total_events).toBeGreaterThan(0)],
    ["/audit/events/types", (b: any) => expect(b.total).toBeGreaterThanOrEqual(33)],
  ])("GET %s", async (path, check) => {
    const response = await api.get(path, { token: admin });
    expect(response.status).toBe(200);
    check(response.body);
  });
});

describe("GET /audit/logs", () => {
  it("returns every column, newest first, with total, offset, limit and next_cursor", async () => {
    const response = await api.get("/audit/logs?limit=2", { token: admin });
    expect(response.body).toMatchObject({ offset: 0, limit: 2, next_cursor: expect.any(String) });
    expect(response.body.total).toBeGreaterThan(2);
    const [first, second] = response.body.logs;
    expect(Object.keys(first).sort()).toEqual(
      [
        "action", "after_state", "before_state", "compliance_tags", "description", "error_message", "event_type", "id",
        "ip_address", "leaf_hash", "metadata", "namespace", "request_method", "request_params", "request_path",
        "resource_id", "resource_type", "retention_policy", "session_id", "severity", "status_code", "success", "tags",
        "timestamp", "user_agent", "user_id", "username", "personal_digest", "personal_salt", "erased_at",
      ].sort(),
    );
    expect(first.timestamp >= second.timestamp).toBe(true);
    expect(first.timestamp).toMatch(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/);
  });

  it("filters by each parameter and combinations; total counts all matches", async () => {
    const all = await api.auditLogs(admin);
    const checks: [string, (l: any) => boolean][] = [
      ["event_type=auth.login.failed,user.created", (l) => ["auth.login.failed", "user.created"].includes(l.event_type)],
      [`user_id=${alice.user.id}`, (l) => l.user_id === alice.user.id],
      ["username=alice", (l) => l.username === "alice"],
      ["resource_type=user", (l) => l.resource_type === "user"],
      [`resource_id=${alice.user.id}`, (l) => l.resource_id === alice.user.id],
      ["ip_address=127.0.0.1", (l) => l.ip_address === "127.0.0.1"],
      ["success=false", (l) => !l.success],
      ["severity=warning,critical", (l) => ["warning", "critical"].includes(l.severity)],
      ["q=Wrong", (l) => /wrong/i.test(`${l.description} ${l.error_message}`)],
      ["username=alice&success=false", (l) => l.username === "alice" && !l.success],
    ];
    for (const [query, predicate] of checks) {
      const response = await api.get(`/audit/logs?hours=720&limit=1000&${query}`, { token: admin });
      expect(response.status, query).toBe(200);
      // The read itself is audited after the query ran, so the earlier snapshot is a superset.
      const expected = all.filter(predicate);
      expect(response.body.total, query).toBeGreaterThanOrEqual(expected.length);
      expect(response.body.logs.every(predicate), query).toBe(true);
      expect(response.body.total, query).toBe(response.body.logs.length);
      expect(expected.length, `${query} should match something`).toBeGreaterThan(0);
    }
    const session = all.find((l) => l.session_id)!.session_id;
    const bySession = await api.get(`/audit/logs?session_id=${session}`, { token: admin });
    expect(bySession.body.logs.every((l: any) => l.session_id === session)).toBe(true);
  });

  it("honours explicit time ranges", async () => {
    const now = Date.now();
    const past = await api.get(`/audit/logs?start_time=2020-01-01T00:00:00Z&end_time=2020-01-02T00:00:00Z`, { token: admin });
    expect(past.body).toMatchObject({ total: 0, logs: [] });
    const recent = await api.get(`/audit/logs?start_time=${new Date(now - 3_600_000).toISOString()}&end_time=${new Date(now + 60_000).toISOString()}`, { token: admin });
    expect(recent.body.total).toBeGreaterThan(0);
  });

  it("pages by offset and by cursor without gaps or repeats", async () => {
    const full = await api.get("/audit/logs?hours=720&limit=1000&event_type=user.created,auth.login.failed,auth.login.success", { token: admin });
    const ids = full.body.logs.map((l: any) => l.id);
    const byOffset: number[] = [];
    for (let offset = 0; offset < ids.length; offset += 2) {
      const page = await api.get(`/audit/logs?hours=720&limit=2&offset=${offset}&event_type=user.created,auth.login.failed,auth.login.success`, { token: admin });
      byOffset.push(...page.body.logs.map((l: any) => l.id));
    }
    expect(byOffset).toEqual(ids);
    const byCursor: number[] = [];
    let cursor = "";
    do {
      const page = await api.get(`/audit/logs?hours=720&limit=2&event_type=user.created,auth.login.failed,auth.login.success${cursor ? `&cursor=${cursor}` : ""}`, { token: admin });
      byCursor.push(...page.body.logs.map((l: any) => l.id));
      cursor = page.body.next_cursor ?? "";
    } while (cursor);
    expect(byCursor).toEqual(ids);
  });

  it("sorts oldest first with order=asc, and reads a repeated key as a list", async () => {
    const types = "event_type=user.created,auth.login.failed,auth.login.success";
    const newest = await api.get(`/audit/logs?hours=720&limit=1000&${types}`, { token: admin });
    const oldest = await api.get(`/audit/logs?hours=720&limit=1000&${types}&order=asc`, { token: admin });
    expect(oldest.body.logs.map((l: any) => l.id)).toEqual([...newest.body.logs.map((l: any) => l.id)].reverse());
    const repeated = await api.get(`/audit/logs?hours=720&limit=1000&${types.replaceAll(",", "&event_type=")}`, { token: admin });
    expect(repeated.status).toBe(200);
    expect(repeated.body.logs.map((l: any) => l.id)).toEqual(newest.body.logs.map((l: any) => l.id));
    expect(new Set(repeated.body.logs.map((l: any) => l.event_type)).size).toBe(3);
  });

  it.each([
    ["order=sideways", "order"],
    ["limit=0", "limit"],
    ["limit=1001", "limit"],
    ["offset=-1", "offset"],
    ["hours=0", "hours"],
    ["hours=721", "hours"],
    ["hours=abc", "hours"],
    ["event_type=bogus.event", "event_type"],
    ["severity=loud", "severity"],
    ["success=maybe", "success"],
    ["start_time=yesterday", "start_time"],
    ["start_time=2026-02-01T00:00:00Z&end_time=2026-01-01T00:00:00Z", "end_time"],
    ["cursor=not-a-cursor", "cursor"],
  ])("answers 422 for %s", async (query, field) => {
    const response = await api.get(`/audit/logs?${query}`, { token: admin });
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("validation_failed");
    expect(response.body.error.details.map((d: any) => d.field)).toContain(field);
  });

  it("ignores unknown parameters", async () => {
    expect((await api.get("/audit/logs?color=blue", { token: admin })).status).toBe(200);
  });
});

describe("single logs, users, security events", () => {
  it("GET /audit/logs/{id} returns the log with its integrity; 404 and 422 otherwise", async () => {
    const [log] = await api.auditLogs(admin, { event_type: "user.created" });
    const response = await api.get(`/audit/logs/${log.id}`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ...log, integrity: { leaf_hash: log.leaf_hash, leaf_hash_valid: true } });
    expect((await api.get("/audit/logs/999999999", { token: admin })).status).toBe(404);
    expect((await api.get("/audit/logs/abc", { token: admin })).status).toBe(422);
  });

  it("GET /audit/logs/user/{user_id} returns one user's activity with start_time", async () => {
    const response = await api.get(`/audit/logs/user/${alice.user.id}?hours=24&limit=50`, { token: admin });
    expect(response.status).toBe(200);
    expect(response.body.user_id).toBe(alice.user.id);
    expect(response.body.logs.length).toBeGreaterThan(0);
    expect(response.body.logs.every((l: any) => l.user_id === alice.user.id)).toBe(true);
    expect(Date.parse(response.body.start_time)).toBeLessThan(Date.now() - 23 * 3_600_000);
  });

  it("GET /audit/logs/security returns warning+ or failed events only", async () => {
    const response = await api.get("/audit/logs/security?hours=24", { token: admin });
    expect(response.body.logs.length).toBeGreaterThan(0);
    expect(response.body.logs.every((l: any) => l.severity !== "info" && l.severity !== "debug" || !l.success)).toBe(true);
  });
});

describe("GET /audit/statistics", () => {
  it("matches counts computed from /audit/logs over the same range", async () => {
    const start = new Date(Date.now() - 3_600_000).toISOString();
    const end = new Date().toISOString();
    const logs = await api.auditLogs(admin, { start_time: start, end_time: end });
    const stats = await api.get(`/audit/statistics?start_time=${start}&end_time=${end}`, { token: admin });
    expect(stats.status).toBe(200);
    const byType: Record<string, number> = {};
    for (const l of logs) byType[l.event_type] = (byType[l.event_type] ?? 0) + 1;
    expect(stats.body).toMatchObject({
      total_events: logs.length,
      failed_operations: logs.filter((l) => !l.success).length,
      unique_users: new Set(logs.filter((l) => l.user_id).map((l) => l.user_id)).size,
      events_by_type: byType,
      start_time: start,
      end_time: end,
    });
    expect(stats.body.timeline.reduce((n: number, b: any) => n + b.total, 0)).toBe(logs.length);
    expect(stats.body.top_users[0]).toMatchObject({ user_id: expect.any(String), count: expect.any(Number) });
  });

  it("lists severities and event types from the catalog", async () => {
    const severities = await api.get("/audit/severity/levels", { token: admin });
    expect(severities.body.total).toBe(5);
    expect(severities.body.severity_levels.map((s: any) => s.value)).toEqual(["debug", "info", "warning", "error", "critical"]);
    const types = await api.get("/audit/events/types", { token: admin });
    expect(types.body.event_types[0]).toEqual({
      value: "auth.login.success",
      name: "AUTH_LOGIN_SUCCESS",
      category: "authentication",
      description: "Successful login",
      default_severity: "info",
    });
  });
});

describe("GET /audit/export", () => {
  it("streams every match as NDJSON and CSV, the same rows /audit/logs returns", async () => {
    const filter = "event_type=auth.login.failed,user.created&hours=24";
    const logs = (await api.get(`/audit/logs?${filter}&limit=1000`, { token: admin })).body.logs;
    const ndjson = await fetch(`${server.baseUrl}/audit/export?${filter}&format=ndjson`, { headers: { authorization: `Bearer ${admin}` } });
    expect(ndjson.status).toBe(200);
    expect(ndjson.headers.get("content-type")).toMatch(/^application\/x-ndjson/);
    expect(ndjson.headers.get("content-disposition")).toMatch(/^attachment; filename="memoric-audit-.*\.ndjson"$/);
    const lines = (await ndjson.text()).trim().split("\n").map((l) => JSON.parse(l));
    expect(lines).toEqual(logs);

    const csv = await fetch(`${server.baseUrl}/audit/export?${filter}&format=csv`, { headers: { authorization: `Bearer ${admin}` } });
    expect(csv.headers.get("content-type")).toMatch(/^text\/csv/);
    const rows = (await csv.text()).trim().split("\r\n");
    expect(rows[0]!.startsWith("id,timestamp,event_type,severity")).toBe(true);
    expect(rows.length).toBe(logs.length + 1);
    expect(rows[1]!.startsWith(`${logs[0].id},${logs[0].timestamp},${logs[0].event_type}`)).toBe(true);
    expect((await api.get("/audit/export?format=xml", { token: admin })).status).toBe(422);
    const exports = await api.auditLogs(admin, { event_type: "authz.access.granted", resource_type: "audit_log" });
    expect(exports.some((e) => e.action === "export" && e.metadata.format === "csv")).toBe(true);
  });

  it("exports more than one page", async () => {
    // 1100 reads, 50 at a time (all at once can time out connecting on a busy machine).
    for (let sent = 0; sent < 1100; sent += 50) {
      await Promise.all(Array.from({ length: 50 }, () => api.get("/audit/severity/levels", { token: admin })));
    }
    const range = `start_time=${new Date(Date.now() - 3_600_000).toISOString()}&end_time=${new Date().toISOString()}`;
    const response = await fetch(`${server.baseUrl}/audit/export?event_type=authz.access.granted&${range}`, { headers: { authorization: `Bearer ${admin}` } });
    const lines = (await response.text()).trim().split("\n");
    const total = (await api.get(`/audit/logs?event_type=authz.access.granted&${range}`, { token: admin })).body.total;
    expect(lines.length).toBeGreaterThan(1100);
    expect(lines.length).toBe(total);
    expect(new Set(lines.map((l) => JSON.parse(l).id)).size).toBe(lines.length);
  });
});

describe("GET /audit/stream", () => {
  it("sends new matching events as Server-Sent Events", async () => {
    const controller = new AbortController();
    const response = await fetch(`${server.baseUrl}/audit/stream?event_type=auth.login.failed`, {
      headers: { authorization: `Bearer ${admin}` },
      signal: controller.signal,
    });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-type")).toMatch(/^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    await api.post("/auth/login", { username: "alice", password: "Wrong-stream-1" });
    await api.post("/auth/login", { username: TEST_ADMIN.username, password: TEST_ADMIN.password });
    let text = "";
    const deadline = Date.now() + 10_000;
    while (!text.includes("event: audit") && Date.now() < deadline) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value);
    }
    controller.abort();
    const events = text.split("\n\n").filter((b) => b.includes("event: audit"));
    expect(events.length).toBe(1);
    const data = JSON.parse(events[0]!.split("\n").find((l) => l.startsWith("data: "))!.slice(6));
    expect(data).toMatchObject({ event_type: "auth.login.failed", username: "alice" });
    expect(events[0]).toContain(`id: ${data.id}`);
  });
});

describe("access to the audit API", () => {
  it("answers 401 without credentials and 403 Admin access required for users, audited", async () => {
    expect((await api.get("/audit/logs")).status).toBe(401);
    const denied = await api.get("/audit/statistics", { token: alice.token });
    expect(denied.status).toBe(403);
    expect(denied.body.error).toEqual({ code: "forbidden", message: "Admin access required" });
    const [event] = await api.auditLogs(admin, { event_type: "authz.access.denied", user_id: alice.user.id });
    expect(event).toMatchObject({ resource_type: "audit_log", request_path: "/audit/statistics", status_code: 403, severity: "warning" });
  });

  it("records every read of the audit log as authz.access.granted", async () => {
    await api.get("/audit/logs?username=nobody", { token: admin });
    const [read] = await api.auditLogs(admin, { event_type: "authz.access.granted", resource_type: "audit_log" });
    expect(read).toMatchObject({ username: TEST_ADMIN.username, action: "read", request_path: "/audit/logs", request_params: { username: "nobody" } });
  });
});
