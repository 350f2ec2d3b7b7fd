// Every one of the 33 event types of EVENTS.md, caused through the API or a signal, and read
// back through /audit/logs with the right actor, resource, ip, user agent, success and severity.
import { SignJWT, decodeJwt } from "jose";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { EVENT_TYPES } from "@/lib/audit/events";
import { Api } from "../support/api";
import { TEST_ADMIN, TEST_JWT_SECRET, startTestServer, type TestServer } from "../support/server";

const UA = "memoric-event-coverage/1.0";
let server: TestServer;
let api: Api;
let admin: string;
let adminId: string;

/** An Api whose every request carries the test's user agent. */
class AgentApi extends Api {
  override request(method: string, path: string, options: Parameters<Api["request"]>[2] = {}) {
    return super.request(method, path, { ...options, headers: { "user-agent": UA, ...options.headers } });
  }
}

beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = new AgentApi(server.baseUrl);
  admin = await api.adminToken();
  adminId = decodeJwt(admin).sub!;
});

afterAll(async () => {
  await server?.dispose();
});

async function withHiddenTable(table: string, action: () => Promise<void>): Promise<void> {
  await server.stop();
  let handle = await server.openDatabase();
  await handle.db.execute(sql.raw(`alter table ${table} rename to ${table}_hidden`));
  await handle.close();
  await server.restart();
  try {
    await action();
  } finally {
    await server.stop();
    handle = await server.openDatabase();
    await handle.db.execute(sql.raw(`alter table ${table}_hidden rename to ${table}`));
    await handle.close();
    await server.restart();
  }
}

describe("every event type", () => {
  it("is written by a real code path and reads back with the right columns", async () => {
    const secret = new TextEncoder().encode(TEST_JWT_SECRET);
    const now = Math.floor(Date.now() / 1000);

    // Accounts and sessions
    const registered = await api.post("/auth/register", { username: "eve_user", email: "eve@example.com", password: "Passw0rd-eve" });
    const eve = registered.body;
    const eveToken = await api.login("eve_user", "Passw0rd-eve");
    await api.post("/auth/login", { username: "eve_user", password: "Wrong-Passw0rd" });
    await api.post("/auth/change-password", { old_password: "Passw0rd-eve", new_password: "Passw0rd-eve2" }, { token: eveToken });
    await api.patch("/auth/users/eve_user", { full_name: "Eve", roles: ["user"] }, { token: admin });
    await api.patch("/auth/users/eve_user", { is_active: false }, { token: admin });
    await api.patch("/auth/users/eve_user", { is_active: true }, { token: admin });
    await api.post("/auth/users/eve_user/reset-password", { new_password: "Passw0rd-eve3" }, { token: admin });
    const expired = await new SignJWT({ roles: ["user"], namespace: null })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(eve.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt(now - 7200)
      .setExpirationTime(now - 3600)
      .sign(secret);
    await api.get("/auth/me", { token: expired });
    await api.get("/auth/me", { token: "not.a.token" });
    const forged = await new SignJWT({ roles: ["admin"] })
      .setProtectedHeader({ alg: "HS256" })
      .setSubject(eve.id)
      .setJti(crypto.randomUUID())
      .setIssuedAt(now)
      .setExpirationTime(now + 60)
      .sign(new TextEncoder().encode("not the server's secret, but long enough"));
    await api.get("/auth/me", { token: forged });

    // Memories, clusters, policies
    const eveToken2 = await api.login("eve_user", "Passw0rd-eve3");
    const memory = (await api.post("/memories", { content: "Eve likes tea in the morning", metadata: { topic: "drinks" } }, { token: eveToken2 })).body;
    await api.get("/memories", { token: eveToken2 });
    await api.get(`/memories/${memory.id}`, { token: eveToken2 });
    await api.patch(`/memories/${memory.id}`, { score: 80 }, { token: eveToken2 });
    await api.get("/memories/search?q=tea", { token: eveToken2 });
    const rebuilt = (await api.post("/clusters/rebuild", {}, { token: eveToken2 })).body;
    const clusterId = rebuilt.clusters[0].cluster_id as string;
    await api.get("/clusters", { token: eveToken2 });
    await api.patch(`/clusters/${encodeURIComponent(clusterId)}`, { summary: "Tea." }, { token: admin });
    await api.delete(`/memories/${memory.id}`, { token: eveToken2 });
    await api.delete(`/clusters/${encodeURIComponent(clusterId)}`, { token: admin });
    await api.post("/policies/run", { dry_run: true }, { token: admin });

    // Authorization
    await api.get("/audit/statistics", { token: eveToken2 });
    await api.get("/audit/events/types", { token: admin });
    await api.post("/auth/logout", undefined, { token: eveToken2 });

    // Brute force: five failures, then a throttled attempt
    for (let i = 0; i < 5; i++) await api.post("/auth/login", { username: "eve_user", password: `Guess-${i}-x` });
    await api.post("/auth/login", { username: "eve_user", password: "Passw0rd-eve3" });

    // Failures inside the server, and a signal
    await withHiddenTable("memory_clusters", async () => {
      await api.post("/policies/run", {}, { token: admin });
    });
    const deleted = await api.delete("/auth/users/eve_user", { token: admin });
    expect(deleted.status).toBe(204);

    const me = { ip_address: "127.0.0.1", user_agent: UA };
    const asEve = { ...me, user_id: eve.id, username: "eve_user" };
    const asAdmin = { ...me, user_id: adminId, username: TEST_ADMIN.username };
    const system = { user_id: "system", username: "system", ip_address: null, user_agent: null, success: true, severity: "info" };
    const expected: Record<string, Record<string, unknown>> = {
      "auth.login.success": { ...asEve, resource_type: "auth", success: true, severity: "info" },
      "auth.login.failed": { ...asEve, resource_type: "auth", success: false, severity: "warning" },
      "auth.logout": { ...asEve, resource_type: "auth", success: true, severity: "info" },
      "auth.token.created": { ...asEve, resource_type: "token", success: true, severity: "info" },
      "auth.token.expired": { ...me, resource_type: "auth", success: false, severity: "warning" },
      "auth.token.invalid": { ...me, resource_type: "auth", success: false, severity: "warning" },
      "user.created": { ...asEve, resource_type: "user", resource_id: eve.id, success: true, severity: "info" },
      "user.updated": { ...asAdmin, resource_type: "user", resource_id: eve.id, success: true, severity: "info" },
      "user.deleted": { ...asAdmin, resource_type: "user", resource_id: eve.id, success: true, severity: "warning" },
      "user.password.changed": { ...asEve, resource_type: "user", resource_id: eve.id, success: true, severity: "info" },
      "user.password.reset": { ...asAdmin, resource_type: "user", resource_id: eve.id, success: true, severity: "warning" },
      "user.activated": { ...asAdmin, resource_type: "user", resource_id: eve.id, success: true, severity: "info" },
      "user.deactivated": { ...asAdmin, resource_type: "user", resource_id: eve.id, success: true, severity: "warning" },
      "user.personal_data.erased": { ...asAdmin, resource_type: "user", resource_id: eve.id, success: true, severity: "warning" },
      "memory.created": { ...asEve, resource_type: "memory", resource_id: String(memory.id), success: true, severity: "info" },
      "memory.retrieved": { ...asEve, resource_type: "memory", success: true, severity: "info" },
      "memory.updated": { ...asEve, resource_type: "memory", resource_id: String(memory.id), success: true, severity: "info" },
      "memory.deleted": { ...asEve, resource_type: "memory", resource_id: String(memory.id), success: true, severity: "info" },
      "memory.searched": { ...asEve, resource_type: "memory", success: true, severity: "info" },
      "cluster.created": { ...asEve, resource_type: "cluster", resource_id: clusterId, success: true, severity: "info" },
      "cluster.retrieved": { ...asEve, resource_type: "cluster", success: true, severity: "info" },
      "cluster.updated": { ...asAdmin, resource_type: "cluster", resource_id: clusterId, success: true, severity: "info" },
      "cluster.deleted": { ...asAdmin, resource_type: "cluster", resource_id: clusterId, success: true, severity: "info" },
      "policy.executed": { ...asAdmin, resource_type: "policy", success: true, severity: "info" },
      "policy.failed": { ...asAdmin, resource_type: "policy", success: false, severity: "error" },
      "authz.access.granted": { ...asAdmin, resource_type: "audit_log", success: true, severity: "info" },
      "authz.access.denied": { ...asEve, resource_type: "audit_log", success: false, severity: "warning", status_code: 403 },
      "authz.permission.checked": { ...asAdmin, success: true, severity: "debug" },
      "system.startup": system,
      "system.shutdown": { ...system, metadata: expect.objectContaining({ signal: "SIGTERM" }) },
      "system.error": { ...asAdmin, success: false, severity: "error", status_code: 500 },
      "security.breach.attempt": { ...me, success: false, severity: "critical" },
      "security.rate_limit.exceeded": { ...me, username: "eve_user", success: false, severity: "warning", status_code: 429 },
      "security.suspicious.activity": { ...me, username: "eve_user", resource_id: "eve_user", success: false, severity: "critical" },
    };
    // Retention needs events older than their policy; lib/audit/retention.test.ts causes and checks it.
    const coveredElsewhere = ["system.retention.applied"];
    expect([...Object.keys(expected), ...coveredElsewhere].sort()).toEqual(EVENT_TYPES.map((e) => e.value).sort());

    const admin2 = await api.adminToken();
    // Erasure clears eve's personal data from her events, so it comes after they are checked.
    const checkLater = "user.personal_data.erased";
    const missing: string[] = [];
    const check = async (eventType: string, columns: Record<string, unknown>) => {
      const logs = await api.auditLogs(admin2, { event_type: eventType });
      const match = logs.find((log) => Object.entries(columns).every(([k, v]) => (typeof v === "object" && v !== null && "asymmetricMatch" in v ? (v as any).asymmetricMatch(log[k]) : log[k] === v)));
      if (!match) missing.push(`${eventType}: none of ${logs.length} rows has ${JSON.stringify(columns)}; newest: ${JSON.stringify(logs[0])?.slice(0, 400)}`);
    };
    for (const [eventType, columns] of Object.entries(expected)) if (eventType !== checkLater) await check(eventType, columns);
    const erased = await api.post("/audit/erasures", { user_id: eve.id, reason: "coverage" }, { token: admin2 });
    expect(erased.status).toBe(200);
    expect(erased.body.events_erased).toBeGreaterThan(10);
    await check(checkLater, { ...expected[checkLater]!, user_id: adminId });
    expect(missing).toEqual([]);
  });
});
