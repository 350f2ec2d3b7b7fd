import { sql, type SQL } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { databaseError, nextIdentity, selectRows } from "@/lib/db/client";
import { auditLogs, memories } from "@/lib/db/schema";
import { auditLeafHash, sha256Hex } from "./canonical";
import { EVENT_TYPES, SEVERITIES } from "./events";
import { getAuditLog, queryAuditLogs, auditLogToJson, leafContentOf } from "./query";
import { buildAuditRow, changeWithAuditEvents, recordAuditBatch, recordAuditEvent, recordAuditEvents, SHARED_CHANGES_MAX } from "./record";

let database: TestDatabase;

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.close();
});

describe("the event catalog", () => {
  it("has the 33 event types of EVENTS.md, the types this server adds, and the 5 severities", () => {
    // EVENTS.md allows more types; the 33 stay with their values.
    expect(EVENT_TYPES).toHaveLength(35);
    expect(new Set(EVENT_TYPES.map((e) => e.value)).size).toBe(35);
    expect(EVENT_TYPES.map((e) => e.value)).toEqual(expect.arrayContaining(["user.personal_data.erased", "system.retention.applied"]));
    expect(SEVERITIES.map((s) => s.value)).toEqual(["debug", "info", "warning", "error", "critical"]);
    expect(EVENT_TYPES.find((e) => e.value === "security.breach.attempt")?.severity).toBe("critical");
    expect(EVENT_TYPES.find((e) => e.value === "authz.permission.checked")?.severity).toBe("debug");
  });
});

describe("recordAuditEvent", () => {
  it("writes every event type with all columns and reads each back unchanged", async () => {
    const timestamp = new Date("2026-03-01T12:00:00.123Z");
    for (const [i, type] of EVENT_TYPES.entries()) {
      const written = await recordAuditEvent(database.db, {
        eventType: type.value,
        description: `event ${i}`,
        userId: `user-${i}`,
        username: `name-${i}`,
        sessionId: `session-${i}`,
        ipAddress: "203.0.113.7",
        userAgent: "vitest/1.0",
        resourceType: "memory",
        resourceId: i,
        namespace: "ns-a",
        action: "act",
        beforeState: { tier: "short_term", n: i },
        afterState: { tier: "long_term", nested: { list: [1, "two", null] } },
        requestMethod: "POST",
        requestPath: "/memories",
        requestParams: { top_k: 5 },
        success: i % 2 === 0,
        errorMessage: i % 2 === 0 ? null : "went wrong",
        statusCode: i % 2 === 0 ? 200 : 403,
        metadata: { count: i },
        tags: ["t1"],
        complianceTags: ["gdpr"],
        retentionPolicy: "compliance",
        timestamp,
      });
      expect(written).not.toBeNull();
      const read = await getAuditLog(database.db, written!.id);
      expect(read).toEqual(written);
      const json = auditLogToJson(read!);
      expect(json).toMatchObject({
        event_type: type.value,
        description: `event ${i}`,
        user_id: `user-${i}`,
        username: `name-${i}`,
        session_id: `session-${i}`,
        ip_address: "203.0.113.7",
        user_agent: "vitest/1.0",
        resource_type: "memory",
        resource_id: String(i),
        namespace: "ns-a",
        action: "act",
        before_state: { tier: "short_term", n: i },
        after_state: { tier: "long_term", nested: { list: [1, "two", null] } },
        request_method: "POST",
        request_path: "/memories",
        request_params: { top_k: 5 },
        success: i % 2 === 0,
        error_message: i % 2 === 0 ? null : "went wrong",
        status_code: i % 2 === 0 ? 200 : 403,
        metadata: { count: i },
        tags: ["t1"],
        retention_policy: "compliance",
        timestamp: "2026-03-01T12:00:00.123Z",
      });
      expect(json.compliance_tags).toContain("gdpr");
      expect(json.leaf_hash).toMatch(/^[0-9a-f]{64}$/);
    }
    const all = await queryAuditLogs(database.db, { startTime: timestamp, endTime: timestamp }, { limit: 1000 });
    expect(new Set(all.logs.map((l) => l.eventType))).toEqual(new Set(EVENT_TYPES.map((e) => e.value)));
  });

  it("gives every event its own random salt for the personal digest", () => {
    const salts = Array.from({ length: 1000 }, () => buildAuditRow({ eventType: "auth.logout", username: "same" }).personalSalt);
    expect(salts.every((salt) => /^[0-9a-f]{32}$/.test(salt ?? ""))).toBe(true);
    expect(new Set(salts).size).toBe(salts.length);
  });

  it("returns, for several events in one insert, each row as stored (ids in input order, unset columns null)", async () => {
    const written = await recordAuditEvents(database.db, [
      { eventType: "auth.logout" },
      { eventType: "memory.updated", metadata: { z: 1, a: { y: [2, { c: 3, b: 4 }] } }, tags: ["x", "é"], description: "ünïcode ✓" },
      { eventType: "authz.access.denied", success: false, statusCode: 403 },
    ]);
    expect(written.map((r) => r.eventType)).toEqual(["auth.logout", "memory.updated", "authz.access.denied"]);
    expect(written[0]!.id).toBeLessThan(written[1]!.id);
    for (const row of written) expect(await getAuditLog(database.db, row.id)).toEqual(row);
  });

  it("fills the catalog's severity, compliance tags by category, retention and the time", async () => {
    const before = Date.now();
    const login = await recordAuditEvent(database.db, { eventType: "auth.login.success", userId: "u1" });
    const memory = await recordAuditEvent(database.db, { eventType: "memory.created", userId: "u1" });
    const denied = await recordAuditEvent(database.db, { eventType: "authz.access.denied", success: false });
    const failedRead = await recordAuditEvent(database.db, { eventType: "memory.retrieved", success: false });
    const breach = await recordAuditEvent(database.db, { eventType: "security.breach.attempt" });
    expect(login).toMatchObject({ severity: "info", complianceTags: ["auth", "security"], retentionPolicy: "security" });
    expect(login!.description).toBe("Successful login");
    expect(login!.timestamp.getTime()).toBeGreaterThanOrEqual(before - 1);
    expect(login!.timestamp.getTime()).toBeLessThanOrEqual(Date.now() + 1);
    expect(memory).toMatchObject({ severity: "info", complianceTags: ["data_access"], retentionPolicy: "standard" });
    expect(denied).toMatchObject({ severity: "warning", complianceTags: ["authorization", "security"], retentionPolicy: "security" });
    // A failed operation is at least a warning.
    expect(failedRead).toMatchObject({ severity: "warning", success: false });
    expect(breach).toMatchObject({ severity: "critical", retentionPolicy: "security" });
  });

  it("removes passwords, tokens, authorization and cookies from every logged object", async () => {
    const row = await recordAuditEvent(database.db, {
      eventType: "user.password.changed",
      requestParams: { password: "Secret123", old_password: "x", new_password: "y", username: "alice" },
      beforeState: { password_hash: "$2b$12$abc", email: "a@example.com" },
      afterState: { access_token: "eyJ", nested: { Authorization: "Bearer abc", cookie: "sid=1", keep: 1 } },
      metadata: {
        api_key: "mk_123",
        headers: [{ "x-api-key": "k", accept: "json", "Set-Cookie": "sid=2" }],
        client_secret: "s",
        accessToken: "at",
        refreshToken: "rt",
        passwordHash: "ph",
        token_type: "bearer",
        token_revoked: true,
      },
    });
    const stored = JSON.stringify(await getAuditLog(database.db, row!.id));
    for (const secret of ["Secret123", "$2b$12$abc", "eyJ", "Bearer abc", "sid=1", "sid=2", "mk_123", "client_secret", "x-api-key", "accessToken", "passwordHash"]) {
      expect(stored).not.toContain(secret);
    }
    expect(row!.requestParams).toEqual({ username: "alice" });
    expect(row!.beforeState).toEqual({ email: "a@example.com" });
    expect(row!.afterState).toEqual({ nested: { keep: 1 } });
    // Words that merely mention a token are kept.
    expect(row!.metadata).toEqual({ headers: [{ accept: "json" }], token_type: "bearer", token_revoked: true });
  });

  it("cuts memory content in states to 100 characters plus its SHA-256", async () => {
    const content = "é".repeat(50) + "x".repeat(200);
    const row = await recordAuditEvent(database.db, {
      eventType: "memory.updated",
      beforeState: { content: "short" },
      afterState: { content, tier: "mid_term" },
    });
    expect(row!.afterState).toEqual({
      content: content.slice(0, 100),
      content_sha256: sha256Hex(content),
      content_length: 250,
      tier: "mid_term",
    });
    expect(row!.beforeState).toMatchObject({ content: "short", content_sha256: sha256Hex("short") });
  });

  it("stores odd Unicode, NUL characters and SQL-looking text as plain data", async () => {
    const row = await recordAuditEvent(database.db, {
      eventType: "memory.searched",
      description: "'; DROP TABLE audit_logs; --",
      username: "nul\u0000byte",
      metadata: { query: "\ud800 lone surrogate 🦄 \u202e rtl", "key\u0000": 1 },
    });
    const read = await getAuditLog(database.db, row!.id);
    expect(read!.description).toBe("'; DROP TABLE audit_logs; --");
    expect(read!.username).toBe("nul\uFFFDbyte");
    expect(read!.metadata).toEqual({ query: "\uFFFD lone surrogate 🦄 \u202e rtl", "key\uFFFD": 1 });
  });

  it("stores a leaf hash that recomputes from the stored content", async () => {
    const row = await recordAuditEvent(database.db, { eventType: "cluster.updated", metadata: { b: 2, a: [1, { z: 1, y: 2 }] } });
    const read = await getAuditLog(database.db, row!.id);
    const log = auditLogToJson(read!);
    expect(auditLeafHash(leafContentOf(log))).toBe(log.leaf_hash);
    expect(buildAuditRow({ eventType: "cluster.updated", timestamp: read!.timestamp }).leafHash).not.toBe(log.leaf_hash);
  });

  it("writes a batch in one statement and nothing when disabled", async () => {
    const marker = `batch-${Date.now()}`;
    const rows = await recordAuditEvents(database.db, [
      { eventType: "memory.created", sessionId: marker },
      { eventType: "memory.deleted", sessionId: marker },
    ]);
    expect(rows.map((r) => r.eventType)).toEqual(["memory.created", "memory.deleted"]);
    const disabled = `disabled-${Date.now()}`;
    expect(await recordAuditEvent(database.db, { eventType: "memory.created", sessionId: disabled }, { enabled: false })).toBeNull();
    expect((await queryAuditLogs(database.db, { sessionId: disabled })).total).toBe(0);
    expect((await queryAuditLogs(database.db, { sessionId: marker })).total).toBe(2);
  });

  it("recordAuditBatch stores what recordAuditEvents would, in input order, with leaf hashes that recompute", async () => {
    const marker = `json-batch-${Date.now()}`;
    const events = Array.from({ length: 300 }, (_, i) => ({
      eventType: (i % 2 ? "memory.updated" : "custom.bench.event") as "memory.updated",
      sessionId: marker,
      userId: i % 3 ? `u${i}` : null,
      description: i === 7 ? "quote ' backslash \\ tab \t newline \n 🦄 \u202e" : undefined,
      beforeState: i % 5 ? null : { content: "x", nested: { list: [1, "two", null, true] } },
      metadata: { i, "odd key \\ \"": "\ud800 lone", nul: "a\u0000b" },
      tags: i % 4 ? undefined : ["a", "b"],
      success: i % 7 !== 0,
      statusCode: i % 7 ? 200 : 500,
      timestamp: new Date(Date.UTC(2026, 2, 1, 0, 0, i, 123)),
    }));
    const stored = await recordAuditBatch(database.db, events);
    expect(stored).toHaveLength(300);
    expect(stored.map((r) => r.id)).toEqual([...stored.map((r) => r.id)].sort((a, b) => a - b));
    const page = await queryAuditLogs(database.db, { sessionId: marker }, { limit: 1000, order: "asc" });
    expect(page.logs.map((r) => r.id)).toEqual(stored.map((r) => r.id));
    for (const [i, read] of page.logs.entries()) {
      const log = auditLogToJson(read);
      expect(log.leaf_hash).toBe(stored[i]!.leafHash);
      expect(auditLeafHash(leafContentOf(log))).toBe(log.leaf_hash);
      expect(read.timestamp.toISOString()).toBe(events[i]!.timestamp.toISOString());
      expect(read.userId).toBe(events[i]!.userId);
      expect(read.success).toBe(events[i]!.success);
      expect(read.metadata).toEqual({ i, "odd key \\ \"": "\uFFFD lone", nul: "a\uFFFDb" });
    }
    expect(page.logs[7]!.description).toBe("quote ' backslash \\ tab \t newline \n 🦄 \u202e");
    expect(page.logs[0]!.beforeState).toMatchObject({ content: "x", content_length: 1, nested: { list: [1, "two", null, true] } });
    expect(page.logs[0]!.tags).toEqual(["a", "b"]);
    expect(page.logs[1]!.beforeState).toBeNull();
    expect(await recordAuditBatch(database.db, events.slice(0, 2), { enabled: false })).toEqual([]);
  });

  // On PostgreSQL the statement's audit part is kept text beside drizzle's text of the change; on
  // PGlite drizzle builds it all. Either way the rows must be stored as recordAuditEvents stores them.
  it("changeWithAuditEvents stores the change and its events in one statement, each event as recordAuditEvents would", async () => {
    const marker = `change-${Date.now()}`;
    const id = await nextIdentity(database.db, memories);
    const now = new Date(Date.UTC(2026, 2, 1, 0, 0, 0, 456));
    const content = "quote ' backslash \\ \"dq\" 🦄 \u202e $1 ".repeat(5);
    const events = [
      { eventType: "memory.created" as const, sessionId: marker, resourceType: "memory", resourceId: id, afterState: { content, password: "hunter2", nested: { b: [1, null] } }, timestamp: now },
      { eventType: "authz.access.granted" as const, sessionId: marker, success: false, statusCode: 403, metadata: { "k\u0000": "\ud800" }, tags: ["é"], timestamp: now },
    ];
    await changeWithAuditEvents(database.db, database.db.insert(memories).overridingSystemValue().values({ id, userId: marker, content, createdAt: now, updatedAt: now }), events, { enabled: true });
    const [memory] = await database.db.select().from(memories).where(sql`${memories.userId} = ${marker}`);
    expect(memory).toMatchObject({ id, content });
    const page = await queryAuditLogs(database.db, { sessionId: marker }, { limit: 10, order: "asc" });
    expect(page.logs.map((l) => l.eventType)).toEqual(["memory.created", "authz.access.granted"]);
    const [created, access] = page.logs;
    expect(created!.afterState).toEqual({ content: content.slice(0, 100), content_sha256: sha256Hex(content), content_length: content.length, nested: { b: [1, null] } });
    expect(access).toMatchObject({ success: false, statusCode: 403, severity: "warning", metadata: { "k\uFFFD": "\uFFFD" }, tags: ["é"], erasedAt: null });
    for (const read of page.logs) {
      const log = auditLogToJson(read);
      expect(auditLeafHash(leafContentOf(log))).toBe(log.leaf_hash);
      expect(read.timestamp.toISOString()).toBe(now.toISOString());
    }

    // Disabled: the change alone. A change that fails keeps its events out too.
    const quiet = await nextIdentity(database.db, memories);
    await changeWithAuditEvents(database.db, database.db.insert(memories).overridingSystemValue().values({ id: quiet, userId: marker, content: "quiet" }), events, { enabled: false });
    const again = database.db.insert(memories).overridingSystemValue().values({ id: quiet, userId: marker, content: "duplicate id" });
    await expect(changeWithAuditEvents(database.db, again, events, { enabled: true })).rejects.toThrow();
    expect(await database.db.select({ id: memories.id }).from(memories).where(sql`${memories.userId} = ${marker}`)).toHaveLength(2);
    expect((await queryAuditLogs(database.db, { sessionId: marker })).total).toBe(2);
  });

  it("rejects an event type outside the catalog", () => {
    expect(() => buildAuditRow({ eventType: "memory.exploded" as never })).toThrow(/Unknown audit event type/);
  });
});

/** The database error a statement fails with (null if it succeeds). */
async function refusal(statement: SQL) {
  const error = await database.db.execute(statement).then(() => null, (e: unknown) => e);
  return databaseError(error);
}

describe("the audit log in the database", () => {
  it("refuses UPDATE, DELETE and TRUNCATE with a clear error", async () => {
    const row = await recordAuditEvent(database.db, { eventType: "memory.created", description: "keep me" });
    expect(await refusal(sql`update audit_logs set description = 'changed' where id = ${row!.id}`)).toEqual({
      code: "42501",
      message: "audit_logs is append-only: UPDATE is not allowed",
    });
    expect(await refusal(sql`delete from audit_logs where id = ${row!.id}`)).toEqual({
      code: "42501",
      message: "audit_logs is append-only: DELETE is not allowed",
    });
    expect(await refusal(sql`truncate audit_logs`)).toEqual({
      code: "42501",
      message: "audit_logs is append-only: TRUNCATE is not allowed",
    });
    expect((await getAuditLog(database.db, row!.id))?.description).toBe("keep me");
  });

  it("keeps neither the change nor its audit row when the transaction fails", async () => {
    const marker = `rollback-${Date.now()}`;
    await expect(
      database.db.transaction(async (tx) => {
        const [memory] = await tx.insert(memories).values({ userId: marker, content: "never stored" }).returning();
        await recordAuditEvent(tx, { eventType: "memory.created", userId: marker, resourceType: "memory", resourceId: memory!.id });
        throw new Error("the request failed after writing");
      }),
    ).rejects.toThrow("the request failed after writing");
    const [left] = await selectRows<{ n: number }>(
      database.db,
      sql`select (select count(*) from memories where user_id = ${marker})::int + (select count(*) from audit_logs where user_id = ${marker})::int as n`,
    );
    expect(left?.n).toBe(0);

    await database.db.transaction(async (tx) => {
      const [memory] = await tx.insert(memories).values({ userId: marker, content: "stored" }).returning();
      await recordAuditEvent(tx, { eventType: "memory.created", userId: marker, resourceType: "memory", resourceId: memory!.id });
    });
    expect((await queryAuditLogs(database.db, { userId: marker })).total).toBe(1);
  });

  it("has no UPDATE path through drizzle either", async () => {
    const error = await database.db
      .update(auditLogs)
      .set({ severity: "debug" })
      .where(sql`true`)
      .then(() => null, (e: unknown) => e);
    expect(databaseError(error)?.message).toBe("audit_logs is append-only: UPDATE is not allowed");
  });
});

/** Changes of `count` memories for `marker`, each with its memory.created and an access event, asked for at once. */
async function memoriesAtOnce(marker: string, count: number, idOf: (i: number, id: number) => number = (_, id) => id, audited: (i: number) => boolean = () => true) {
  const ids = await Promise.all(Array.from({ length: count }, () => nextIdentity(database.db, memories)));
  return Promise.allSettled(
    ids.map((fresh, i) => {
      const id = idOf(i, fresh);
      const content = `memory ${i} of ${marker}: $1 $2 ${"x".repeat(i)}`;
      return changeWithAuditEvents(
        database.db,
        database.db.insert(memories).overridingSystemValue().values({ id, userId: marker, content, tier: i % 2 ? "long" : "short" }),
        [
          { eventType: "authz.access.granted", userId: marker, resourceType: "memory", resourceId: id, metadata: { i } },
          { eventType: "memory.created", userId: marker, resourceType: "memory", resourceId: id, afterState: { id, content } },
        ],
        { enabled: audited(i) },
      ).then(() => ({ id, content }));
    }),
  );
}

/** The memories and audit rows stored for `marker`, with the transaction of each. */
async function storedFor(marker: string) {
  const stored = await selectRows<{ id: string | number; content: string; tier: string; tx: string }>(
    database.db,
    sql`select id, content, tier, xmin::text as tx from memories where user_id = ${marker} order by id`,
  );
  const events = await selectRows<{ resource_id: string; event_type: string; after_state: { id: number; content: string } | null; metadata: { i: number } | null; tx: string }>(
    database.db,
    sql`select resource_id, event_type, after_state, metadata, (tx_id % 4294967296)::text as tx from audit_logs where user_id = ${marker} order by id`,
  );
  return { stored, events };
}

describe("changes with their audit events", () => {
  it("are each stored with their own events in one transaction; on PostgreSQL those asked for meanwhile share one statement", async () => {
    const marker = `changes-${Date.now()}`;
    const results = await memoriesAtOnce(marker, 20);
    const written = results.map((r) => (r.status === "fulfilled" ? r.value : null));
    expect(written.every(Boolean)).toBe(true);
    const { stored, events } = await storedFor(marker);
    expect(stored.map((m) => ({ id: Number(m.id), content: m.content }))).toEqual(written);
    expect(stored.map((m) => m.tier)).toEqual(written.map((_, i) => (i % 2 ? "long" : "short")));
    expect(events).toHaveLength(40);
    for (const [i, memory] of stored.entries()) {
      const own = events.filter((e) => e.resource_id === String(memory.id));
      expect(own.map((e) => e.event_type)).toEqual(["authz.access.granted", "memory.created"]);
      expect(own[0]!.metadata).toEqual({ i });
      expect(own[1]!.after_state).toMatchObject({ id: Number(memory.id), content: memory.content.slice(0, 100) });
      // A memory and its events commit together.
      expect(own.map((e) => e.tx)).toEqual([memory.tx, memory.tx]);
    }
    // The first goes at once; the 19 asked for while it was on its way go together in the next.
    // PGlite has one connection and no write pool: each change is a statement of its own there.
    expect(new Set(stored.map((m) => m.tx)).size).toBe(database.engine === "postgres" ? 2 : 20);
  });

  it(`on PostgreSQL put at most ${SHARED_CHANGES_MAX} changes in a statement`, async () => {
    const marker = `many-${Date.now()}`;
    const results = await memoriesAtOnce(marker, 150);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const { stored, events } = await storedFor(marker);
    expect(stored).toHaveLength(150);
    expect(events).toHaveLength(300);
    const perStatement: number[] = [];
    stored.forEach((m, i) => (i > 0 && m.tx === stored[i - 1]!.tx ? (perStatement[perStatement.length - 1]! += 1) : perStatement.push(1)));
    // The first alone, then the 149 that waited, 64 at a time.
    expect(perStatement).toEqual(database.engine === "postgres" ? [1, SHARED_CHANGES_MAX, SHARED_CHANGES_MAX, 149 - 2 * SHARED_CHANGES_MAX] : Array(150).fill(1));
  });

  it("write no audit row with audit logging off, and share statements all the same, audited or not", async () => {
    const marker = `unaudited-${Date.now()}`;
    // Audited at first, then off for the rest, as a server whose setting changes would.
    const results = await memoriesAtOnce(marker, 16, undefined, (i) => i < 2);
    expect(results.every((r) => r.status === "fulfilled")).toBe(true);
    const { stored, events } = await storedFor(marker);
    expect(stored.map((m) => m.content)).toEqual(results.map((r) => (r as PromiseFulfilledResult<{ content: string }>).value.content));
    expect(events.map((e) => [e.resource_id, e.event_type])).toEqual(
      stored.slice(0, 2).flatMap((m) => [
        [String(m.id), "authz.access.granted"],
        [String(m.id), "memory.created"],
      ]),
    );
    // On PostgreSQL: the first alone; the second (audited) and the 14 others together.
    expect(new Set(stored.map((m) => m.tx)).size).toBe(database.engine === "postgres" ? 2 : 16);
  });

  it("fail alone when the database refuses one of a shared statement's changes, which leaves no audit row", async () => {
    const marker = `refused-${Date.now()}`;
    const [taken] = await selectRows<{ id: string | number }>(database.db, sql`insert into memories (user_id, content) values (${marker}, 'taken') returning id`);
    // The fifth change reuses a stored memory's id: a unique violation, in the shared statement
    // on PostgreSQL, which the others must survive.
    const results = await memoriesAtOnce(marker, 12, (i, id) => (i === 4 ? Number(taken!.id) : id));
    expect(results.map((r) => r.status)).toEqual(results.map((_, i) => (i === 4 ? "rejected" : "fulfilled")));
    expect(databaseError((results[4] as PromiseRejectedResult).reason)?.code).toBe("23505");
    const { stored, events } = await storedFor(marker);
    expect(stored).toHaveLength(12);
    expect(stored.find((m) => Number(m.id) === Number(taken!.id))?.content).toBe("taken");
    expect(events).toHaveLength(22);
    expect(events.filter((e) => e.resource_id === String(taken!.id))).toEqual([]);
  });
});

describe("events recorded on their own", () => {
  it("are each stored and answered with their own row; on PostgreSQL those recorded meanwhile share one INSERT", async () => {
    const marker = `shared-${Date.now()}`;
    const written = await Promise.all(
      Array.from({ length: 20 }, (_, i) =>
        recordAuditEvent(database.db, { eventType: "memory.retrieved", userId: marker, resourceType: "memory", resourceId: i, action: "read", metadata: { count: i } }),
      ),
    );
    const stored = await selectRows<{ id: string | number; resource_id: string; tx_id: string | number; metadata: unknown }>(
      database.db,
      sql`select id, resource_id, tx_id, metadata from audit_logs where user_id = ${marker} order by id`,
    );
    expect(stored).toHaveLength(20);
    for (const [i, row] of written.entries()) {
      const match = stored.find((s) => Number(s.id) === row!.id);
      expect(match?.resource_id).toBe(String(i));
      expect(Number(match?.tx_id)).toBe(row!.txId);
      expect(row!.leafHash).toBe(auditLeafHash(leafContentOf(auditLogToJson((await getAuditLog(database.db, row!.id))!))));
    }
    // The first goes at once; the 19 recorded while it was on its way go together in the next.
    // PGlite has one connection and no write pool: each INSERT is its own there.
    const statements = new Set(stored.map((s) => Number(s.tx_id))).size;
    expect(statements).toBe(database.engine === "postgres" ? 2 : 20);
  });
});
