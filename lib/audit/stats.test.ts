import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { connect, type DatabaseHandle } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { auditRetentionRuns, type AuditLogRow } from "@/lib/db/schema";
import type { EventType } from "./events";
import { allAuditLogs } from "./testing";
import { queryAuditLogs, type AuditLogFilters } from "./query";
import { recordAuditEvent, recordAuditEvents, type AuditEventInput } from "./record";
import { countFromSummaries, getAuditStatistics, rollUpAuditSummaries, type AuditStatistics } from "./stats";

let database: TestDatabase;
const HOUR = 3_600_000;
const base = Date.parse("2026-02-01T00:00:00Z");
const types: EventType[] = ["auth.login.success", "auth.login.failed", "memory.created", "authz.access.denied", "system.error"];

function events(count: number, seed: number, startMs: number, spanMs: number): AuditEventInput[] {
  return Array.from({ length: count }, (_, i) => {
    const k = i * 7919 + seed * 104729;
    return {
      eventType: types[k % types.length]!,
      userId: k % 11 === 0 ? null : `u${k % 6}`,
      username: k % 11 === 0 ? null : `user${k % 6}`,
      success: k % 4 !== 0,
      timestamp: new Date(startMs + ((k * 2654435761) % spanMs)),
    };
  });
}

/** Statistics computed the slow, obvious way: by counting the events themselves. */
function countRows(rows: AuditLogRow[], start: Date, end: Date): AuditStatistics {
  const inRange = rows.filter((r) => r.timestamp >= start && r.timestamp <= end);
  const bucketMs = end.getTime() - start.getTime() <= 48 * HOUR ? HOUR : 24 * HOUR;
  const timeline = new Map<string, { bucket: string; total: number; failed: number }>();
  for (const r of inRange) {
    const bucket = new Date(Math.floor(r.timestamp.getTime() / bucketMs) * bucketMs).toISOString();
    const entry = timeline.get(bucket) ?? { bucket, total: 0, failed: 0 };
    entry.total += 1;
    if (!r.success) entry.failed += 1;
    timeline.set(bucket, entry);
  }
  const tally = (key: (r: AuditLogRow) => string) =>
    inRange.reduce<Record<string, number>>((acc, r) => ((acc[key(r)] = (acc[key(r)] ?? 0) + 1), acc), {});
  const perUser = new Map<string, { username: string | null; count: number }>();
  for (const r of inRange) {
    if (!r.userId) continue;
    const entry = perUser.get(r.userId) ?? { username: r.username, count: 0 };
    entry.count += 1;
    perUser.set(r.userId, entry);
  }
  return {
    total_events: inRange.length,
    failed_operations: inRange.filter((r) => !r.success).length,
    unique_users: perUser.size,
    events_by_type: tally((r) => r.eventType),
    events_by_severity: tally((r) => r.severity),
    top_users: [...perUser.entries()]
      .map(([user_id, v]) => ({ user_id, username: v.username, count: v.count }))
      .sort((a, b) => b.count - a.count || a.user_id.localeCompare(b.user_id))
      .slice(0, 10),
    timeline: [...timeline.values()].sort((a, b) => a.bucket.localeCompare(b.bucket)),
    start_time: start.toISOString(),
    end_time: end.toISOString(),
  };
}


const ranges: { name: string; start: Date; end: Date }[] = [
  { name: "all ten days", start: new Date(base - HOUR), end: new Date(base + 11 * 24 * HOUR) },
  { name: "ragged edges", start: new Date(base + 5 * HOUR + 1234), end: new Date(base + 77 * HOUR + 59 * 60_000) },
  { name: "within one hour", start: new Date(base + 30 * HOUR + 60_000), end: new Date(base + 30 * HOUR + 50 * 60_000) },
  { name: "exact hours", start: new Date(base + 24 * HOUR), end: new Date(base + 48 * HOUR) },
  // Whole days come from the daily summaries, the hours around them from the hourly ones.
  { name: "exact days", start: new Date(base + 24 * HOUR), end: new Date(base + 5 * 24 * HOUR) },
  // Events lie in both end hours outside the range: those hours are read raw, not from summaries.
  { name: "end hours shared with events outside", start: new Date(base + 200 * HOUR + 30 * 60_000), end: new Date(base + 230 * HOUR + 20 * 60_000) },
  { name: "days with ragged hours", start: new Date(base + 13 * HOUR + 1), end: new Date(base + 6 * 24 * HOUR + 7 * HOUR + 30 * 60_000) },
  { name: "an empty range", start: new Date(base - 10 * HOUR), end: new Date(base - 9 * HOUR) },
];

async function expectExact(label: string): Promise<void> {
  const rows = await allAuditLogs(database.db);
  for (const range of ranges) {
    const stats = await getAuditStatistics(database.db, { startTime: range.start, endTime: range.end });
    expect(stats, `${label}: ${range.name}`).toEqual(countRows(rows, range.start, range.end));
  }
}

beforeAll(async () => {
  database = await createTestDatabase();
});

afterAll(async () => {
  await database?.close();
});

describe("getAuditStatistics", () => {
  it("equals counts computed from the rows before, after and between roll-ups", async () => {
    await recordAuditEvents(database.db, [
      ...events(400, 1, base, 10 * 24 * HOUR),
      ...[200 * HOUR + 10 * 60_000, 200 * HOUR + 50 * 60_000, 230 * HOUR + 10 * 60_000, 230 * HOUR + 40 * 60_000].map(
        (at): AuditEventInput => ({ eventType: "memory.created", userId: "edge", username: "edge", timestamp: new Date(base + at) }),
      ),
    ]);
    await expectExact("nothing rolled up");

    const first = await rollUpAuditSummaries(database.db);
    expect(first.events).toBe(404);
    await expectExact("all rolled up");

    // New events land in hours the summaries already hold; until the next roll-up they are read raw.
    await recordAuditEvents(database.db, events(150, 2, base, 10 * 24 * HOUR));
    await expectExact("partly rolled up");

    const second = await rollUpAuditSummaries(database.db);
    expect(second.events).toBe(150);
    expect((await rollUpAuditSummaries(database.db)).events).toBe(0);
    await expectExact("rolled up twice");
  });

  it("gives a page's total from the summaries for type, severity, outcome and security filters, equal to counting rows", async () => {
    // Some events the roll-up has not reached yet, beside the rolled-up ones.
    await recordAuditEvents(database.db, events(60, 3, base, 10 * 24 * HOUR));
    const rows = await allAuditLogs(database.db);
    const filterCases: { name: string; filters: AuditLogFilters; matches: (r: AuditLogRow) => boolean }[] = [
      { name: "no filter", filters: {}, matches: () => true },
      { name: "one type", filters: { eventTypes: ["memory.created"] }, matches: (r) => r.eventType === "memory.created" },
      {
        name: "two types, failed",
        filters: { eventTypes: ["auth.login.failed", "authz.access.denied"], success: false },
        matches: (r) => ["auth.login.failed", "authz.access.denied"].includes(r.eventType) && !r.success,
      },
      { name: "severity", filters: { severities: ["warning", "error"] }, matches: (r) => ["warning", "error"].includes(r.severity) },
      { name: "security", filters: { securityOnly: true }, matches: (r) => ["warning", "error", "critical"].includes(r.severity) || !r.success },
    ];
    for (const range of ranges) {
      for (const { name, filters, matches } of filterCases) {
        const inRange = rows.filter((r) => r.timestamp >= range.start && r.timestamp <= range.end && matches(r)).length;
        const scoped = { ...filters, startTime: range.start, endTime: range.end };
        expect(await countFromSummaries(database.db, scoped), `${range.name}, ${name}`).toBe(inRange);
        expect((await queryAuditLogs(database.db, scoped, { limit: 1 })).total, `${range.name}, ${name} (page)`).toBe(inRange);
      }
    }
    // Filters the summaries do not hold are counted in audit_logs.
    expect(await countFromSummaries(database.db, { userId: "u1", startTime: new Date(base), endTime: new Date(base + HOUR) })).toBeNull();
    expect(await countFromSummaries(database.db, { q: "x", startTime: new Date(base), endTime: new Date(base + HOUR) })).toBeNull();
    expect(await countFromSummaries(database.db, { eventTypes: ["memory.created"] })).toBeNull();
  });

  it("counts a page's total in audit_logs where retention may have removed events the summaries still count", async () => {
    const range = { startTime: new Date(base - HOUR), endTime: new Date(base + 11 * 24 * HOUR) };
    const before = await countFromSummaries(database.db, range);
    expect(before).toBeGreaterThan(0);
    await database.db.insert(auditRetentionRuns).values({ startedAt: new Date(), cutoffs: { standard: new Date(base + 24 * HOUR).toISOString() } });
    expect(await countFromSummaries(database.db, range)).toBeNull();
    expect((await queryAuditLogs(database.db, range, { limit: 1 })).total).toBe(before);
    // A range wholly after every cutoff still comes from the summaries.
    expect(await countFromSummaries(database.db, { startTime: new Date(base + 48 * HOUR), endTime: range.endTime })).not.toBeNull();
  });

  it("counts a just-written event at once", async () => {
    const now = new Date();
    const before = await getAuditStatistics(database.db, { startTime: new Date(now.getTime() - 3 * HOUR), endTime: new Date(now.getTime() + HOUR) });
    await recordAuditEvent(database.db, { eventType: "auth.login.failed", userId: "fresh", username: "fresh", success: false });
    const after = await getAuditStatistics(database.db, { startTime: new Date(now.getTime() - 3 * HOUR), endTime: new Date(now.getTime() + HOUR) });
    expect(after.total_events).toBe(before.total_events + 1);
    expect(after.failed_operations).toBe(before.failed_operations + 1);
    expect(after.events_by_type["auth.login.failed"]).toBe((before.events_by_type["auth.login.failed"] ?? 0) + 1);
    expect(after.top_users.find((u) => u.user_id === "fresh")).toEqual({ user_id: "fresh", username: "fresh", count: 1 });
  });

  it("buckets the timeline by hour up to 48 hours and by day beyond", async () => {
    const hourly = await getAuditStatistics(database.db, { startTime: new Date(base), endTime: new Date(base + 24 * HOUR) });
    expect(hourly.timeline.length).toBeGreaterThan(1);
    expect(hourly.timeline.every((b) => b.bucket.endsWith(":00:00.000Z"))).toBe(true);
    const daily = await getAuditStatistics(database.db, { startTime: new Date(base), endTime: new Date(base + 10 * 24 * HOUR) });
    expect(daily.timeline.every((b) => b.bucket.endsWith("T00:00:00.000Z"))).toBe(true);
    expect(daily.timeline.length).toBeLessThanOrEqual(11);
  });

  it("rejects a range that ends before it starts", async () => {
    await expect(getAuditStatistics(database.db, { startTime: new Date(base + HOUR), endTime: new Date(base) })).rejects.toThrow(RangeError);
  });
});

describe.runIf(process.env.DATABASE_URL)("the roll-up with concurrent writers (PostgreSQL)", () => {
  let other: DatabaseHandle;

  beforeAll(async () => {
    other = await connect({ url: database.url, maxConnections: 2 });
  });

  afterAll(async () => {
    await other?.close();
  });

  it("counts an event committed after a roll-up that ran while its transaction was open exactly once", async () => {
    let release!: () => void;
    const held = new Promise<void>((resolve) => (release = resolve));
    let written!: () => void;
    const wrote = new Promise<void>((resolve) => (written = resolve));
    const slow = other.db.transaction(async (tx) => {
      await recordAuditEvent(tx, { eventType: "memory.created", userId: "slow", username: "slow", timestamp: new Date(base + 3 * HOUR) });
      written();
      await held;
    });
    await wrote;
    await recordAuditEvents(database.db, events(50, 3, base, 10 * 24 * HOUR));
    await rollUpAuditSummaries(database.db);
    release();
    await slow;
    await expectExact("a slow transaction committed after the roll-up");
    await rollUpAuditSummaries(database.db);
    await expectExact("and rolled up afterwards");
    const stats = await getAuditStatistics(database.db, { startTime: new Date(base), endTime: new Date(base + 10 * 24 * HOUR) });
    expect(stats.top_users.find((u) => u.user_id === "slow")?.count ?? 0).toBe(1);
  });
});
