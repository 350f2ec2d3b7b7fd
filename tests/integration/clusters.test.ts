// /clusters over HTTP against the built server: rebuild, read, edit, delete, permissions,
// validation, and the audit rows each action writes.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { apiFor, type Api } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

const ISO = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;
const UA = "memoric-clusters-test/1.0";
const OWN_ONLY = "Can only access your own clusters";

let server: TestServer;
let api: Api;
let admin: string;
let adminId: string;
let erin: { token: string; user: any };
let frank: { token: string; user: any };
let reader: { token: string; user: any };
const mem: Record<string, any> = {};

const as = (token: string) => ({ token, headers: { "user-agent": UA } });

async function create(token: string, body: Record<string, unknown>) {
  const response = await api.post("/memories", body, as(token));
  if (response.status !== 201) throw new Error(`create memory: ${response.status} ${response.text}`);
  return response.body.memory;
}

async function rebuild(token: string, body: Record<string, unknown> = {}) {
  const response = await api.post("/clusters/rebuild", body, as(token));
  expect(response.status, response.text).toBe(200);
  return response.body;
}

const byTopic = (clusters: any[], topic: string, category = "general") => clusters.find((c) => c.topic === topic && c.category === category);

function expectValidationError(response: { status: number; body: any }, location: string, field: string) {
  expect(response.status).toBe(422);
  expect(response.body.error.code).toBe("validation_failed");
  expect(response.body.error.details).toEqual(expect.arrayContaining([expect.objectContaining({ location, field })]));
}

beforeAll(async () => {
  server = await startTestServer();
  api = apiFor(server);
  admin = await api.adminToken();
  adminId = (await api.get("/auth/me", { token: admin })).body.id;
  erin = await api.createUser("erin");
  frank = await api.createUser("frank");
  reader = await api.createUser("reader", ["readonly"]);
  mem.flight = await create(erin.token, { content: "Flight to Lisbon on May 3. Booked with miles.", metadata: { topic: "Travel", category: "Plans" } });
  mem.hotel = await create(erin.token, { content: "Hotel near the river. Three nights.", metadata: { topic: "travel", category: "plans" } });
  mem.visa = await create(erin.token, { content: "Passports need six months of validity.", metadata: { topic: "TRAVEL" } });
  mem.misc = await create(erin.token, { content: "Buy milk." });
});

afterAll(async () => {
  await server?.dispose();
});

describe("POST /clusters/rebuild", () => {
  let first: any;

  it("groups the caller's memories by lower-cased topic and category (default general)", async () => {
    first = await rebuild(erin.token);
    expect(first).toEqual({ created: 3, updated: 0, deleted: 0, clusters: expect.any(Array) });
    expect(first.clusters.map((c: any) => [c.topic, c.category, c.memory_ids])).toEqual([
      ["general", "general", [mem.misc.id]],
      ["travel", "general", [mem.visa.id]],
      ["travel", "plans", [mem.flight.id, mem.hotel.id]],
    ]);
    expect(byTopic(first.clusters, "travel", "plans")).toEqual({
      cluster_id: expect.stringMatching(/^c_[0-9a-f]{32}$/),
      user_id: erin.user.id,
      topic: "travel",
      category: "plans",
      memory_ids: [mem.flight.id, mem.hotel.id],
      memory_count: 2,
      // The first sentence of each member, newest first.
      summary: "Hotel near the river. Flight to Lisbon on May 3.",
      created_at: expect.stringMatching(ISO),
      last_built_at: expect.stringMatching(ISO),
    });
  });

  it("records cluster.created for each new cluster", async () => {
    const rows = await api.auditLogs(admin, { event_type: "cluster.created", user_id: erin.user.id });
    expect(rows).toHaveLength(3);
    const plans = byTopic(first.clusters, "travel", "plans");
    const row = rows.find((r: any) => r.resource_id === plans.cluster_id);
    expect(row).toMatchObject({
      severity: "info",
      success: true,
      username: "erin",
      resource_type: "cluster",
      action: "rebuild",
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_method: "POST",
      request_path: "/clusters/rebuild",
      before_state: null,
      after_state: plans,
      compliance_tags: expect.arrayContaining(["data_access"]),
    });
  });

  it("changes nothing when nothing changed", async () => {
    const again = await rebuild(erin.token);
    expect(again).toEqual({ created: 0, updated: 0, deleted: 0, clusters: first.clusters });
  });

  it("updates a cluster that gained a memory and deletes one that lost all, with their audit rows", async () => {
    mem.museum = await create(erin.token, { content: "Museum tickets for Sunday.", metadata: { topic: "travel", category: "plans" } });
    expect((await api.delete(`/memories/${mem.misc.id}`, as(erin.token))).status).toBe(204);
    const result = await rebuild(erin.token);
    expect(result).toMatchObject({ created: 0, updated: 1, deleted: 1 });
    expect(result.clusters.map((c: any) => c.topic + "/" + c.category)).toEqual(["travel/general", "travel/plans"]);
    const plans = byTopic(result.clusters, "travel", "plans");
    expect(plans).toMatchObject({
      memory_ids: [mem.flight.id, mem.hotel.id, mem.museum.id],
      memory_count: 3,
      summary: "Museum tickets for Sunday. Hotel near the river. Flight to Lisbon on May 3.",
    });
    expect(plans.created_at).toBe(byTopic(first.clusters, "travel", "plans").created_at);

    const [updated] = await api.auditLogs(admin, { event_type: "cluster.updated", resource_id: plans.cluster_id });
    expect(updated).toMatchObject({ username: "erin", action: "rebuild", before_state: { memory_count: 2 }, after_state: { memory_count: 3 } });
    const general = byTopic(first.clusters, "general");
    const [deleted] = await api.auditLogs(admin, { event_type: "cluster.deleted", resource_id: general.cluster_id });
    expect(deleted).toMatchObject({ username: "erin", action: "rebuild", before_state: general, after_state: null });
  });

  it("answers 403 to a readonly user and for another user's clusters", async () => {
    const readonly = await api.post("/clusters/rebuild", {}, as(reader.token));
    expect(readonly.status).toBe(403);
    expect(readonly.body.error.message).toBe("Read-only users cannot rebuild clusters");
    const other = await api.post("/clusters/rebuild", { user_id: erin.user.id }, as(frank.token));
    expect(other.status).toBe(403);
    expect(other.body.error).toEqual({ code: "forbidden", message: OWN_ONLY });
    const [denied] = await api.auditLogs(admin, { event_type: "authz.access.denied", user_id: frank.user.id });
    expect(denied).toMatchObject({ resource_type: "cluster", request_path: "/clusters/rebuild", error_message: OWN_ONLY });
  });

  it("lets an admin rebuild another user's clusters, recording authz.access.granted", async () => {
    const result = await rebuild(admin, { user_id: erin.user.id });
    expect(result).toMatchObject({ created: 0, updated: 0, deleted: 0 });
    expect(result.clusters).toHaveLength(2);
    const [granted] = await api.auditLogs(admin, { event_type: "authz.access.granted", user_id: adminId, resource_type: "cluster" });
    expect(granted).toMatchObject({ action: "rebuild", metadata: { reason: "admin", owner_id: erin.user.id } });
    expect((await api.post("/clusters/rebuild", { user_id: "nobody" }, as(admin))).status).toBe(404);
  });

  it("answers 422 for a bad user_id", async () => {
    expectValidationError(await api.post("/clusters/rebuild", { user_id: 5 }, as(erin.token)), "body", "user_id");
    expectValidationError(await api.post("/clusters/rebuild", { user_id: "" }, as(erin.token)), "body", "user_id");
  });
});

describe("GET /clusters", () => {
  it("lists the caller's clusters and records cluster.retrieved with the count", async () => {
    const response = await api.get("/clusters", as(erin.token));
    expect(response.status).toBe(200);
    expect(response.body.map((c: any) => `${c.topic}/${c.category}`)).toEqual(["travel/general", "travel/plans"]);
    const [row] = await api.auditLogs(admin, { event_type: "cluster.retrieved", user_id: erin.user.id });
    expect(row).toMatchObject({
      username: "erin",
      resource_type: "cluster",
      action: "list",
      ip_address: "127.0.0.1",
      user_agent: UA,
      request_path: "/clusters",
      metadata: { count: 2, owner_id: erin.user.id },
    });
  });

  it("filters by topic (case-insensitively) and limits", async () => {
    expect((await api.get("/clusters?topic=TRAVEL", as(erin.token))).body).toHaveLength(2);
    expect((await api.get("/clusters?topic=food", as(erin.token))).body).toEqual([]);
    expect((await api.get("/clusters?limit=1&other=ignored", as(erin.token))).body.map((c: any) => c.category)).toEqual(["general"]);
  });

  it("lets a readonly user read their own, and only an admin another user's", async () => {
    expect((await api.get("/clusters", as(reader.token))).body).toEqual([]);
    const denied = await api.get(`/clusters?user_id=${erin.user.id}`, as(frank.token));
    expect(denied.status).toBe(403);
    expect(denied.body.error.message).toBe(OWN_ONLY);
    const allowed = await api.get(`/clusters?user_id=${erin.user.id}`, as(admin));
    expect(allowed.body).toHaveLength(2);
  });

  it.each([["limit=0"], ["limit=201"], ["limit=x"]])("answers 422 for %s", async (query) => {
    expectValidationError(await api.get(`/clusters?${query}`, as(erin.token)), "query", "limit");
  });
});

describe("GET, PATCH, DELETE /clusters/{id}", () => {
  let cluster: any;

  beforeAll(async () => {
    cluster = byTopic((await api.get("/clusters", as(erin.token))).body, "travel", "plans");
  });

  it("reads one cluster and records cluster.retrieved with its id", async () => {
    const response = await api.get(`/clusters/${cluster.cluster_id}`, as(erin.token));
    expect(response.status).toBe(200);
    expect(response.body).toEqual(cluster);
    const [row] = await api.auditLogs(admin, { event_type: "cluster.retrieved", resource_id: cluster.cluster_id });
    expect(row).toMatchObject({ user_id: erin.user.id, resource_type: "cluster", action: "read" });
  });

  it("answers 404 for a missing cluster and 422 for an over-long id", async () => {
    for (const token of [erin.token, admin]) {
      const response = await api.get("/clusters/c_missing", as(token));
      expect(response.status).toBe(404);
      expect(response.body.error.code).toBe("not_found");
    }
    expect((await api.patch("/clusters/c_missing", { summary: "x" }, as(admin))).status).toBe(404);
    expect((await api.delete("/clusters/c_missing", as(admin))).status).toBe(404);
    expectValidationError(await api.get(`/clusters/${"c".repeat(129)}`, as(erin.token)), "path", "id");
  });

  it("answers 403 for another user's cluster; an admin may read it (authz.access.granted)", async () => {
    const denied = await api.get(`/clusters/${cluster.cluster_id}`, as(frank.token));
    expect(denied.status).toBe(403);
    expect(denied.body.error).toEqual({ code: "forbidden", message: OWN_ONLY });
    const [deniedRow] = await api.auditLogs(admin, { event_type: "authz.access.denied", resource_id: cluster.cluster_id });
    expect(deniedRow).toMatchObject({ username: "frank", resource_type: "cluster", success: false });
    expect((await api.get(`/clusters/${cluster.cluster_id}`, as(admin))).status).toBe(200);
    const [granted] = await api.auditLogs(admin, { event_type: "authz.access.granted", resource_id: cluster.cluster_id });
    expect(granted).toMatchObject({ username: "admin", action: "read", metadata: { reason: "admin", owner_id: erin.user.id } });
  });

  it("PATCH and DELETE are for admins: 403 to the owner", async () => {
    const patched = await api.patch(`/clusters/${cluster.cluster_id}`, { summary: "Mine" }, as(erin.token));
    expect(patched.status).toBe(403);
    expect(patched.body.error.message).toBe("Admin access required");
    expect((await api.delete(`/clusters/${cluster.cluster_id}`, as(erin.token))).status).toBe(403);
    expect((await api.get(`/clusters/${cluster.cluster_id}`, as(erin.token))).body).toEqual(cluster);
  });

  it("PATCH sets the summary, records cluster.updated, and the summary stays until the members change", async () => {
    const response = await api.patch(`/clusters/${cluster.cluster_id}`, { summary: "Lisbon trip in May." }, as(admin));
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ ...cluster, summary: "Lisbon trip in May." });
    const [row] = await api.auditLogs(admin, { event_type: "cluster.updated", resource_id: cluster.cluster_id });
    expect(row).toMatchObject({
      username: "admin",
      action: "update",
      resource_type: "cluster",
      request_method: "PATCH",
      before_state: { summary: cluster.summary },
      after_state: { summary: "Lisbon trip in May." },
    });

    expect(byTopic((await rebuild(erin.token)).clusters, "travel", "plans").summary).toBe("Lisbon trip in May.");
    const edited = await api.patch(`/memories/${mem.hotel.id}`, { content: "Hotel by the sea. Two nights." }, as(erin.token));
    expect(edited.status).toBe(200);
    const result = await rebuild(erin.token);
    expect(result).toMatchObject({ created: 0, updated: 1, deleted: 0 });
    expect(byTopic(result.clusters, "travel", "plans").summary).toBe("Museum tickets for Sunday. Hotel by the sea. Flight to Lisbon on May 3.");
  });

  it.each([
    ["an empty body", {}, "summary"],
    ["a number", { summary: 5 }, "summary"],
    ["an over-long summary", { summary: "s".repeat(2001) }, "summary"],
  ])("PATCH answers 422 for %s", async (_name, body, field) => {
    expectValidationError(await api.patch(`/clusters/${cluster.cluster_id}`, body, as(admin)), "body", field);
  });

  it("DELETE answers 204, records cluster.deleted, and a rebuild brings the cluster back", async () => {
    const response = await api.delete(`/clusters/${cluster.cluster_id}`, as(admin));
    expect(response.status).toBe(204);
    expect(response.text).toBe("");
    expect((await api.get(`/clusters/${cluster.cluster_id}`, as(erin.token))).status).toBe(404);
    const [row] = await api.auditLogs(admin, { event_type: "cluster.deleted", resource_id: cluster.cluster_id });
    expect(row).toMatchObject({ username: "admin", action: "delete", request_method: "DELETE", before_state: { cluster_id: cluster.cluster_id } });
    const result = await rebuild(erin.token);
    expect(result).toMatchObject({ created: 1, updated: 0, deleted: 0 });
    expect(byTopic(result.clusters, "travel", "plans").cluster_id).toBe(cluster.cluster_id);
  });
});

describe("methods, credentials", () => {
  it.each([
    ["POST", "/clusters", "GET"],
    ["GET", "/clusters/rebuild", "POST"],
    ["DELETE", "/clusters/rebuild", "POST"],
    ["POST", "/clusters/c_x", "GET, PATCH, DELETE"],
    ["PUT", "/clusters/c_x", "GET, PATCH, DELETE"],
  ])("%s %s answers 405 in JSON", async (method, path, allow) => {
    const response = await api.request(method, path, { token: erin.token });
    expect(response.status).toBe(405);
    expect(response.headers.get("allow")).toBe(allow);
    expect(response.body.error.code).toBe("method_not_allowed");
  });

  it.each([
    ["GET", "/clusters"],
    ["POST", "/clusters/rebuild"],
    ["GET", "/clusters/c_x"],
    ["PATCH", "/clusters/c_x"],
    ["DELETE", "/clusters/c_x"],
  ])("%s %s answers 401 without a token", async (method, path) => {
    const response = await api.request(method, path, {});
    expect(response.status).toBe(401);
    expect(response.body.error.code).toBe("unauthorized");
  });
});
