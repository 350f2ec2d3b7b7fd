// /policies over HTTP against the built server: the configuration, a dry run that changes
// nothing, a real run (migration by age, summarization, trimming, thread summaries, clusters)
// with its audit rows, idempotence, scoping, permissions and validation.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFor, type Api } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UA = "memoric-policies-test/1.0";

let server: TestServer;
let api: Api;
let admin: string;
let adminId: string;
let gina: { token: string; user: any };
let hank: { token: string; user: any };
const mem: Record<string, any> = {};

const as = (token: string) => ({ token, headers: { "user-agent": UA } });

async function create(token: string, body: Record<string, unknown>) {
  const response = await api.post("/memories", body, as(token));
  if (response.status !== 201) throw new Error(`create memory: ${response.status} ${response.text}`);
  return response.body.memory;
}

async function run(body: Record<string, unknown>) {
  const response = await api.post("/policies/run", body, as(admin));
  expect(response.status, response.text).toBe(200);
  return response.body;
}

const allOf = async (token: string) => (await api.get("/memories?top_k=100", as(token))).body as any[];
const byId = (list: any[], id: number) => list.find((m) => m.id === id);

const LONG_NOTES = Array.from({ length: 100 }, (_, i) => `Item ${i} was discussed at length today.`).join(" ");

beforeAll(async () => {
  server = await startTestServer();
  api = apiFor(server);
  admin = await api.adminToken();
  adminId = (await api.get("/auth/me", { token: admin })).body.id;
  gina = await api.createUser("gina");
  hank = await api.createUser("hank");

  mem.week = await create(gina.token, { content: "Weekly standup notes. Discussed the roadmap." });
  mem.month = await create(gina.token, { content: "Quarter planning kickoff. Budget approved." });
  mem.notes = await create(gina.token, { content: LONG_NOTES, tier: "mid_term", metadata: { topic: "Work" } });
  mem.archive = await create(gina.token, { content: "z".repeat(1200), tier: "long_term" });
  mem.draft = await create(gina.token, { content: "x".repeat(5000) });
  mem.fresh = await create(gina.token, { content: "Fresh memory." });
  mem.bags = await create(gina.token, { content: "Packed the bags. Then left.", thread_id: "trip" });
  mem.porto = await create(gina.token, { content: "Arrived in Porto. It rained.", thread_id: "trip" });
  mem.hanks = await create(hank.token, { content: "Hank's old note." });

  // Memories cannot be back-dated through the API: age them in the database, with the server stopped.
  await server.stop();
  const handle = await server.openDatabase();
  try {
    const age = async (id: number, days: number) =>
      handle.db.execute(sql`update memories set created_at = now() - make_interval(days => ${days}) where id = ${id}`);
    await age(mem.week.id, 10);
    await age(mem.month.id, 40);
    await age(mem.hanks.id, 10);
  } finally {
    await handle.close();
  }
  await server.restart();
});

afterAll(async () => {
  await server?.dispose();
});

describe("GET /policies", () => {
  it("shows the policy configuration to an admin", async () => {
    const response = await api.get("/policies", as(admin));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      tiers: {
        short_term: { expiry_days: 7, next_tier: "mid_term", trim: { max_chars: 4000 } },
        mid_term: { expiry_days: 30, next_tier: "long_term", trim: { max_chars: 2000 } },
        long_term: { expiry_days: null, next_tier: null, trim: { max_chars: 1000 } },
      },
      summarization: { tiers: ["mid_term", "long_term"], min_chars: 2500, target_chars: 400 },
      thread_summaries: { min_memories: 2, max_chars: 1000, tier: "long_term" },
    });
  });

  it("answers 403 to a user (recording authz.access.denied) and 401 without a token", async () => {
    const response = await api.get("/policies", as(gina.token));
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual({ code: "forbidden", message: "Admin access required" });
    const [denied] = await api.auditLogs(admin, { event_type: "authz.access.denied", user_id: gina.user.id });
    expect(denied).toMatchObject({ resource_type: "policy", request_path: "/policies", username: "gina", ip_address: "127.0.0.1", user_agent: UA });
    expect((await api.get("/policies")).status).toBe(401);
  });
});

describe("POST /policies/run", () => {
  let before: any[];
  let dry: any;
  let real: any;

  const expectedCounts = {
    migrated: 2,
    summarized: 1,
    trimmed: 2,
    thread_summaries: 1,
    clusters: { created: 2, updated: 0, deleted: 0 },
    by_tier: {
      short_term: { memories: 4, migrated_in: 0, summarized: 0, trimmed: 1 },
      mid_term: { memories: 2, migrated_in: 1, summarized: 1, trimmed: 0 },
      long_term: { memories: 3, migrated_in: 1, summarized: 0, trimmed: 1 },
    },
  };

  it("answers 403 to non-admins, 401 without a token", async () => {
    const response = await api.post("/policies/run", {}, as(gina.token));
    expect(response.status).toBe(403);
    expect(response.body.error.message).toBe("Admin access required");
    expect((await api.post("/policies/run", {})).status).toBe(401);
  });

  it.each([
    ["dry_run not a boolean", { dry_run: "yes" }, "dry_run"],
    ["user_id not a string", { user_id: 5 }, "user_id"],
  ])("answers 422 for %s", async (_name, body, field) => {
    const response = await api.post("/policies/run", body, as(admin));
    expect(response.status).toBe(422);
    expect(response.body.error.code).toBe("validation_failed");
    expect(response.body.error.details).toEqual([expect.objectContaining({ location: "body", field })]);
  });

  it("answers 404 for an unknown user", async () => {
    const response = await api.post("/policies/run", { user_id: "nobody" }, as(admin));
    expect(response.status).toBe(404);
  });

  it("a dry run reports what a run would do, changes nothing and writes only policy.executed", async () => {
    before = await allOf(gina.token);
    dry = await run({ user_id: gina.user.id, dry_run: true });
    expect(dry).toEqual({
      run_id: expect.any(String),
      dry_run: true,
      user_id: gina.user.id,
      ...expectedCounts,
      ran_at: expect.stringMatching(ISO),
    });
    expect(await allOf(gina.token)).toEqual(before);
    expect((await api.get("/clusters", as(gina.token))).body).toEqual([]);

    const executed = await api.auditLogs(admin, { event_type: "policy.executed", resource_id: dry.run_id });
    expect(executed).toHaveLength(1);
    expect(executed[0]).toMatchObject({ user_id: adminId, metadata: { run_id: dry.run_id, dry_run: true, migrated: 2 } });
    const updates = await api.auditLogs(admin, { event_type: "memory.updated,memory.created,cluster.created", user_id: adminId });
    expect(updates).toEqual([]);
  });

  it("a run migrates by age, summarizes, trims, writes thread summaries and rebuilds clusters", async () => {
    real = await run({ user_id: gina.user.id });
    expect(real).toEqual({ ...dry, run_id: expect.any(String), dry_run: false, ran_at: expect.stringMatching(ISO) });
    expect(real.run_id).not.toBe(dry.run_id);

    const after = await allOf(gina.token);
    expect(byId(after, mem.week.id)).toMatchObject({ tier: "mid_term", content: mem.week.content, summarized: false });
    expect(byId(after, mem.month.id)).toMatchObject({ tier: "long_term", content: mem.month.content });
    const notes = byId(after, mem.notes.id);
    expect(notes).toMatchObject({ tier: "mid_term", summarized: true, metadata: { topic: "Work", original_length: LONG_NOTES.length } });
    expect(notes.content.length).toBeLessThanOrEqual(400);
    expect(notes.content).toMatch(/^Item 0 was discussed at length today\. Item 1 was/);
    expect(notes.content.endsWith("today.")).toBe(true);
    const archive = byId(after, mem.archive.id);
    expect(archive.content).toBe(`${"z".repeat(999)}…`);
    expect(archive).toMatchObject({ tier: "long_term", summarized: false, metadata: { trimmed_from: 1200 } });
    expect(byId(after, mem.draft.id).content).toHaveLength(4000);
    expect(byId(after, mem.fresh.id)).toEqual(byId(before, mem.fresh.id));

    const summaries = after.filter((m) => m.metadata.kind === "thread_summary");
    expect(summaries).toEqual([
      expect.objectContaining({
        user_id: gina.user.id,
        thread_id: "trip",
        tier: "long_term",
        content: "Packed the bags. Arrived in Porto.",
        metadata: { kind: "thread_summary", memory_count: 2 },
      }),
    ]);

    const clusters = (await api.get("/clusters", as(gina.token))).body;
    expect(clusters.map((c: any) => [c.topic, c.memory_count])).toEqual([
      ["general", 7],
      ["work", 1],
    ]);
    // Only the user named was touched.
    expect((await allOf(hank.token))[0]).toMatchObject({ tier: "short_term" });
  });

  it("audits the run: permission check, memory.updated per change as the admin, cluster and policy events", async () => {
    const [checked] = await api.auditLogs(admin, { event_type: "authz.permission.checked", resource_id: real.run_id });
    expect(checked).toMatchObject({
      severity: "debug",
      user_id: adminId,
      username: "admin",
      resource_type: "policy",
      metadata: { permission: "policies:run", granted: true, dry_run: false, user_id: gina.user.id },
    });

    const [migrated] = await api.auditLogs(admin, { event_type: "memory.updated", resource_id: String(mem.week.id) });
    expect(migrated).toMatchObject({
      user_id: adminId,
      username: "admin",
      resource_type: "memory",
      action: "policy.migrate",
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_path: "/policies/run",
      success: true,
      before_state: { tier: "short_term", user_id: gina.user.id },
      after_state: { tier: "mid_term", user_id: gina.user.id },
      metadata: { run_id: real.run_id, owner_id: gina.user.id, changes: ["migrate"] },
    });
    const [summarized] = await api.auditLogs(admin, { event_type: "memory.updated", resource_id: String(mem.notes.id) });
    expect(summarized).toMatchObject({ action: "policy.summarize", before_state: { summarized: false }, after_state: { summarized: true } });
    const [trimmed] = await api.auditLogs(admin, { event_type: "memory.updated", resource_id: String(mem.archive.id) });
    expect(trimmed).toMatchObject({ action: "policy.trim", before_state: { content_length: 1200 }, after_state: { content_length: 1000 } });

    const created = await api.auditLogs(admin, { event_type: "memory.created", user_id: adminId });
    expect(created).toEqual([expect.objectContaining({ action: "policy.thread_summary", metadata: expect.objectContaining({ thread_id: "trip", run_id: real.run_id }) })]);
    const clusterRows = await api.auditLogs(admin, { event_type: "cluster.created", user_id: adminId });
    expect(clusterRows).toHaveLength(2);
    expect(clusterRows[0]).toMatchObject({ action: "policy.rebuild", metadata: { run_id: real.run_id, owner_id: gina.user.id } });

    const updates = await api.auditLogs(admin, { event_type: "memory.updated", user_id: adminId });
    expect(updates).toHaveLength(5);

    const [executed] = await api.auditLogs(admin, { event_type: "policy.executed", resource_id: real.run_id });
    expect(executed).toMatchObject({
      severity: "info",
      success: true,
      user_id: adminId,
      resource_type: "policy",
      action: "run",
      metadata: { run_id: real.run_id, dry_run: false, user_id: gina.user.id, ...expectedCounts, ran_at: real.ran_at },
    });
  });

  it("is idempotent: a second run changes nothing", async () => {
    const before2 = await allOf(gina.token);
    const again = await run({ user_id: gina.user.id });
    expect(again).toMatchObject({
      migrated: 0,
      summarized: 0,
      trimmed: 0,
      thread_summaries: 0,
      clusters: { created: 0, updated: 0, deleted: 0 },
    });
    expect(await allOf(gina.token)).toEqual(before2);
  });

  it("updates a thread summary in place when its thread grows", async () => {
    await create(gina.token, { content: "Flew home. Tired.", thread_id: "trip" });
    const result = await run({ user_id: gina.user.id });
    expect(result).toMatchObject({ thread_summaries: 1, clusters: { created: 0, updated: 1, deleted: 0 } });
    const summaries = (await allOf(gina.token)).filter((m) => m.metadata.kind === "thread_summary");
    expect(summaries).toHaveLength(1);
    expect(summaries[0]).toMatchObject({ content: "Packed the bags. Arrived in Porto. Flew home.", metadata: { memory_count: 3 } });
    const [row] = await api.auditLogs(admin, { event_type: "memory.updated", resource_id: String(summaries[0].id) });
    expect(row).toMatchObject({ action: "policy.thread_summary", after_state: { metadata: { memory_count: 3 } } });
  });

  it("runs over every user without user_id", async () => {
    const result = await run({});
    expect(result).toMatchObject({ user_id: null, migrated: 1, summarized: 0, trimmed: 0, thread_summaries: 0, clusters: { created: 1, updated: 0, deleted: 0 } });
    expect((await allOf(hank.token))[0]).toMatchObject({ tier: "mid_term" });
  });

  it.each([
    ["GET", "/policies/run", "POST"],
    ["POST", "/policies", "GET"],
    ["DELETE", "/policies", "GET"],
  ])("%s %s answers 405 in JSON", async (method, path, allow) => {
    const response = await api.request(method, path, { token: admin });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(response.body.error.code).toBe("method_not_allowed");
  });
});
