// The ingest API over HTTP: admin-issued API keys and POST /audit/events (one event, a JSON batch,
// NDJSON), all-or-nothing validation, Idempotency-Key, and where keys are refused.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Api, ApiResponse } from "../support/api";
import { apiFor } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

let server: TestServer;
let api: Api;
let admin: string;
/** A key with events:write, issued in beforeAll. */
let key: { id: string; key: string; prefix: string; name: string };
const secrets: string[] = [];

beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
  api = apiFor(server);
  admin = await api.adminToken();
  key = await issueKey("billing-service");
});

afterAll(async () => {
  await server?.dispose();
});

async function issueKey(name: string, scopes?: string[]) {
  const response = await api.post("/audit/api-keys", scopes ? { name, scopes } : { name }, { token: admin });
  if (response.status !== 201) throw new Error(`issue key: ${response.status} ${response.text}`);
  secrets.push(response.body.key);
  return response.body;
}

const sendEvents = (token: string, body: unknown, headers: Record<string, string> = {}) =>
  api.post("/audit/events", body, { token, headers });

const sendNdjson = (token: string, lines: string, headers: Record<string, string> = {}) =>
  api.request("POST", "/audit/events", { token, rawBody: lines, headers: { "content-type": "application/x-ndjson", ...headers } });

const count = async (filters: Record<string, string>) => (await api.auditLogs(admin, filters)).length;

function expectJsonError(response: ApiResponse, status: number, code: string) {
  expect(response.status).toBe(status);
  expect(response.headers.get("content-type")).toMatch(/^application\/json/);
  expect(response.body.error.code).toBe(code);
  expect(typeof response.body.error.message).toBe("string");
}

const recent = (secondsAgo: number) => new Date(Date.now() - secondsAgo * 1000).toISOString();

describe("/audit/api-keys", () => {
  it("issues a key whose secret is shown once, with a prefix, default scope and an audit row", async () => {
    const response = await api.post("/audit/api-keys", { name: "crm" }, { token: admin });
    expect(response.status).toBe(201);
    secrets.push(response.body.key);
    expect(response.body).toEqual({
      id: expect.stringMatching(/^[0-9a-f-]{36}$/),
      name: "crm",
      prefix: response.body.key.slice(0, 10),
      scopes: ["events:write"],
      created_by: expect.any(String),
      created_at: expect.stringMatching(/Z$/),
      last_used_at: null,
      revoked_at: null,
      key: expect.stringMatching(/^mk_[A-Za-z0-9_-]{43}$/),
    });

    const listing = await api.get("/audit/api-keys", { token: admin });
    expect(listing.status).toBe(200);
    const listed = listing.body.api_keys.find((k: any) => k.id === response.body.id);
    expect(listed).toEqual({ ...response.body, key: undefined });
    expect(listed).not.toHaveProperty("key");
    expect(listing.text).not.toContain(response.body.key);
    expect(listing.body.total).toBe(listing.body.api_keys.length);

    const one = await api.get(`/audit/api-keys/${response.body.id}`, { token: admin });
    expect(one.status).toBe(200);
    expect(one.body).toEqual(listed);

    const [event] = await api.auditLogs(admin, { event_type: "auth.token.created", resource_id: response.body.id });
    expect(event).toMatchObject({
      resource_type: "api_key",
      action: "issue",
      username: "admin",
      success: true,
      metadata: { name: "crm", scopes: ["events:write"], prefix: response.body.prefix },
    });
    expect(JSON.stringify(event)).not.toContain(response.body.key);
  });

  it.each([
    ["an empty name", { name: "" }, "name"],
    ["a blank name", { name: "   " }, "name"],
    ["a name over 100 characters", { name: "n".repeat(101) }, "name"],
    ["an unknown scope", { name: "x", scopes: ["events:read"] }, "scopes.0"],
    ["no scopes", { name: "x", scopes: [] }, "scopes"],
    ["a missing name", {}, "name"],
  ])("refuses %s with 422", async (_label, body, field) => {
    const response = await api.post("/audit/api-keys", body, { token: admin });
    expectJsonError(response, 422, "validation_failed");
    expect(response.body.error.details.map((d: any) => d.field)).toContain(field);
  });

  it("answers 404 for an unknown key and 422 for an id that is not one", async () => {
    expectJsonError(await api.get("/audit/api-keys/00000000-0000-4000-8000-000000000000", { token: admin }), 404, "not_found");
    expectJsonError(await api.delete("/audit/api-keys/00000000-0000-4000-8000-000000000000", { token: admin }), 404, "not_found");
    expectJsonError(await api.delete("/audit/api-keys/not-a-key", { token: admin }), 422, "validation_failed");
  });

  it("is for admins only", async () => {
    const user = await api.createUser("keys_user");
    expectJsonError(await api.get("/audit/api-keys", { token: user.token }), 403, "forbidden");
    expectJsonError(await api.post("/audit/api-keys", { name: "mine" }, { token: user.token }), 403, "forbidden");
    expectJsonError(await api.delete(`/audit/api-keys/${key.id}`, { token: user.token }), 403, "forbidden");
    expectJsonError(await api.get("/audit/api-keys"), 401, "unauthorized");
    expectJsonError(await api.post("/audit/api-keys", { name: "anon" }), 401, "unauthorized");
  });
});

describe("POST /audit/events", () => {
  const fullEvent = (resourceId: string) => ({
    event_type: "custom.billing.invoice_paid",
    severity: "warning",
    success: true,
    description: "Invoice paid by card",
    user_id: "cust-42",
    username: "alice",
    session_id: "sess-9",
    ip_address: "203.0.113.7",
    user_agent: "billing/2.1",
    resource_type: "invoice",
    resource_id: resourceId,
    namespace: "billing",
    action: "pay",
    error_message: null,
    request_method: "POST",
    request_path: "/invoices/1/pay",
    status_code: 200,
    before_state: { status: "open", amount: 1200 },
    after_state: { status: "paid", amount: 1200, lines: [{ sku: "A", qty: 2 }] },
    request_params: { method: "card" },
    metadata: { attempt: 1, gateway: "acme" },
    tags: ["billing", "payments"],
    compliance_tags: ["pci"],
    timestamp: recent(60),
  });

  it("stores one event with every column as sent, its provenance, and the leaf hash it answered", async () => {
    const sent = fullEvent("inv-1");
    const response = await sendEvents(key.key, sent);
    expect(response.status).toBe(201);
    expect(response.headers.get("content-type")).toMatch(/^application\/json/);
    expect(response.body).toEqual({ events: [{ id: expect.any(Number), leaf_hash: expect.stringMatching(/^[0-9a-f]{64}$/) }] });
    const [{ id, leaf_hash }] = response.body.events;

    const [stored] = await api.auditLogs(admin, { event_type: "custom.billing.invoice_paid", resource_id: "inv-1" });
    expect(stored).toMatchObject({ ...sent, id, leaf_hash, retention_policy: "standard" });
    for (const column of ["before_state", "after_state", "request_params", "tags", "compliance_tags"] as const) {
      expect(stored[column]).toEqual(sent[column]);
    }
    expect(stored.metadata).toEqual({
      ...sent.metadata,
      source: { type: "api_key", api_key_id: key.id, api_key_name: key.name, ip_address: "127.0.0.1" },
    });

    const one = await api.get(`/audit/logs/${id}`, { token: admin });
    expect(one.status).toBe(200);
    expect(one.body.leaf_hash).toBe(leaf_hash);
    expect(one.body.integrity).toMatchObject({ leaf_hash, leaf_hash_valid: true });
  });

  it("fills defaults from the catalog for a minimal event and records when the key was used", async () => {
    const before = Date.now();
    const response = await sendEvents(key.key, { event_type: "auth.login.success", resource_id: "minimal-1" });
    expect(response.status).toBe(201);
    const [stored] = await api.auditLogs(admin, { event_type: "auth.login.success", resource_id: "minimal-1" });
    expect(stored).toMatchObject({
      severity: "info",
      success: true,
      description: "Successful login",
      compliance_tags: ["auth", "security"],
      user_id: null,
    });
    expect(Date.parse(stored.timestamp)).toBeGreaterThanOrEqual(before - 1000);
    const listed = await api.get(`/audit/api-keys/${key.id}`, { token: admin });
    expect(listed.body.last_used_at).not.toBeNull();
  });

  it("stores a JSON array batch in one go and answers ids in input order", async () => {
    const batch = ["batch-a", "batch-b", "batch-c"].map((id, i) => ({
      event_type: "custom.billing.batch_item",
      resource_id: id,
      metadata: { position: i },
    }));
    const response = await sendEvents(key.key, batch);
    expect(response.status).toBe(201);
    expect(response.body.events).toHaveLength(3);
    const ids = response.body.events.map((e: any) => e.id);
    expect([...ids].sort((a, b) => a - b)).toEqual(ids);
    for (const [i, sent] of batch.entries()) {
      const [stored] = await api.auditLogs(admin, { event_type: "custom.billing.batch_item", resource_id: sent.resource_id });
      expect(stored.id).toBe(ids[i]);
      expect(stored.leaf_hash).toBe(response.body.events[i].leaf_hash);
      expect(stored.metadata.position).toBe(i);
    }
  });

  it("accepts NDJSON, one event a line, blank lines ignored", async () => {
    const lines = ["nd-1", "nd-2", "nd-3"].map((id) => JSON.stringify({ event_type: "custom.shipping.parcel.sent", resource_id: id }));
    const response = await sendNdjson(key.key, `${lines[0]}\r\n${lines[1]}\n\n${lines[2]}\n`);
    expect(response.status).toBe(201);
    expect(response.body.events).toHaveLength(3);
    const stored = await api.auditLogs(admin, { event_type: "custom.shipping.parcel.sent" });
    expect(stored.map((e) => e.resource_id).sort()).toEqual(["nd-1", "nd-2", "nd-3"]);
    expect(stored.map((e) => e.id).sort()).toEqual(response.body.events.map((e: any) => e.id).sort());
  });

  it("accepts events from an admin's bearer token, naming the admin as their source", async () => {
    const response = await sendEvents(admin, { event_type: "custom.ops.deploy", resource_id: "deploy-1" });
    expect(response.status).toBe(201);
    const [stored] = await api.auditLogs(admin, { event_type: "custom.ops.deploy" });
    expect(stored.metadata.source).toEqual({ type: "admin", user_id: expect.any(String), username: "admin", ip_address: "127.0.0.1" });
  });

  it("overrides a source the sender claims in metadata", async () => {
    await sendEvents(key.key, { event_type: "custom.ops.spoof", metadata: { source: { type: "admin", username: "root" } } });
    const [stored] = await api.auditLogs(admin, { event_type: "custom.ops.spoof" });
    expect(stored.metadata.source).toMatchObject({ type: "api_key", api_key_id: key.id });
  });

  it("refuses a whole batch with one bad event: 422 naming its index, nothing stored", async () => {
    const before = await count({ event_type: "custom.atomic.item" });
    const response = await sendEvents(key.key, [
      { event_type: "custom.atomic.item", resource_id: "ok-1" },
      { event_type: "custom.atomic.item", severity: "loud", status_code: 99 },
      { event_type: "custom.atomic.item", resource_id: "ok-2" },
    ]);
    expectJsonError(response, 422, "validation_failed");
    expect(response.body.error.message).toContain("1 of 3 events is invalid");
    expect(response.body.error.details).toEqual([
      { location: "body", index: 1, field: "severity", message: expect.any(String) },
      { location: "body", index: 1, field: "status_code", message: "must be at least 100" },
    ]);
    expect(await count({ event_type: "custom.atomic.item" })).toBe(before);
  });

  it("names the line of a bad NDJSON event", async () => {
    const response = await sendNdjson(key.key, `{"event_type":"custom.nd.ok"}\n\n{"event_type":"nope"}\n`);
    expectJsonError(response, 422, "validation_failed");
    expect(response.body.error.details).toEqual([
      { location: "body", index: 1, line: 3, field: "event_type", message: "must be a catalog event type or custom.<namespace>.<name>" },
    ]);
    expect(await count({ event_type: "custom.nd.ok" })).toBe(0);
  });

  it.each([
    ["an unknown event type", { event_type: "billing.paid" }, "event_type"],
    ["a missing event type", { resource_id: "x" }, "event_type"],
    ["an unknown field", { event_type: "custom.a.b", retention_policy: "none" }, "retention_policy"],
    ["a non-boolean success", { event_type: "custom.a.b", success: "yes" }, "success"],
    ["a status code over 599", { event_type: "custom.a.b", status_code: 600 }, "status_code"],
    ["a fractional status code", { event_type: "custom.a.b", status_code: 200.5 }, "status_code"],
    ["a metadata array", { event_type: "custom.a.b", metadata: [1, 2] }, "metadata"],
    ["a before_state string", { event_type: "custom.a.b", before_state: "open" }, "before_state"],
    ["tags that are not strings", { event_type: "custom.a.b", tags: [1] }, "tags.0"],
    ["a username over 255 characters", { event_type: "custom.a.b", username: "u".repeat(256) }, "username"],
    ["a timestamp without a time zone", { event_type: "custom.a.b", timestamp: "2025-01-01T00:00:00" }, "timestamp"],
    ["a timestamp that is not a date", { event_type: "custom.a.b", timestamp: "yesterday" }, "timestamp"],
    ["a timestamp 10 minutes ahead", { event_type: "custom.a.b", timestamp: new Date(Date.now() + 600_000).toISOString() }, "timestamp"],
    ["deeply nested metadata", { event_type: "custom.a.b", metadata: JSON.parse(`${'{"a":'.repeat(40)}1${"}".repeat(40)}`) }, "metadata"],
    ["an event that is not an object", "custom.a.b", "(root)"],
  ])("refuses %s with 422 naming the field", async (_label, event, field) => {
    const response = await sendEvents(key.key, [event]);
    expectJsonError(response, 422, "validation_failed");
    expect(response.body.error.details).toContainEqual(expect.objectContaining({ index: 0, field }));
  });

  it("refuses more than 1000 events, or none, with 422", async () => {
    const before = await count({ event_type: "custom.bulk.item" });
    const many = Array.from({ length: 1001 }, () => ({ event_type: "custom.bulk.item" }));
    const tooMany = await sendEvents(key.key, many);
    expectJsonError(tooMany, 422, "validation_failed");
    expect(tooMany.body.error.details[0].message).toContain("at most 1000");
    const ndjson = await sendNdjson(key.key, many.map((e) => JSON.stringify(e)).join("\n"));
    expectJsonError(ndjson, 422, "validation_failed");
    expectJsonError(await sendEvents(key.key, []), 422, "validation_failed");
    expect(await count({ event_type: "custom.bulk.item" })).toBe(before);
  });

  it("stores 1000 events in one request", async () => {
    const response = await sendEvents(
      key.key,
      Array.from({ length: 1000 }, (_, i) => ({ event_type: "custom.bulk.max", resource_id: `max-${i}` })),
    );
    expect(response.status).toBe(201);
    expect(response.body.events).toHaveLength(1000);
    const [last] = await api.auditLogs(admin, { event_type: "custom.bulk.max", resource_id: "max-999" });
    expect(last.id).toBe(response.body.events[999].id);
  });

  describe("Idempotency-Key", () => {
    it("replays the stored answer for a retry and stores the events once", async () => {
      const body = [{ event_type: "custom.idem.once", resource_id: "r1" }, { event_type: "custom.idem.once", resource_id: "r2" }];
      const first = await sendEvents(key.key, body, { "idempotency-key": "order-1001" });
      expect(first.status).toBe(201);
      expect(first.headers.get("idempotent-replayed")).toBeNull();
      const retry = await sendEvents(key.key, body, { "idempotency-key": "order-1001" });
      expect(retry.status).toBe(201);
      expect(retry.body).toEqual(first.body);
      expect(retry.headers.get("idempotent-replayed")).toBe("true");
      expect(await count({ event_type: "custom.idem.once" })).toBe(2);
    });

    it("refuses the same key with a different body", async () => {
      await sendEvents(key.key, { event_type: "custom.idem.reuse" }, { "idempotency-key": "reuse-1" });
      const other = await sendEvents(key.key, { event_type: "custom.idem.reuse", resource_id: "other" }, { "idempotency-key": "reuse-1" });
      expectJsonError(other, 422, "idempotency_key_reused");
      expect(await count({ event_type: "custom.idem.reuse" })).toBe(1);
    });

    it("stores concurrent duplicates once, all answering the same", async () => {
      const body = { event_type: "custom.idem.race", resource_id: "race" };
      const answers = await Promise.all(
        Array.from({ length: 6 }, () => sendEvents(key.key, body, { "idempotency-key": "race-1" })),
      );
      expect(answers.map((a) => a.status)).toEqual(Array(6).fill(201));
      for (const answer of answers) expect(answer.body).toEqual(answers[0]!.body);
      expect(await count({ event_type: "custom.idem.race" })).toBe(1);
    });

    it("keeps keys apart per sender", async () => {
      const body = { event_type: "custom.idem.sender" };
      const byKey = await sendEvents(key.key, body, { "idempotency-key": "shared" });
      const byAdmin = await sendEvents(admin, body, { "idempotency-key": "shared" });
      expect(byKey.status).toBe(201);
      expect(byAdmin.status).toBe(201);
      expect(byAdmin.body.events[0].id).not.toBe(byKey.body.events[0].id);
      expect(await count({ event_type: "custom.idem.sender" })).toBe(2);
    });

    it("refuses a key that is not 1-200 printable characters", async () => {
      const response = await sendEvents(key.key, { event_type: "custom.idem.bad" }, { "idempotency-key": "k".repeat(201) });
      expectJsonError(response, 422, "validation_failed");
      expect(response.body.error.details).toEqual([{ location: "header", field: "Idempotency-Key", message: expect.any(String) }]);
    });
  });

  describe("bad requests", () => {
    it("answers 400 for malformed JSON and NDJSON, and for a body that is neither event nor array", async () => {
      expectJsonError(await api.request("POST", "/audit/events", { token: key.key, rawBody: "{nope", headers: { "content-type": "application/json" } }), 400, "bad_request");
      const nd = await sendNdjson(key.key, `{"event_type":"custom.a.b"}\n{broken\n`);
      expectJsonError(nd, 400, "bad_request");
      expect(nd.body.error.message).toContain("line 2");
      expectJsonError(await sendEvents(key.key, 42), 400, "bad_request");
      expectJsonError(await api.request("POST", "/audit/events", { token: key.key, rawBody: "", headers: { "content-type": "application/json" } }), 400, "bad_request");
    });

    it("answers 415 for another content type", async () => {
      const response = await api.request("POST", "/audit/events", {
        token: key.key,
        rawBody: JSON.stringify({ event_type: "custom.a.b" }),
        headers: { "content-type": "text/plain" },
      });
      expectJsonError(response, 415, "unsupported_media_type");
    });

    it("answers 413 for a body over 1 MiB", async () => {
      const response = await sendEvents(key.key, { event_type: "custom.big.one", description: "x".repeat(1024 * 1024) });
      expectJsonError(response, 413, "payload_too_large");
      expect(await count({ event_type: "custom.big.one" })).toBe(0);
    });

    it("answers 405 for other methods", async () => {
      const response = await api.get("/audit/events", { token: admin });
      expectJsonError(response, 405, "method_not_allowed");
      expect(response.headers.get("allow")).toBe("POST");
    });
  });
});

describe("who may send events", () => {
  it("refuses a user's token with 403 and no credentials with 401", async () => {
    const user = await api.createUser("ingest_user");
    expectJsonError(await sendEvents(user.token, { event_type: "custom.a.b" }), 403, "forbidden");
    expectJsonError(await sendEvents("", { event_type: "custom.a.b" }), 401, "unauthorized");
  });

  it("refuses an unknown mk_ key with 401 and records auth.token.invalid without the key", async () => {
    const bogus = `mk_${"A".repeat(43)}`;
    const response = await sendEvents(bogus, { event_type: "custom.a.b" });
    expectJsonError(response, 401, "unauthorized");
    expect(response.headers.get("www-authenticate")).toMatch(/^Bearer/);
    const [event] = await api.auditLogs(admin, { event_type: "auth.token.invalid", success: "false" });
    expect(event).toMatchObject({ request_path: "/audit/events", status_code: 401, metadata: { failure: "api_key_invalid" } });
    expect(JSON.stringify(event)).not.toContain(bogus);
  });

  it("allows API keys nowhere but POST /audit/events: 403 and authz.access.denied", async () => {
    for (const [method, path] of [
      ["GET", "/audit/logs"],
      ["GET", "/memories"],
      ["GET", "/auth/me"],
      ["GET", "/audit/api-keys"],
      ["POST", "/audit/api-keys"],
    ]) {
      const response = await api.request(method!, path!, { token: key.key, body: method === "POST" ? { name: "sneaky" } : undefined });
      expectJsonError(response, 403, "forbidden");
      expect(response.body.error.message).toBe("API keys may only send events");
    }
    const [denied] = await api.auditLogs(admin, { event_type: "authz.access.denied", session_id: `api_key:${key.id}` });
    expect(denied).toMatchObject({ success: false, status_code: 403 });
  });

  it("refuses a revoked key with 401 and records both the revocation and the refused use", async () => {
    const doomed = await issueKey("doomed", ["events:write"]);
    expect((await sendEvents(doomed.key, { event_type: "custom.doomed.ok" })).status).toBe(201);

    const revoke = await api.delete(`/audit/api-keys/${doomed.id}`, { token: admin });
    expect(revoke.status).toBe(204);
    expect(revoke.text).toBe("");
    const [revocation] = await api.auditLogs(admin, { event_type: "auth.token.invalid", resource_id: doomed.id, success: "true" });
    expect(revocation).toMatchObject({ resource_type: "api_key", action: "revoke", username: "admin", severity: "info" });
    expect(revocation.after_state.revoked_at).toEqual(expect.any(String));

    const refused = await sendEvents(doomed.key, { event_type: "custom.doomed.late" });
    expectJsonError(refused, 401, "unauthorized");
    expect(refused.body.error.message).toBe("API key has been revoked");
    const [use] = await api.auditLogs(admin, { event_type: "auth.token.invalid", resource_id: doomed.id, success: "false" });
    expect(use).toMatchObject({ resource_type: "api_key", status_code: 401, metadata: { failure: "api_key_revoked", name: "doomed" } });
    expect(await count({ event_type: "custom.doomed.late" })).toBe(0);

    const listed = await api.get(`/audit/api-keys/${doomed.id}`, { token: admin });
    expect(listed.body.revoked_at).toEqual(expect.any(String));
    expect((await api.delete(`/audit/api-keys/${doomed.id}`, { token: admin })).status).toBe(204);
    expect(await count({ event_type: "auth.token.invalid", resource_id: doomed.id, success: "true" })).toBe(1);
  });

  it("stops a key when the admin who issued it is deactivated", async () => {
    const issuer = await api.createUser("issuer_admin", ["admin"]);
    const issued = await api.post("/audit/api-keys", { name: "orphan" }, { token: issuer.token });
    expect(issued.status).toBe(201);
    secrets.push(issued.body.key);
    expect((await sendEvents(issued.body.key, { event_type: "custom.orphan.ok" })).status).toBe(201);
    expect((await api.patch("/auth/users/issuer_admin", { is_active: false }, { token: admin })).status).toBe(200);
    expectJsonError(await sendEvents(issued.body.key, { event_type: "custom.orphan.late" }), 401, "unauthorized");
    const [use] = await api.auditLogs(admin, { event_type: "auth.token.invalid", resource_id: issued.body.id });
    expect(use.metadata).toEqual({ failure: "api_key_issuer_inactive", name: "orphan", prefix: issued.body.prefix });
  });

  it("never writes a key's secret to the audit log", async () => {
    const rows: any[] = [];
    for (let page: any[] = []; rows.length === 0 || page.length === 1000; ) {
      page = await api.auditLogs(admin, { offset: String(rows.length) });
      rows.push(...page);
    }
    expect(rows.length).toBeGreaterThan(1000);
    const log = JSON.stringify(rows);
    for (const secret of secrets) {
      expect(log).not.toContain(secret);
      expect(log).not.toContain(secret.slice(10));
    }
  });
});
