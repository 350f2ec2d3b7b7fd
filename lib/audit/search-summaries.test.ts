// Text search totals from the word summaries (audit_summary_words): equal to counting the matching
// rows, whatever the roll-up has reached, across day boundaries, after erasure and retention; and
// pages read from the days nearest their start equal to pages read from every match.
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { selectRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { auditRetentionRuns } from "@/lib/db/schema";
import { erasePersonalData } from "./erasure";
import { queryAuditLogs, type AuditLogFilters } from "./query";
import { recordAuditEvents, type AuditEventInput } from "./record";
import { rollUpAuditSummaries } from "./stats";

let database: TestDatabase;

const DAY = 86_400_000;
const HOUR = 3_600_000;
const base = Date.parse("2026-03-01T00:00:00Z");
const at = (hours: number) => new Date(base + hours * HOUR);

/**
 * 200 events over 12 days, every 85 minutes (some exactly at midnight): words that share prefixes
 * within one event ("memory memories memo", "alice" with "alina"), a token with punctuation
 * (an e-mail as resource id), and two users to erase.
 */
function dataset(): AuditEventInput[] {
  const users = ["alice", "alina", "bob", "carol"];
  return Array.from({ length: 200 }, (_, i) => {
    const user = users[i % users.length]!;
    return {
      eventType: i % 2 ? "memory.created" : "auth.login.success",
      userId: `id-${user}`,
      username: user,
      resourceType: "memory",
      resourceId: i % 4 === 0 ? "alice@example.com" : `r-${i % 7}`,
      description: ["memory memories memo saved", "memo only", "routine check", i % 8 === 3 ? "alice met alina" : "quiet"][i % 4],
      errorMessage: i % 5 === 0 ? "Invalid credentials" : null,
      success: i % 5 !== 0,
      timestamp: new Date(base + (i % 17 === 0 ? Math.floor((i * 85) / 1440) * DAY : i * 85 * 60_000)),
    };
  });
}

/** The reference: matching rows counted one by one with the search document's words. */
async function countRows(q: string, start: Date, end: Date): Promise<number> {
  const words = /^[\p{L}\p{N}\s]+$/u.test(q) ? q.match(/[\p{L}\p{N}]+/gu)! : null;
  const query = words ? sql`to_tsquery('simple', ${words.map((w) => `${w}:*`).join(" & ")})` : sql`plainto_tsquery('simple', ${q})`;
  const [row] = await selectRows<{ n: number }>(
    database.db,
    sql`select count(*)::int as n from audit_logs
         where to_tsvector('simple', coalesce(description, '') || ' ' || coalesce(error_message, '') || ' ' || coalesce(username, '') || ' ' || coalesce(resource_id, '')) @@ ${query}
           and timestamp >= ${start.toISOString()}::timestamptz and timestamp <= ${end.toISOString()}::timestamptz`,
  );
  return row!.n;
}

/** Every matching id in page order, paged by cursor through the whole range. */
async function idsByCursor(filters: AuditLogFilters, order: "desc" | "asc", limit: number): Promise<number[]> {
  const ids: number[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryAuditLogs(database.db, filters, { limit, cursor, order });
    ids.push(...page.logs.map((r) => r.id));
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return ids;
}

async function idsOfAllMatches(q: string, start: Date, end: Date, order: "desc" | "asc"): Promise<number[]> {
  // Another filter (always true here) keeps the search off the summaries: every match is read.
  const page = await queryAuditLogs(database.db, { q, startTime: start, endTime: end, resourceType: "memory" }, { limit: 1000, order });
  return page.logs.map((r) => r.id);
}

const SEARCHES = ["mem", "memo", "memories", "ali", "alina", "alice", "alice@example.com", "cred", "zebra", "r"];
const RANGES: { name: string; start: Date; end: Date }[] = [
  { name: "whole days inside, partial ends", start: at(7.5), end: at(250.25) },
  { name: "from a midnight", start: at(24), end: at(200.5) },
  { name: "within one day", start: at(30), end: at(40) },
  { name: "two partial days", start: at(40), end: at(60) },
  { name: "beyond the log at both ends", start: at(-100), end: at(1000) },
  { name: "ending before it starts", start: at(50), end: at(40) },
];

async function expectTotalsEqualRows(when: string) {
  for (const q of SEARCHES) {
    for (const range of RANGES) {
      const expected = range.end < range.start ? 0 : await countRows(q, range.start, range.end);
      const page = await queryAuditLogs(database.db, { q, startTime: range.start, endTime: range.end }, { limit: 5 });
      expect(page.total, `${when}: "${q}", ${range.name}`).toBe(expected);
    }
  }
}

/**
 * Rolls up every event written so far. On a PostgreSQL server a transaction open elsewhere (another
 * test file's) holds the watermark back, so the roll-up runs again until it has passed them.
 */
async function rollUpAll() {
  const [newest] = await selectRows<{ tx: string }>(database.db, sql`select coalesce(max(tx_id), 0)::text as tx from audit_logs`);
  for (let tries = 0; ; tries++) {
    const { rolledUpBeforeTx } = await rollUpAuditSummaries(database.db);
    if (rolledUpBeforeTx > Number(newest!.tx)) return;
    if (tries > 200) throw new Error("the roll-up did not reach the newest events");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
  const events = dataset();
  // Two thirds rolled up (every third event left for later, at every time), the rest not yet.
  await recordAuditEvents(database.db, events.filter((_, i) => i % 3 !== 2));
  await rollUpAll();
  await recordAuditEvents(database.db, events.filter((_, i) => i % 3 === 2));
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe("text search totals from the word summaries", () => {
  it("the data makes the cases meaningful: words that share a prefix within one event, and matches on both sides of the roll-up", async () => {
    // An event whose words "memory", "memories", "memo" all start with "mem" counts once.
    expect(await countRows("mem", at(-1), at(1000))).toBe(dataset().filter((e) => e.description!.includes("mem")).length);
    const [summed] = await selectRows<{ n: number }>(database.db, sql`select coalesce(sum(count), 0)::int as n from audit_summary_words where word like 'mem%'`);
    expect(summed!.n).toBeGreaterThan(100);
    const [tail] = await selectRows<{ n: number }>(
      database.db,
      sql`select count(*)::int as n from audit_logs where tx_id >= (select rolled_up_before_tx from audit_rollup_state)`,
    );
    expect(tail!.n).toBeGreaterThan(50);
  });

  it("equal counting the matching rows, before, during and after roll-ups", async () => {
    await expectTotalsEqualRows("part rolled up");
    await rollUpAll();
    await expectTotalsEqualRows("all rolled up");
  });

  it("come from the summaries: a changed summary row changes the total", async () => {
    const range = RANGES[0]!;
    const before = (await queryAuditLogs(database.db, { q: "alina", startTime: range.start, endTime: range.end }, { limit: 1 })).total;
    await database.db.execute(sql`update audit_summary_words set count = count + 1000 where word = 'alina' and lcp = 0 and day = ${Math.floor((base + 3 * DAY - Date.UTC(2000, 0, 1)) / DAY)}`);
    try {
      const after = (await queryAuditLogs(database.db, { q: "alina", startTime: range.start, endTime: range.end }, { limit: 1 })).total;
      expect(after).toBe(before + 1000);
      // Several terms, or another filter, count the rows themselves.
      expect((await queryAuditLogs(database.db, { q: "alina memo", startTime: range.start, endTime: range.end }, { limit: 1 })).total).toBe(
        await countRows("alina memo", range.start, range.end),
      );
      expect((await queryAuditLogs(database.db, { q: "alina", resourceType: "memory", startTime: range.start, endTime: range.end }, { limit: 1 })).total).toBe(before);
    } finally {
      await database.db.execute(sql`update audit_summary_words set count = count - 1000 where word = 'alina' and lcp = 0 and day = ${Math.floor((base + 3 * DAY - Date.UTC(2000, 0, 1)) / DAY)}`);
    }
  });

  it("pages read from the days nearest their start equal pages of every match, by cursor and offset, both orders", async () => {
    for (const q of ["alina", "alice@example.com", "cred"]) {
      for (const range of RANGES.slice(0, 3)) {
        for (const order of ["desc", "asc"] as const) {
          const expected = await idsOfAllMatches(q, range.start, range.end, order);
          expect(await idsByCursor({ q, startTime: range.start, endTime: range.end }, order, 3), `${q}, ${range.name}, ${order}`).toEqual(expected);
          const byOffset: number[] = [];
          for (let offset = 0; offset < expected.length + 3; offset += 4) {
            const page = await queryAuditLogs(database.db, { q, startTime: range.start, endTime: range.end }, { limit: 4, offset, order });
            expect(page.total).toBe(expected.length);
            byOffset.push(...page.logs.map((r) => r.id));
          }
          expect(byOffset, `${q}, ${range.name}, ${order} by offset`).toEqual(expected);
        }
      }
    }
  });

  it("stay equal after an erasure clears words of rolled-up and of newer events", async () => {
    await recordAuditEvents(database.db, dataset().slice(0, 40).map((e) => ({ ...e, timestamp: new Date(e.timestamp!.getTime() + HOUR) })));
    const actor = { userId: "admin-1", username: "root", ipAddress: "127.0.0.1" };
    const { events_erased } = await erasePersonalData(database.db, "id-alice", actor, "request 7");
    expect(events_erased).toBeGreaterThan(50);
    expect(await countRows("alice", at(-1), at(1000))).toBeGreaterThan(0); // the e-mail and descriptions keep the word
    await expectTotalsEqualRows("after erasure");
    await rollUpAll();
    await expectTotalsEqualRows("after erasure, rolled up");
  });

  it("count the rows where retention has removed events the summaries still count", async () => {
    const range = RANGES[0]!;
    await database.db.execute(sql`update audit_summary_words set count = count + 1000 where word = 'alina'`);
    try {
      const summarized = (await queryAuditLogs(database.db, { q: "alina", startTime: range.start, endTime: range.end }, { limit: 1 })).total;
      expect(summarized).toBeGreaterThan(1000);
      await database.db.insert(auditRetentionRuns).values({ startedAt: new Date(), cutoffs: { standard: at(24).toISOString() } });
      expect((await queryAuditLogs(database.db, { q: "alina", startTime: range.start, endTime: range.end }, { limit: 1 })).total).toBe(
        await countRows("alina", range.start, range.end),
      );
    } finally {
      await database.db.execute(sql`update audit_summary_words set count = count - 1000 where word = 'alina'`);
    }
  });
});
