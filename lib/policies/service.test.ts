import { eq } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { Actor } from "@/lib/auth/authenticate";
import { createTestActor } from "@/lib/auth/testing";
import { queryAuditLogs } from "@/lib/audit/query";
import type { Database } from "@/lib/db/client";
import { memories } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { fitPieces, leadingSentences, truncateText, type MemoryRow } from "@/lib/memories/service";
import { POLICY_CONFIG } from "./schemas";
import { planMemoryChange, runPolicies, tierForAge } from "./service";

const DAY = 86_400_000;
const NOW = new Date("2026-06-01T00:00:00Z");

function memory(overrides: Partial<MemoryRow>): MemoryRow {
  return {
    id: 1,
    userId: "u1",
    namespace: null,
    threadId: null,
    content: "Short.",
    tier: "short_term",
    score: 50,
    metadata: {},
    summarized: false,
    createdAt: NOW,
    updatedAt: NOW,
    ...overrides,
  };
}

describe("text helpers", () => {
  it("truncateText keeps a prefix and ends in an ellipsis, within the limit", () => {
    expect(truncateText("abcdef", 10)).toBe("abcdef");
    expect(truncateText("abcdefghij", 5)).toBe("abcd…");
    expect(truncateText("ab  cdefgh", 5)).toBe("ab…");
    // Never half of a surrogate pair.
    expect(truncateText("a😀bcd", 3)).toBe("a…");
  });

  it("leadingSentences takes whole sentences that fit, or cuts the first", () => {
    expect(leadingSentences("One. Two!  Three?\nFour.", 15)).toBe("One. Two!");
    expect(leadingSentences("A very long first sentence.", 10)).toBe("A very lo…");
    expect(fitPieces([], 10)).toBe("");
  });
});

describe("the policy plan of one memory", () => {
  it("migrates by age since creation, through as many tiers as the age passes", () => {
    expect(tierForAge("short_term", 7 * DAY)).toBe("short_term");
    expect(tierForAge("short_term", 7 * DAY + 1)).toBe("mid_term");
    expect(tierForAge("short_term", 31 * DAY)).toBe("long_term");
    expect(tierForAge("mid_term", 8 * DAY)).toBe("mid_term");
    expect(tierForAge("long_term", 1000 * DAY)).toBe("long_term");
  });

  it("summarizes long mid and long term memories, keeping the original length", () => {
    const content = `${"First sentence here. ".repeat(200)}`;
    const change = planMemoryChange(memory({ tier: "mid_term", content, createdAt: new Date(NOW.getTime() - DAY) }), NOW)!;
    expect(change.steps).toEqual(["summarize"]);
    expect(change.after.summarized).toBe(true);
    expect(change.after.content.length).toBeLessThanOrEqual(POLICY_CONFIG.summarization.target_chars);
    expect(change.after.content.startsWith("First sentence here. First sentence here.")).toBe(true);
    expect(change.after.metadata).toEqual({ original_length: content.length });
  });

  it("trims what exceeds its tier's cap, and leaves recent short-term memories verbatim otherwise", () => {
    const change = planMemoryChange(memory({ content: "x".repeat(5000) }), NOW)!;
    expect(change.steps).toEqual(["trim"]);
    expect(change.after.content).toHaveLength(4000);
    expect(change.after.content.endsWith("…")).toBe(true);
    expect(change.after.metadata).toEqual({ trimmed_from: 5000 });
    expect(planMemoryChange(memory({ content: "y".repeat(3000) }), NOW)).toBeNull();
  });

  it("migrates, then summarizes, then trims, and a second pass changes nothing", () => {
    const old = memory({ content: "word ".repeat(600), createdAt: new Date(NOW.getTime() - 40 * DAY) });
    const change = planMemoryChange(old, NOW)!;
    expect(change.steps).toEqual(["migrate", "summarize"]);
    expect(change.after.tier).toBe("long_term");
    expect(planMemoryChange(change.after, NOW)).toBeNull();
    const longTerm = memory({ tier: "long_term", content: "z".repeat(1200) });
    expect(planMemoryChange(longTerm, NOW)!.steps).toEqual(["trim"]);
  });

  it("leaves thread summaries alone", () => {
    const summary = memory({ content: "s".repeat(9000), metadata: { kind: "thread_summary" }, createdAt: new Date(0) });
    expect(planMemoryChange(summary, NOW)).toBeNull();
  });
});

describe("runPolicies on a database", () => {
  let database: TestDatabase;
  let admin: Actor;

  beforeAll(async () => {
    database = await createTestDatabase();
    admin = await createTestActor(database.db, "root", ["admin"]);
  });

  afterAll(async () => {
    await database?.close();
  });

  it("records policy.failed outside the failed transaction, rolls back its changes and rethrows", async () => {
    const [row] = await database.db
      .insert(memories)
      .values({ userId: admin.userId, content: "x".repeat(5000), createdAt: new Date(Date.now() - 10 * DAY) })
      .returning({ id: memories.id });
    const db = database.db;
    // A database whose transactions do their work and then fail, as a lost connection would.
    const failing = new Proxy(db, {
      get(target, prop, receiver) {
        if (prop === "transaction") {
          return (work: (tx: Database) => Promise<unknown>) =>
            target.transaction(async (tx) => {
              await work(tx);
              throw new Error("connection lost");
            });
        }
        return Reflect.get(target, prop, receiver);
      },
    });

    await expect(runPolicies(failing, admin, { dry_run: false }, { userId: admin.userId, username: "root" })).rejects.toThrow("connection lost");

    const [after] = await db.select().from(memories).where(eq(memories.id, row!.id));
    expect(after).toMatchObject({ tier: "short_term", content: "x".repeat(5000) });
    const failed = await queryAuditLogs(db, { eventTypes: ["policy.failed"] });
    expect(failed.total).toBe(1);
    expect(failed.logs[0]).toMatchObject({
      severity: "error",
      success: false,
      userId: admin.userId,
      resourceType: "policy",
      errorMessage: "connection lost",
      metadata: { dry_run: false, user_id: null },
    });
    const checked = await queryAuditLogs(db, { eventTypes: ["authz.permission.checked"] });
    expect(checked.logs[0]).toMatchObject({ severity: "debug", metadata: { permission: "policies:run", granted: true } });
    expect((await queryAuditLogs(db, { eventTypes: ["policy.executed", "memory.updated"] })).total).toBe(0);

    const result = await runPolicies(db, admin, { dry_run: false }, { userId: admin.userId, username: "root" });
    expect(result).toMatchObject({ migrated: 1, summarized: 1, trimmed: 0 });
  });
});
