// The postgres.js client prepares every statement (one round trip each instead of two) and plans
// each execution for its own values, in and out of transactions; one-statement writes run on
// sessions that may keep a generic plan; no session compiles with JIT.
import os from "node:os";
import { eq, sql } from "drizzle-orm";
import { drizzle } from "drizzle-orm/postgres-js";
import postgres from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { changeWithAuditEvents, recordAuditEvent } from "@/lib/audit/record";
import { auditLogs, memories, users } from "./schema";
import { databasePoolSize, genericPlanSessions, nextIdentity, selectRows, type Database } from "./client";
import { createTestDatabase, preparedPlans, type TestDatabase } from "./testing";

describe("the server's pool size", () => {
  it("is the setting when set, else one connection a core from 2 to 10", () => {
    expect(databasePoolSize(1)).toBe(1);
    expect(databasePoolSize(40)).toBe(40);
    expect(databasePoolSize(undefined)).toBe(Math.min(10, Math.max(2, os.availableParallelism())));
  });
});

describe.skipIf(!process.env.DATABASE_URL)("postgres.js client", () => {
  let handle: TestDatabase;

  // One connection, so that pg_prepared_statements is the session's that ran the queries.
  beforeAll(async () => (handle = await createTestDatabase({ maxConnections: 1 })));
  afterAll(() => handle?.close());

  const prepared = (like: string, db: Database = handle.db) => preparedPlans(db, like);

  it("prepares drizzle's statements and plans each execution for its values", async () => {
    for (let i = 0; i < 8; i++) await handle.db.select({ id: users.id }).from(users).where(eq(users.username, `nobody-${i}`));
    const [statement, ...others] = await prepared(`select "id" from "users" where "users"."username" = $1%`);
    expect(others).toEqual([]);
    // Eight executions, eight custom plans: PostgreSQL would switch to a generic plan after five.
    expect(statement).toMatchObject({ generic_plans: 0, custom_plans: 8 });
    const [mode] = await selectRows<{ plan_cache_mode: string }>(handle.db, sql`show plan_cache_mode`);
    expect(mode?.plan_cache_mode).toBe("force_custom_plan");
  });

  it("prepares the statements of a transaction, which still commits or rolls back as one", async () => {
    await handle.db.transaction(async (tx) => {
      await recordAuditEvent(tx, { eventType: "system.startup", action: "test" }, { enabled: true });
    });
    await expect(
      handle.db.transaction(async (tx) => {
        await recordAuditEvent(tx, { eventType: "system.startup", action: "rolled back" }, { enabled: true });
        throw new Error("stop");
      }),
    ).rejects.toThrow("stop");
    expect((await prepared(`insert into "audit_logs" %`)).length).toBe(1);
    const actions = await handle.db.select({ action: auditLogs.action }).from(auditLogs);
    expect(actions).toEqual([{ action: "test" }]);
  });

  it("runs one-statement writes on their own sessions, where a write keeps a generic plan after five executions", async () => {
    const writes = genericPlanSessions(handle.db);
    expect(writes).not.toBe(handle.db);
    for (let i = 0; i < 8; i++) {
      const id = await nextIdentity(handle.db, memories);
      const now = new Date();
      await changeWithAuditEvents(
        handle.db,
        handle.db.insert(memories).overridingSystemValue().values({ id, userId: "u1", content: `memory ${i}`, createdAt: now, updatedAt: now }),
        [{ eventType: "memory.created", resourceType: "memory", resourceId: id, action: "create" }],
        { enabled: true },
      );
    }
    const [statement, ...others] = await prepared("with c0 as (insert into %", writes);
    expect(others).toEqual([]);
    expect(statement).toMatchObject({ custom_plans: 5, generic_plans: 3 });
    expect(await prepared("with c0 as (insert into %")).toEqual([]);
    const [mode] = await selectRows<{ plan_cache_mode: string }>(writes, sql`show plan_cache_mode`);
    expect(mode?.plan_cache_mode).toBe("auto");
    const [stored] = await selectRows<{ memories: number; events: number }>(
      handle.db,
      sql`select (select count(*)::int from memories) as memories, (select count(*)::int from audit_logs where event_type = 'memory.created') as events`,
    );
    expect(stored).toEqual({ memories: 8, events: 8 });
  });

  // With the thresholds at 0 PostgreSQL would compile any statement: the plan says whether it did.
  const JIT_ALWAYS = ["jit_above_cost", "jit_inline_above_cost", "jit_optimize_above_cost"].map((name) => `set local ${name} = 0`);
  const explainAnalyzed = "explain (analyze, format json) select sum(g) from generate_series(1, 1000) g where g % 7 = 3";

  it("never compiles a statement with JIT, on either pool, however costly the planner thinks it is", async () => {
    const jitUsed = async (db: Database) =>
      db.transaction(async (tx) => {
        for (const statement of JIT_ALWAYS) await tx.execute(sql.raw(statement));
        const [row] = await selectRows<{ "QUERY PLAN": [{ JIT?: unknown }] }>(tx, sql.raw(explainAnalyzed));
        return row!["QUERY PLAN"][0].JIT !== undefined;
      });
    for (const db of [handle.db, genericPlanSessions(handle.db)]) {
      const [setting] = await selectRows<{ jit: string }>(db, sql`show jit`);
      expect(setting?.jit).toBe("off");
      expect(await jitUsed(db)).toBe(false);
    }
    // The same statement on a session of PostgreSQL's defaults is compiled, where the server can.
    const plain = postgres(handle.url!, { max: 1, onnotice: () => {} });
    try {
      const db = drizzle({ client: plain }) as unknown as Database;
      const [server] = await selectRows<{ available: boolean }>(db, sql`select pg_jit_available() as available`);
      expect(await jitUsed(db)).toBe(server!.available);
    } finally {
      await plain.end({ timeout: 5 });
    }
  });
});
