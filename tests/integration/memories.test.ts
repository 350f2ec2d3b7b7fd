// /memories over HTTP against the built server: shapes, permissions, validation, and the audit
// rows each action writes, read back through the audit API.
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows, GENERIC_PLAN_POOL_NAME } from "@/lib/db/client";
import { apiFor, type Api } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UA = "memoric-memories-test/1.0";
const OWN_ONLY = "Can only access your own memories";

let server: TestServer;
let api: Api;
let admin: string;
let adminId: string;
let alice: { token: string; user: any };
let bob: { token: string; user: any };
let reader: { token: string; user: any };

beforeAll(async () => {
  server = await startTestServer();
  api = apiFor(server);
  admin = await api.adminToken();
  adminId = (await api.get("/auth/me", { token: admin })).body.id;
  alice = await api.createUser("alice");
  bob = await api.createUser("bob");
  reader = await api.createUser("reader", ["readonly"]);
});

afterAll(async () => {
  await server?.dispose();
});

const as = (token: string) => ({ token, headers: { "user-agent": UA } });

async function create(token: string, body: Record<string, unknown>) {
  const response = await api.post("/memories", body, as(token));
  if (response.status !== 201) throw new Error(`create memory: ${response.status} ${response.text}`);
  return response.body.memory;
}

/** The newest audit row of a type about one resource (or, without one, by one user). */
async function lastEvent(eventType: string, filters: Record<string, string>) {
  const [row] = await api.auditLogs(admin, { event_type: eventType, ...filters });
  expect(row, `${eventType} ${JSON.stringify(filters)}`).toBeDefined();
  return row;
}

function expectValidationError(response: { status: number; body: any }, location: string, field: string) {
  expect(response.status).toBe(422);
  expect(response.body.error.code).toBe("validation_failed");
  expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location, field })]));
}

describe("POST /memories", () => {
  it("creates a memory with defaults and answers 201 {id, message, memory}", async () => {
    const response = await api.post("/memories", { content: "I like green tea." }, as(alice.token));
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    const { memory } = response.body;
    expect(response.body).toEqual({ id: memory.id, message: "Memory created", memory });
    expect(memory).toEqual({
      id: expect.any(Number),
      user_id: alice.user.id,
      namespace: null,
      thread_id: null,
      content: "I like green tea.",
      tier: "short_term",
      score: 50,
      metadata: {},
      summarized: false,
      created_at: expect.stringMatching(ISO),
      updated_at: expect.stringMatching(ISO),
    });
    expect(memory.id).toBeGreaterThan(0);
  });

  it("stores every field given and records memory.created in the same transaction", async () => {
    const body = {
      content: "Met Sam at the conference.",
      thread_id: "thread-1",
      namespace: "work",
      metadata: { topic: "People", source: { app: "chat" } },
      tier: "mid_term",
      score: 80,
    };
    const response = await api.post("/memories", body, as(alice.token));
    expect(response.status).toBe(201);
    const { memory } = response.body;
    expect(memory).toMatchObject({ ...body, user_id: alice.user.id, summarized: false });

    const row = await lastEvent("memory.created", { resource_id: String(memory.id) });
    expect(row).toMatchObject({
      event_type: "memory.created",
      severity: "info",
      success: true,
      user_id: alice.user.id,
      username: "alice",
      resource_type: "memory",
      resource_id: String(memory.id),
      namespace: "work",
      action: "create",
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_method: "POST",
      request_path: "/memories",
      before_state: null,
      compliance_tags: expect.arrayContaining(["data_access"]),
    });
    expect(row.after_state).toMatchObject({ ...memory, content_length: memory.content.length, content_sha256: expect.stringMatching(/^[0-9a-f]{64}$/) });
    expect(row.session_id).toEqual(expect.any(String));
  });

  it("keeps only a 100-character preview of the content in the audit state", async () => {
    const content = `${"long ".repeat(100)}secret-tail`;
    const memory = await create(alice.token, { content });
    expect(memory.content).toBe(content);
    const row = await lastEvent("memory.created", { resource_id: String(memory.id) });
    expect(row.after_state.content).toBe(content.slice(0, 100));
    expect(row.after_state.content_length).toBe(content.length);
    expect(JSON.stringify(row)).not.toContain("secret-tail");
  });

  it("lets an admin create a memory for another user, recording authz.access.granted", async () => {
    const response = await api.post("/memories", { content: "Admin wrote this for Bob.", user_id: bob.user.id }, as(admin));
    expect(response.status).toBe(201);
    expect(response.body.memory.user_id).toBe(bob.user.id);
    const granted = await lastEvent("authz.access.granted", { resource_id: String(response.body.id) });
    expect(granted).toMatchObject({ username: "admin", resource_type: "memory", action: "create", metadata: { reason: "admin", owner_id: bob.user.id } });
    const created = await lastEvent("memory.created", { resource_id: String(response.body.id) });
    expect(created).toMatchObject({ username: "admin", after_state: { user_id: bob.user.id } });

    const missing = await api.post("/memories", { content: "x", user_id: "no-such-user" }, as(admin));
    expect(missing.status).toBe(404);
    expect(missing.body.error.code).toBe("not_found");
  });

  it("answers 403 when a user creates a memory for someone else", async () => {
    const response = await api.post("/memories", { content: "Not mine.", user_id: bob.user.id }, as(alice.token));
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual({ code: "forbidden", message: OWN_ONLY });
  });

  it("answers 403 to a readonly user and records authz.access.denied", async () => {
    const response = await api.post("/memories", { content: "Can I write?" }, as(reader.token));
    expect(response.status).toBe(403);
    expect(response.body.error.code).toBe("forbidden");
    const denied = await lastEvent("authz.access.denied", { user_id: reader.user.id });
    expect(denied).toMatchObject({
      severity: "warning",
      success: false,
      username: "reader",
      resource_type: "memory",
      status_code: 403,
      request_method: "POST",
      request_path: "/memories",
      ip_address: "127.0.0.1",
      user_agent: UA,
    });
    const list = await api.get("/memories", as(reader.token));
    expect(list.body).toEqual([]);
  });

  it.each([
    ["content missing", {}, "content"],
    ["content empty", { content: "" }, "content"],
    ["content blank", { content: "   " }, "content"],
    ["content too long", { content: "x".repeat(100_001) }, "content"],
    ["content not a string", { content: 42 }, "content"],
    ["content with NUL", { content: "a\u0000b" }, "content"],
    ["unknown tier", { content: "x", tier: "forever" }, "tier"],
    ["score above 100", { content: "x", score: 101 }, "score"],
    ["score below 0", { content: "x", score: -1 }, "score"],
    ["score not whole", { content: "x", score: 1.5 }, "score"],
    ["score as a string", { content: "x", score: "50" }, "score"],
    ["metadata an array", { content: "x", metadata: [1, 2] }, "metadata"],
    ["metadata a string", { content: "x", metadata: "topic" }, "metadata"],
    ["metadata with NUL", { content: "x", metadata: { note: ["a\u0000"] } }, "metadata"],
    ["thread_id too long", { content: "x", thread_id: "t".repeat(129) }, "thread_id"],
    ["namespace empty", { content: "x", namespace: "" }, "namespace"],
  ])("answers 422 for %s", async (_name, body, field) => {
    expectValidationError(await api.post("/memories", body, as(alice.token)), "body", field);
  });

  it("accepts content of exactly 100000 characters", async () => {
    const response = await api.post("/memories", { content: "y".repeat(100_000) }, as(bob.token));
    expect(response.status).toBe(201);
    expect(response.body.memory.content).toHaveLength(100_000);
    expect((await api.delete(`/memories/${response.body.id}`, as(bob.token))).status).toBe(204);
  });

  it("stores a lone surrogate (which UTF-8 cannot hold) as U+FFFD, in content, metadata and search", async () => {
    const response = await api.post("/memories", { content: "half \ud800 pair", metadata: { "k\udc00": ["v\ud800"], escaped: "\\u0000" } }, as(bob.token));
    expect(response.status).toBe(201);
    expect(response.body.memory).toMatchObject({ content: "half \ufffd pair", metadata: { "k\ufffd": ["v\ufffd"], escaped: "\\u0000" } });
    // The UTF-8 bytes of a lone surrogate, which a URL can carry.
    const search = await api.get("/memories/search?q=half%20%ED%A0%80", as(bob.token));
    expect(search.status).toBe(200);
    expect(search.body.map((m: any) => m.id)).toContain(response.body.id);
    expect((await api.delete(`/memories/${response.body.id}`, as(bob.token))).status).toBe(204);
  });

  it.skipIf(!process.env.DATABASE_URL)("checks the token and stores the memory and its audit row on the server's generic-plan pool (PostgreSQL)", async () => {
    const handle = await server.openDatabase();
    try {
      const writers = async () =>
        (await selectRows<{ n: number }>(handle.db, sql`select count(*)::int as n from pg_stat_activity where datname = current_database() and application_name = ${GENERIC_PLAN_POOL_NAME}`))[0]!.n;
      const before = await writers();
      const memory = await create(alice.token, { content: "written on the generic-plan pool" });
      expect((await lastEvent("memory.created", { resource_id: String(memory.id) })).user_id).toBe(alice.user.id);
      // The pool opens its connections when first used and keeps them.
      expect(await writers()).toBeGreaterThanOrEqual(Math.max(before, 1));
    } finally {
      await handle.close();
    }
  });

  it("answers 400 for malformed JSON", async () => {
    const response = await api.request("POST", "/memories", {
      ...as(alice.token),
      rawBody: "{not json",
      headers: { "content-type": "application/json" },
    });
    expect(response.status).toBe(400);
    expect(response.body.error.code).toBe("bad_request");
  });
});

describe("GET /memories", () => {
  let carol: { token: string; user: any };
  const ids: number[] = [];

  beforeAll(async () => {
    carol = await api.createUser("carol");
    for (const [i, extra] of [
      { thread_id: "a", namespace: "home" },
      { thread_id: "a", namespace: "work", tier: "long_term" },
      { thread_id: "b", namespace: "work" },
    ].entries()) {
      ids.push((await create(carol.token, { content: `Carol memory ${i}.`, ...extra })).id);
    }
  });

  it("lists the caller's memories, newest first, and records memory.retrieved with the count", async () => {
    const response = await api.get("/memories", as(carol.token));
    expect(response.status).toBe(200);
    expect(response.body.map((m: any) => m.id)).toEqual([...ids].reverse());
    expect(response.body.every((m: any) => m.user_id === carol.user.id)).toBe(true);
    expect(Object.keys(response.body[0]).sort()).toEqual(
      ["content", "created_at", "id", "metadata", "namespace", "score", "summarized", "thread_id", "tier", "updated_at", "user_id"],
    );
    const row = await lastEvent("memory.retrieved", { user_id: carol.user.id });
    expect(row).toMatchObject({
      username: "carol",
      resource_type: "memory",
      action: "list",
      request_method: "GET",
      request_path: "/memories",
      ip_address: "127.0.0.1",
      user_agent: UA,
      metadata: { count: 3, owner_id: carol.user.id },
    });
  });

  it.each([
    ["thread_id=a", [1, 0]],
    ["namespace=work", [2, 1]],
    ["tier=long_term", [1]],
    ["thread_id=a&namespace=home", [0]],
    ["top_k=1", [2]],
    ["thread_id=zzz", []],
    ["unknown=1&top_k=2", [2, 1]],
  ])("filters by %s", async (query, expected) => {
    const response = await api.get(`/memories?${query}`, as(carol.token));
    expect(response.status).toBe(200);
    expect(response.body.map((m: any) => m.id)).toEqual(expected.map((i) => ids[i]));
  });

  it("answers 403 with the exact message for another user's memories", async () => {
    const response = await api.get(`/memories?user_id=${carol.user.id}`, as(bob.token));
    expect(response.status).toBe(403);
    expect(response.body.error).toEqual({ code: "forbidden", message: OWN_ONLY });
    const denied = await lastEvent("authz.access.denied", { user_id: bob.user.id });
    expect(denied).toMatchObject({ resource_type: "memory", error_message: OWN_ONLY, request_params: { user_id: carol.user.id } });
  });

  it("lets the caller name themselves, and an admin anyone (recording authz.access.granted)", async () => {
    const own = await api.get(`/memories?user_id=${carol.user.id}`, as(carol.token));
    expect(own.body).toHaveLength(3);
    const response = await api.get(`/memories?user_id=${carol.user.id}`, as(admin));
    expect(response.status).toBe(200);
    expect(response.body.map((m: any) => m.id)).toEqual([...ids].reverse());
    const granted = await lastEvent("authz.access.granted", { user_id: adminId, resource_type: "memory" });
    expect(granted).toMatchObject({ action: "list", metadata: { reason: "admin", owner_id: carol.user.id } });
  });

  it("lets a readonly user read their own memories", async () => {
    const response = await api.get("/memories", as(reader.token));
    expect(response.status).toBe(200);
    expect(response.body).toEqual([]);
  });

  it.each([["top_k=0"], ["top_k=101"], ["top_k=abc"], ["top_k=1.5"], ["top_k="]])("answers 422 for %s", async (query) => {
    expectValidationError(await api.get(`/memories?${query}`, as(carol.token)), "query", "top_k");
  });

  it("answers 422 for an unknown tier", async () => {
    expectValidationError(await api.get("/memories?tier=eternal", as(carol.token)), "query", "tier");
  });
});

describe("GET /memories/search", () => {
  let dana: { token: string; user: any };
  let foxes: any;
  let quick: any;
  let pasta: any;

  beforeAll(async () => {
    dana = await api.createUser("dana");
    quick = await create(dana.token, { content: "The quick brown fox jumps over the lazy dog.", thread_id: "animals" });
    foxes = await create(dana.token, { content: "Foxes: a fox report. The fox den had three fox cubs.", thread_id: "animals" });
    pasta = await create(dana.token, { content: "Cooking pasta with tomatoes and basil.", thread_id: "food" });
    await create(alice.token, { content: "Alice also writes about a fox." });
  });

  it("ranks the most relevant memories first and leaves out non-matches and other users", async () => {
    const response = await api.get("/memories/search?q=fox", as(dana.token));
    expect(response.status).toBe(200);
    expect(response.body.map((m: any) => m.id)).toEqual([foxes.id, quick.id]);
    expect(response.body[0]).toEqual(foxes);
  });

  it("matches stems and web-search syntax", async () => {
    expect((await api.get("/memories/search?q=cooked%20tomato", as(dana.token))).body.map((m: any) => m.id)).toEqual([pasta.id]);
    expect((await api.get(`/memories/search?q=${encodeURIComponent('"brown fox"')}`, as(dana.token))).body.map((m: any) => m.id)).toEqual([quick.id]);
    expect((await api.get("/memories/search?q=fox%20-quick", as(dana.token))).body.map((m: any) => m.id)).toEqual([foxes.id]);
    expect((await api.get("/memories/search?q=the", as(dana.token))).body).toEqual([]);
  });

  it("filters by thread_id and limits to top_k", async () => {
    expect((await api.get("/memories/search?q=fox&thread_id=food", as(dana.token))).body).toEqual([]);
    expect((await api.get("/memories/search?q=fox&top_k=1", as(dana.token))).body.map((m: any) => m.id)).toEqual([foxes.id]);
  });

  it("records memory.searched with the query and the result count", async () => {
    await api.get("/memories/search?q=fox%20cubs", as(dana.token));
    const row = await lastEvent("memory.searched", { user_id: dana.user.id });
    expect(row).toMatchObject({
      username: "dana",
      resource_type: "memory",
      action: "search",
      success: true,
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_path: "/memories/search",
      metadata: { query: "fox cubs", result_count: 1 },
    });
  });

  it("searches another user's memories only for an admin", async () => {
    const denied = await api.get(`/memories/search?q=fox&user_id=${dana.user.id}`, as(alice.token));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(OWN_ONLY);
    const allowed = await api.get(`/memories/search?q=fox&user_id=${dana.user.id}`, as(admin));
    expect(allowed.body.map((m: any) => m.id)).toEqual([foxes.id, quick.id]);
  });

  it.each([
    ["no q", "", "q"],
    ["empty q", "q=", "q"],
    ["q too long", `q=${"a".repeat(1001)}`, "q"],
    ["top_k too large", "q=fox&top_k=500", "top_k"],
  ])("answers 422 for %s", async (_name, query, field) => {
    expectValidationError(await api.get(`/memories/search?${query}`, as(dana.token)), "query", field);
  });
});

describe("GET, PATCH, DELETE /memories/{id}", () => {
  it("reads one memory and records memory.retrieved with its id", async () => {
    const memory = await create(alice.token, { content: "Read me.", metadata: { topic: "x" } });
    const response = await api.get(`/memories/${memory.id}`, as(alice.token));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(memory);
    const row = await lastEvent("memory.retrieved", { resource_id: String(memory.id) });
    expect(row).toMatchObject({ user_id: alice.user.id, username: "alice", resource_type: "memory", action: "read", request_path: `/memories/${memory.id}` });
  });

  it("answers 404 for a missing memory, for users and admins alike", async () => {
    for (const token of [alice.token, admin]) {
      const response = await api.get("/memories/999999", as(token));
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("not_found");
    }
    expect((await api.patch("/memories/999999", { score: 1 }, as(alice.token))).status).toBe(404);
    expect((await api.delete("/memories/999999", as(alice.token))).status).toBe(404);
  });

  it("answers 403 for another user's memory and records authz.access.denied naming it", async () => {
    const memory = await create(alice.token, { content: "Alice only." });
    for (const response of [
      await api.get(`/memories/${memory.id}`, as(bob.token)),
      await api.patch(`/memories/${memory.id}`, { score: 1 }, as(bob.token)),
      await api.delete(`/memories/${memory.id}`, as(bob.token)),
      await api.get(`/memories/${memory.id}`, as(reader.token)),
    ]) {
      expect(response.status).toBe(403);
      expect(response.body.error).toEqual({ code: "forbidden", message: OWN_ONLY });
    }
    const denied = await api.auditLogs(admin, { event_type: "authz.access.denied", resource_id: String(memory.id) });
    expect(denied.map((r: any) => r.request_method)).toEqual(["GET", "DELETE", "PATCH", "GET"]);
    expect(denied[0]).toMatchObject({ resource_type: "memory", username: "reader", success: false, status_code: 403 });
    expect((await api.get(`/memories/${memory.id}`, as(alice.token))).body.score).toBe(50);
  });

  it("lets an admin read, edit and delete another user's memory, recording authz.access.granted", async () => {
    const memory = await create(alice.token, { content: "Admin may see this." });
    expect((await api.get(`/memories/${memory.id}`, as(admin))).status).toBe(200);
    expect((await api.patch(`/memories/${memory.id}`, { score: 99 }, as(admin))).body.score).toBe(99);
    expect((await api.delete(`/memories/${memory.id}`, as(admin))).status).toBe(204);
    const granted = await api.auditLogs(admin, { event_type: "authz.access.granted", resource_id: String(memory.id) });
    expect(granted.map((r: any) => r.action)).toEqual(["delete", "update", "read"]);
    expect(granted[0]).toMatchObject({ username: "admin", resource_type: "memory", metadata: { reason: "admin", owner_id: alice.user.id } });
  });

  it("PATCH changes the given fields, keeps the rest, and records memory.updated with both states", async () => {
    const memory = await create(alice.token, { content: "Before.", thread_id: "t", namespace: "ns", metadata: { a: 1 } });
    const response = await api.patch(
      `/memories/${memory.id}`,
      { content: "After.", tier: "long_term", score: 10, metadata: { b: 2 }, thread_id: null },
      as(alice.token),
    );
    expect(response.status).toBe(200);
    expect(response.body).toEqual({
      ...memory,
      content: "After.",
      tier: "long_term",
      score: 10,
      metadata: { b: 2 },
      thread_id: null,
      updated_at: expect.stringMatching(ISO),
    });
    expect(response.body.updated_at >= memory.updated_at).toBe(true);
    expect((await api.get(`/memories/${memory.id}`, as(alice.token))).body).toEqual(response.body);

    const row = await lastEvent("memory.updated", { resource_id: String(memory.id) });
    expect(row).toMatchObject({
      user_id: alice.user.id,
      username: "alice",
      resource_type: "memory",
      action: "update",
      namespace: "ns",
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_method: "PATCH",
      success: true,
      before_state: { content: "Before.", tier: "short_term", score: 50, metadata: { a: 1 }, thread_id: "t" },
      after_state: { content: "After.", tier: "long_term", score: 10, metadata: { b: 2 }, thread_id: null },
    });
    expect(row.metadata.fields.sort()).toEqual(["content", "metadata", "score", "thread_id", "tier"]);
  });

  it.each([
    ["an empty body", {}, "(root)"],
    ["an unknown tier", { tier: "x" }, "tier"],
    ["metadata as an array", { metadata: [] }, "metadata"],
    ["empty content", { content: "" }, "content"],
    ["a score of 1000", { score: 1000 }, "score"],
  ])("PATCH answers 422 for %s", async (_name, body, field) => {
    const memory = await create(alice.token, { content: "Patch target." });
    expectValidationError(await api.patch(`/memories/${memory.id}`, body, as(alice.token)), "body", field);
  });

  it("PATCH and DELETE answer 403 to a readonly user, even on their own memory", async () => {
    const memory = await create(admin, { content: "Reader's memory.", user_id: reader.user.id });
    expect((await api.get(`/memories/${memory.id}`, as(reader.token))).status).toBe(200);
    const patched = await api.patch(`/memories/${memory.id}`, { score: 1 }, as(reader.token));
    expect(patched.status).toBe(403);
    expect(patched.body.error.message).toBe("Read-only users cannot modify memories");
    const deleted = await api.delete(`/memories/${memory.id}`, as(reader.token));
    expect(deleted.status).toBe(403);
    expect(deleted.body.error.message).toBe("Read-only users cannot delete memories");
  });

  it("DELETE answers 204 with no body, records memory.deleted with the last state, then 404", async () => {
    const memory = await create(alice.token, { content: "Delete me.", namespace: "tmp" });
    const response = await api.delete(`/memories/${memory.id}`, as(alice.token));
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect((await api.get(`/memories/${memory.id}`, as(alice.token))).status).toBe(404);
    expect((await api.delete(`/memories/${memory.id}`, as(alice.token))).status).toBe(404);
    const row = await lastEvent("memory.deleted", { resource_id: String(memory.id) });
    expect(row).toMatchObject({
      user_id: alice.user.id,
      username: "alice",
      resource_type: "memory",
      action: "delete",
      namespace: "tmp",
      request_method: "DELETE",
      ip_address: "127.0.0.1",
      user_agent: UA,
      success: true,
      before_state: { ...memory, content_length: memory.content.length },
      after_state: null,
    });
  });

  it.each([["abc"], ["0"], ["-1"], ["1.5"], ["1e3"], ["9007199254740993"], ["99999999999999999999999"]])(
    "answers 422 (not 500) for the id %s",
    async (id) => {
      for (const response of [
        await api.get(`/memories/${id}`, as(alice.token)),
        await api.patch(`/memories/${id}`, { score: 1 }, as(alice.token)),
        await api.delete(`/memories/${id}`, as(alice.token)),
      ]) {
        expectValidationError(response, "path", "id");
      }
    },
  );
});

describe("methods, credentials", () => {
  it.each([
    ["PUT", "/memories", "GET, POST"],
    ["DELETE", "/memories", "GET, POST"],
    ["POST", "/memories/search", "GET"],
    ["POST", "/memories/1", "GET, PATCH, DELETE"],
    ["PUT", "/memories/1", "GET, PATCH, DELETE"],
  ])("%s %s answers 405 in JSON", async (method, path, allow) => {
    const response = await api.request(method, path, { token: alice.token });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(response.body.error.code).toBe("method_not_allowed");
  });

  it.each([
    ["GET", "/memories"],
    ["POST", "/memories"],
    ["GET", "/memories/search?q=x"],
    ["GET", "/memories/1"],
    ["PATCH", "/memories/1"],
    ["DELETE", "/memories/1"],
  ])("%s %s answers 401 without a token", async (method, path) => {
    const response = await api.request(method, path, { body: method === "POST" || method === "PATCH" ? { content: "x" } : undefined });
    expect(response.status).toBe(401);
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    expect(response.body.error.code).toBe("unauthorized");
  });
});
