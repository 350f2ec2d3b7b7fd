import { asc, eq, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sealCommittedEvents, verifyAuditLog } from "@/lib/audit/integrity";
import { CONTENT_PREVIEW_CHARS } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/authenticate";
import { createTestActor } from "@/lib/auth/testing";
import { IDENTITY_BLOCK, selectRows } from "@/lib/db/client";
import { auditLogs, memories } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { createMemorySchema } from "./schemas";
import { createMemory } from "./service";

describe("createMemory on a database", () => {
  let database: TestDatabase;
  let admin: Actor;
  let alice: Actor;

  const input = (body: Record<string, unknown>) => createMemorySchema.parse(body);
  const context = (actor: Actor) => ({ userId: actor.userId, username: actor.username, requestMethod: "POST", requestPath: "/memories" });

  async function eventsOf(memoryId: number) {
    return database.db.select().from(auditLogs).where(eq(auditLogs.resourceId, String(memoryId))).orderBy(asc(auditLogs.id));
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = await createTestActor(database.db, "root", ["admin"], "ns-root");
    alice = await createTestActor(database.db, "alice", ["user"], "ns-alice");
  });

  afterAll(async () => {
    await database?.close();
  });

  it("stores the memory and its memory.created event, which describes the stored row", async () => {
    const content = `Plan the quarterly review. ${"x".repeat(200)}`;
    const memory = await createMemory(database.db, alice, input({ content, thread_id: "t1", metadata: { b: 2, a: [1, "z"] }, score: 70 }), context(alice));

    const [stored] = await database.db.select().from(memories).where(eq(memories.id, memory.id));
    expect(stored).toMatchObject({ userId: alice.userId, namespace: "ns-alice", threadId: "t1", content, tier: "short_term", score: 70, metadata: { a: [1, "z"], b: 2 }, summarized: false });
    expect(memory).toEqual({
      id: stored!.id,
      user_id: alice.userId,
      namespace: "ns-alice",
      thread_id: "t1",
      content,
      tier: "short_term",
      score: 70,
      metadata: { a: [1, "z"], b: 2 },
      summarized: false,
      created_at: stored!.createdAt.toISOString(),
      updated_at: stored!.updatedAt.toISOString(),
    });

    const events = await eventsOf(memory.id);
    expect(events).toHaveLength(1);
    expect(events[0]).toMatchObject({
      eventType: "memory.created",
      userId: alice.userId,
      resourceType: "memory",
      namespace: "ns-alice",
      action: "create",
      success: true,
      timestamp: stored!.createdAt,
      afterState: { ...memory, content: content.slice(0, CONTENT_PREVIEW_CHARS), content_length: content.length },
    });
    // The leaf hash computed before the insert matches the row as stored.
    expect((await sealCommittedEvents(database.db)).sealed).toBe(1);
    expect(await verifyAuditLog(database.db)).toMatchObject({ ok: true, checked: 1 });
  });

  it("stores neither the memory nor its event when the event cannot be written", async () => {
    const count = async () => (await selectRows<{ n: number }>(database.db, sql`select count(*)::int as n from memories`))[0]!.n;
    const before = await count();
    await database.db.execute(sql`create function refuse_audit() returns trigger language plpgsql as $$ begin raise exception 'audit store unavailable'; end $$`);
    await database.db.execute(sql`create trigger refuse_audit before insert on audit_logs for each row execute function refuse_audit()`);
    try {
      await expect(createMemory(database.db, alice, input({ content: "Lost if audited apart." }), context(alice))).rejects.toThrow();
    } finally {
      await database.db.execute(sql`drop trigger refuse_audit on audit_logs`);
      await database.db.execute(sql`drop function refuse_audit()`);
    }
    expect(await count()).toBe(before);
  });

  it("records an admin's access to another user's memories beside memory.created, and 404 for an unknown owner", async () => {
    const memory = await createMemory(database.db, admin, input({ content: "For Alice.", user_id: alice.userId, namespace: null }), context(admin));
    expect(memory).toMatchObject({ user_id: alice.userId, namespace: null });
    expect((await eventsOf(memory.id)).map((e) => [e.eventType, e.userId, e.metadata])).toEqual([
      ["authz.access.granted", admin.userId, { reason: "admin", owner_id: alice.userId }],
      ["memory.created", admin.userId, null],
    ]);

    const total = async () => (await selectRows<{ n: number }>(database.db, sql`select (select count(*) from memories) + (select count(*) from audit_logs) as n`))[0]!.n;
    const before = await total();
    await expect(createMemory(database.db, admin, input({ content: "Nobody's.", user_id: "no-such-user" }), context(admin))).rejects.toMatchObject({ status: 404 });
    expect(await total()).toBe(before);
  });

  it("gives concurrent creates distinct ids, rising in the order a process creates them, across reserved blocks", async () => {
    const many = await Promise.all(Array.from({ length: IDENTITY_BLOCK + 10 }, (_, i) => createMemory(database.db, alice, input({ content: `Memory ${i}.` }), context(alice))));
    expect(new Set(many.map((m) => m.id)).size).toBe(many.length);
    const first = await createMemory(database.db, alice, input({ content: "Then one." }), context(alice));
    const second = await createMemory(database.db, alice, input({ content: "Then another." }), context(alice));
    expect(second.id).toBeGreaterThan(first.id);
    expect(first.id).toBeGreaterThan(Math.max(...many.map((m) => m.id)));
    const stored = await selectRows<{ n: number }>(database.db, sql`select count(*)::int as n from memories m join audit_logs a on a.resource_id = m.id::text and a.event_type = 'memory.created' where m.content like 'Memory %'`);
    expect(stored[0]!.n).toBe(many.length);
  });
});
