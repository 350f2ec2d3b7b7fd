import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { sql } from "drizzle-orm";
import { selectRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import type { AuditLogRow } from "@/lib/db/schema";
import { EVENT_TYPE_VALUES, type EventType } from "./events";
import { AuditLogger } from "./logger";
import {
  getAuditLog,
  decodeCursor,
  getSecurityEvents,
  getUserActivity,
  InvalidCursorError,
  queryAuditLogs,
  type AuditLogFilters,
} from "./query";
import { recordAuditEvents, type AuditEventInput } from "./record";

let database: TestDatabase;
let rows: AuditLogRow[];

const base = Date.parse("2026-01-01T00:00:00Z");
const HOUR = 3_600_000;
const users = ["alice", "bob", "carol", "dave"];
const types: EventType[] = [
  "auth.login.success",
  "auth.login.failed",
  "memory.created",
  "memory.retrieved",
  "memory.searched",
  "authz.access.denied",
  "security.breach.attempt",
  "cluster.updated",
];

/** 240 events over 10 days with every filterable column varied. */
function dataset(): AuditEventInput[] {
  return Array.from({ length: 240 }, (_, i) => {
    const user = users[i % users.length]!;
    const eventType = types[i % types.length]!;
    return {
      eventType,
      userId: `id-${user}`,
      username: user,
      sessionId: `s-${i % 6}`,
      ipAddress: `198.51.100.${i % 5}`,
      resourceType: i % 3 === 0 ? "memory" : "cluster",
      resourceId: `r-${i % 7}`,
      namespace: i % 2 ? "work" : "home",
      success: i % 5 !== 0,
      description: i % 10 === 0 ? `quarterly budget review ${i}` : `routine ${eventType}`,
      errorMessage: i % 5 === 0 ? "Invalid credentials for the account" : null,
      // Several events share a timestamp, so paging must order ties by id.
      timestamp: new Date(base + Math.floor(i / 2) * 2 * HOUR),
    };
  });
}

beforeAll(async () => {
  database = await createTestDatabase();
  rows = await recordAuditEvents(database.db, dataset());
});

afterAll(async () => {
  await database?.close();
});

const newestFirst = (a: AuditLogRow, b: AuditLogRow) =>
  b.timestamp.getTime() - a.timestamp.getTime() || b.id - a.id;

const within = (from?: Date, to?: Date) => (r: AuditLogRow) =>
  (!from || r.timestamp >= from) && (!to || r.timestamp <= to);

const t = (hours: number) => new Date(base + hours * HOUR);

const cases: { name: string; filters: AuditLogFilters; expected: (r: AuditLogRow) => boolean }[] = [
  { name: "no filter", filters: {}, expected: () => true },
  { name: "one event type", filters: { eventTypes: ["auth.login.failed"] }, expected: (r) => r.eventType === "auth.login.failed" },
  {
    name: "a list of event types",
    filters: { eventTypes: ["memory.created", "memory.searched"] },
    expected: (r) => ["memory.created", "memory.searched"].includes(r.eventType),
  },
  { name: "user_id", filters: { userId: "id-bob" }, expected: (r) => r.userId === "id-bob" },
  { name: "username", filters: { username: "carol" }, expected: (r) => r.username === "carol" },
  { name: "resource_type", filters: { resourceType: "memory" }, expected: (r) => r.resourceType === "memory" },
  { name: "resource_id", filters: { resourceId: "r-3" }, expected: (r) => r.resourceId === "r-3" },
  { name: "namespace", filters: { namespace: "work" }, expected: (r) => r.namespace === "work" },
  { name: "session_id", filters: { sessionId: "s-4" }, expected: (r) => r.sessionId === "s-4" },
  { name: "ip_address", filters: { ipAddress: "198.51.100.2" }, expected: (r) => r.ipAddress === "198.51.100.2" },
  { name: "success=false", filters: { success: false }, expected: (r) => !r.success },
  { name: "success=true", filters: { success: true }, expected: (r) => r.success },
  { name: "one severity", filters: { severities: ["critical"] }, expected: (r) => r.severity === "critical" },
  {
    name: "a list of severities",
    filters: { severities: ["warning", "error"] },
    expected: (r) => r.severity === "warning" || r.severity === "error",
  },
  { name: "q: a word in the description", filters: { q: "budget" }, expected: (r) => !!r.description?.includes("budget") },
  { name: "q: a word prefix", filters: { q: "quarter" }, expected: (r) => !!r.description?.includes("quarterly") },
  {
    name: "q: a word in the error message",
    filters: { q: "credentials" },
    expected: (r) => !!r.errorMessage?.includes("credentials"),
  },
  { name: "q: a username", filters: { q: "dave" }, expected: (r) => r.username === "dave" },
  { name: "q: a resource id", filters: { q: "r-6" }, expected: (r) => r.resourceId === "r-6" },
  { name: "q: nothing matches", filters: { q: "zebra" }, expected: () => false },
  { name: "q: punctuation only", filters: { q: "';--" }, expected: () => false },
  { name: "q: two words, both prefixes", filters: { q: "budg rev" }, expected: (r) => !!r.description?.includes("budget review") },
  // The index holds words by day: a range's first and last days are partial, its days in between whole.
  {
    name: "q in a range that starts and ends inside days",
    filters: { q: "dave", startTime: t(25), endTime: t(97) },
    expected: (r) => r.username === "dave" && within(t(25), t(97))(r),
  },
  {
    name: "q in a range across one midnight",
    filters: { q: "routine", startTime: t(45), endTime: t(49) },
    expected: (r) => !!r.description?.startsWith("routine") && within(t(45), t(49))(r),
  },
  { name: "q from a start inside a day", filters: { q: "routine", startTime: t(130) }, expected: (r) => !!r.description?.startsWith("routine") && within(t(130))(r) },
  { name: "q until an end inside a day", filters: { q: "budget", endTime: t(61) }, expected: (r) => !!r.description?.includes("budget") && within(undefined, t(61))(r) },
  { name: "q in a range after the last event (nothing)", filters: { q: "dave", startTime: t(1000) }, expected: () => false },
  { name: "q in a range before the first event (nothing)", filters: { q: "dave", endTime: t(-1) }, expected: () => false },
  { name: "q in a range that ends before it starts (nothing)", filters: { q: "dave", startTime: t(50), endTime: t(40) }, expected: () => false },
  { name: "start_time", filters: { startTime: t(200) }, expected: within(t(200)) },
  { name: "end_time", filters: { endTime: t(10) }, expected: within(undefined, t(10)) },
  { name: "a time range (inclusive)", filters: { startTime: t(20), endTime: t(40) }, expected: within(t(20), t(40)) },
  {
    name: "combined: user, failed, time range",
    filters: { userId: "id-alice", success: false, startTime: t(0), endTime: t(300) },
    expected: (r) => r.userId === "id-alice" && !r.success && within(t(0), t(300))(r),
  },
  {
    name: "combined: types, namespace, resource and text",
    filters: { eventTypes: ["auth.login.success", "memory.created"], namespace: "home", resourceType: "memory", q: "routine" },
    expected: (r) =>
      ["auth.login.success", "memory.created"].includes(r.eventType) &&
      r.namespace === "home" &&
      r.resourceType === "memory" &&
      !!r.description?.startsWith("routine"),
  },
  {
    name: "security events only",
    filters: { securityOnly: true },
    expected: (r) => ["warning", "error", "critical"].includes(r.severity) || !r.success,
  },
];

describe("queryAuditLogs", () => {
  it.each(cases)("filters by $name: every match newest first, total counts all", async ({ filters, expected }) => {
    const matching = rows.filter(expected).sort(newestFirst);
    const page = await queryAuditLogs(database.db, filters, { limit: 1000 });
    expect(page.total).toBe(matching.length);
    expect(page.logs.map((r) => r.id)).toEqual(matching.map((r) => r.id));
  });

  it.each(cases.filter((c) => c.filters.q))("without a total (exports) finds the same rows for $name", async ({ filters, expected }) => {
    const matching = rows.filter(expected).sort(newestFirst);
    const page = await queryAuditLogs(database.db, filters, { limit: 1000, withTotal: false });
    expect(page.logs.map((r) => r.id)).toEqual(matching.map((r) => r.id));
  });

  it("the seeded data makes every case meaningful", () => {
    for (const { name, expected } of cases) {
      const n = rows.filter(expected).length;
      if (name === "no filter" || name.startsWith("success=true")) continue;
      if (name.includes("nothing") || name.includes("punctuation")) expect(n).toBe(0);
      else {
        expect(n, name).toBeGreaterThan(0);
        expect(n, name).toBeLessThan(rows.length);
      }
    }
  });

  it("pages with limit and offset; total is all matches, not the page", async () => {
    const matching = rows.filter((r) => r.userId === "id-bob").sort(newestFirst);
    const seen: number[] = [];
    for (let offset = 0; offset < matching.length; offset += 7) {
      const page = await queryAuditLogs(database.db, { userId: "id-bob" }, { limit: 7, offset });
      expect(page.total).toBe(matching.length);
      expect(page.logs.length).toBe(Math.min(7, matching.length - offset));
      seen.push(...page.logs.map((r) => r.id));
    }
    expect(seen).toEqual(matching.map((r) => r.id));
    const past = await queryAuditLogs(database.db, { userId: "id-bob" }, { limit: 7, offset: 1000 });
    expect(past).toMatchObject({ logs: [], total: matching.length });
  });

  it("pages with a cursor through ties in time without gaps or repeats", async () => {
    const all = [...rows].sort(newestFirst);
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryAuditLogs(database.db, {}, { limit: 9, cursor });
      expect(page.total).toBe(rows.length);
      seen.push(...page.logs.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it("pages oldest first with order asc, by offset and by cursor, through ties in time", async () => {
    const all = [...rows].sort(newestFirst).reverse();
    const first = await queryAuditLogs(database.db, {}, { limit: 5, order: "asc" });
    expect(first.logs.map((r) => r.id)).toEqual(all.slice(0, 5).map((r) => r.id));
    const seen: number[] = [];
    let cursor: string | undefined;
    do {
      const page = await queryAuditLogs(database.db, {}, { limit: 9, cursor, order: "asc" });
      seen.push(...page.logs.map((r) => r.id));
      cursor = page.nextCursor ?? undefined;
    } while (cursor);
    expect(seen).toEqual(all.map((r) => r.id));
  });

  it.each([
    { name: "a text search (matches found once through the word index)", filters: { q: "dave" }, matches: (r: AuditLogRow) => r.username === "dave" },
    { name: "one event type (ids read from its index first)", filters: { eventTypes: ["auth.login.failed"] }, matches: (r: AuditLogRow) => r.eventType === "auth.login.failed" },
  ])("pages $name by offset and by cursor, both orders", async ({ filters, matches }) => {
    const matching = rows.filter(matches).sort(newestFirst);
    expect(matching.length).toBeGreaterThan(8);
    for (const order of ["desc", "asc"] as const) {
      const expected = (order === "desc" ? matching : [...matching].reverse()).map((r) => r.id);
      const byCursor: number[] = [];
      let cursor: string | undefined;
      do {
        const page = await queryAuditLogs(database.db, filters, { limit: 4, cursor, order });
        expect(page.total).toBe(matching.length);
        byCursor.push(...page.logs.map((r) => r.id));
        cursor = page.nextCursor ?? undefined;
      } while (cursor);
      expect(byCursor, order).toEqual(expected);
      const byOffset: number[] = [];
      for (let offset = 0; offset < matching.length; offset += 4) {
        const page = await queryAuditLogs(database.db, filters, { limit: 4, offset, order });
        expect(page.nextCursor === null).toBe(offset + 4 >= matching.length);
        byOffset.push(...page.logs.map((r) => r.id));
      }
      expect(byOffset, order).toEqual(expected);
    }
    // A page past the end still tells the total.
    expect(await queryAuditLogs(database.db, filters, { limit: 4, offset: matching.length })).toMatchObject({ logs: [], total: matching.length, nextCursor: null });
    // The page's rows are whole, as one row read by id.
    const [first] = (await queryAuditLogs(database.db, filters, { limit: 1 })).logs;
    expect(first).toEqual(await getAuditLog(database.db, matching[0]!.id));
  });

  it("rejects a cursor it did not issue and out-of-range pages", async () => {
    await expect(queryAuditLogs(database.db, {}, { cursor: "bm90LWEtY3Vyc29y" })).rejects.toBeInstanceOf(InvalidCursorError);
    expect(decodeCursor("%%%")).toBeNull();
    await expect(queryAuditLogs(database.db, {}, { limit: 0 })).rejects.toThrow(RangeError);
    await expect(queryAuditLogs(database.db, {}, { limit: 1001 })).rejects.toThrow(RangeError);
    await expect(queryAuditLogs(database.db, {}, { offset: -1 })).rejects.toThrow(RangeError);
  });
});

describe("user activity and security events", () => {
  it("getUserActivity returns one user's events in the range, newest first", async () => {
    const expected = rows.filter((r) => r.userId === "id-carol" && within(t(50), t(150))(r)).sort(newestFirst);
    const page = await getUserActivity(database.db, "id-carol", { startTime: t(50), endTime: t(150) }, { limit: 1000 });
    expect(page.total).toBe(expected.length);
    expect(page.logs.map((r) => r.id)).toEqual(expected.map((r) => r.id));
  });

  it("getSecurityEvents returns warning+ or failed events and nothing else", async () => {
    const page = await getSecurityEvents(database.db, { startTime: t(0) }, { limit: 1000 });
    const expected = rows.filter((r) => ["warning", "error", "critical"].includes(r.severity) || !r.success);
    expect(page.total).toBe(expected.length);
    expect(page.logs.every((r) => r.severity !== "info" || !r.success)).toBe(true);
    expect(new Set(page.logs.map((r) => r.eventType))).toContain("security.breach.attempt");
    expect(page.logs.some((r) => r.eventType === "memory.created" && r.success)).toBe(false);
  });
});

describe("AuditLogger", () => {
  it("offers the original API: log helpers, queries, user activity, security events, statistics", async () => {
    const logger = new AuditLogger(database.db, { enabled: true });
    const login = await logger.logAuthEvent("auth.login.failed", {
      userId: "u-9",
      username: "erin",
      ipAddress: "192.0.2.1",
      success: false,
      errorMessage: "Invalid credentials",
    });
    expect(login).toMatchObject({ eventType: "auth.login.failed", severity: "warning", resourceType: "auth", action: "login.failed" });
    const memory = await logger.logMemoryEvent("memory.created", { userId: "u-9", memoryId: 42, afterState: { content: "hi" } });
    expect(memory).toMatchObject({ resourceType: "memory", resourceId: "42", action: "created", complianceTags: ["data_access"] });
    const denied = await logger.logAuthorizationEvent({
      userId: "u-9",
      resourceType: "memory",
      resourceId: 7,
      action: "read",
      granted: false,
      reason: "Can only access your own memories",
    });
    expect(denied).toMatchObject({ eventType: "authz.access.denied", success: false, severity: "warning" });
    const granted = await logger.logAuthorizationEvent({ userId: "u-9", resourceType: "memory", action: "read", granted: true, reason: "Owner access" });
    expect(granted).toMatchObject({ eventType: "authz.access.granted", success: true, metadata: { reason: "Owner access" } });

    expect((await logger.queryLogs({ userId: "u-9" })).total).toBe(4);
    expect((await logger.getUserActivity("u-9")).total).toBe(4);
    const security = await logger.getSecurityEvents({ startTime: new Date(Date.now() - HOUR) });
    expect(security.logs.map((r) => r.eventType).sort()).toEqual(["auth.login.failed", "authz.access.denied"]);
    const stats = await logger.getStatistics({ startTime: new Date(Date.now() - HOUR) });
    expect(stats).toMatchObject({ total_events: 4, failed_operations: 2, unique_users: 1 });
  });

  it("when disabled writes nothing and answers empty results", async () => {
    const logger = new AuditLogger(database.db, { enabled: false });
    expect(await logger.logEvent({ eventType: "system.error", userId: "ghost" })).toBeNull();
    expect(await logger.logAuthEvent("auth.logout", { userId: "ghost" })).toBeNull();
    expect(await logger.queryLogs()).toMatchObject({ logs: [], total: 0 });
    expect(await logger.getUserActivity("id-alice")).toMatchObject({ logs: [], total: 0 });
    expect(await logger.getSecurityEvents()).toMatchObject({ logs: [], total: 0 });
    expect(await logger.getStatistics({ startTime: new Date(base) })).toMatchObject({ total_events: 0, events_by_type: {} });
    const enabled = new AuditLogger(database.db, { enabled: true });
    expect((await enabled.queryLogs({ userId: "ghost" })).total).toBe(0);
    expect(EVENT_TYPE_VALUES).toContain("system.error");
  });
});

describe("text search over infinite timestamps", () => {
  // The column takes 'infinity' and '-infinity' (the writer never stores them, a restore or a direct
  // insert can); the index gives them days of their own, found when the range is open on that side.
  let own: TestDatabase;
  const ids: Record<"finite" | "future" | "past", number> = { finite: 0, future: 0, past: 0 };

  beforeAll(async () => {
    own = await createTestDatabase();
    const [row] = await recordAuditEvents(own.db, [{ eventType: "auth.login.success", username: "zed", timestamp: new Date(base) }]);
    ids.finite = row!.id;
    for (const [key, time] of [["future", "infinity"], ["past", "-infinity"]] as const) {
      const [copy] = await selectRows<{ id: string | number }>(
        own.db,
        sql.raw(`insert into audit_logs (event_type, severity, username, leaf_hash, writer_mac, timestamp)
                 select event_type, severity, username, leaf_hash, writer_mac, '${time}' from audit_logs where id = ${ids.finite} returning id`),
      );
      ids[key] = Number(copy!.id);
    }
  });

  afterAll(async () => {
    await own?.close();
  });

  it.each([
    { name: "no range", filters: {}, expected: ["future", "finite", "past"] },
    { name: "a start", filters: { startTime: t(-1) }, expected: ["future", "finite"] },
    { name: "an end", filters: { endTime: t(1) }, expected: ["finite", "past"] },
    { name: "both bounds", filters: { startTime: t(-1), endTime: t(1) }, expected: ["finite"] },
  ] as const)("finds them by $name", async ({ filters, expected }) => {
    const page = await queryAuditLogs(own.db, { ...filters, q: "zed" }, { limit: 10 });
    expect(page.total).toBe(expected.length);
    expect(page.logs.map((r) => r.id)).toEqual(expected.map((key) => ids[key]));
  });
});
