import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { auditRetentionRuns, type AuditLogRow } from "@/lib/db/schema";
import type { EventType } from "./events";
import { auditHistogram, bucketWidth, MAX_BUCKETS } from "./histogram";
import { allAuditLogs } from "./testing";
import { queryAuditLogs, type AuditLogFilters } from "./query";
import { recordAuditEvents, type AuditEventInput } from "./record";
import { bucketCountsFromSummaries, rollUpAuditSummaries } from "./stats";

let database: TestDatabase;
const start = new Date("2026-03-01T00:00:00Z");
const at = (minutes: number) => new Date(start.getTime() + minutes * 60_000);

beforeAll(async () => {
  database = await createTestDatabase();
  await recordAuditEvents(database.db, [
    { eventType: "auth.login.success", userId: "u1", timestamp: at(1) },
    { eventType: "auth.login.failed", success: false, userId: "u1", timestamp: at(2) },
    { eventType: "auth.login.failed", success: false, userId: "u2", timestamp: at(61) },
    { eventType: "memory.created", userId: "u2", timestamp: at(185) },
    { eventType: "memory.created", userId: "u2", timestamp: at(60 * 30) },
  ]);
}, 60_000);

afterAll(async () => {
  await database?.close();
});

describe("bucketWidth", () => {
  it("picks the narrowest width with at most MAX_BUCKETS bars", () => {
    expect(bucketWidth(3600)).toBe(60);
    expect(bucketWidth(23 * 3600)).toBe(15 * 60);
    // From a day on, bars are whole hours (read from the summaries).
    expect(bucketWidth(24 * 3600)).toBe(3600);
    expect(bucketWidth(48 * 3600)).toBe(3600);
    expect(bucketWidth(7 * 86_400)).toBe(3 * 3600);
    expect(bucketWidth(30 * 86_400)).toBe(12 * 3600);
    expect(bucketWidth(90 * 86_400)).toBe(86_400);
    for (const range of [10, 3600, 86_400, 90 * 86_400]) expect(range / bucketWidth(range)).toBeLessThanOrEqual(MAX_BUCKETS);
  });
});

describe("auditHistogram", () => {
  it("counts matching events and failures per bucket, with empty buckets filled in, adding up to the query's total", async () => {
    const filters = { startTime: start, endTime: at(48 * 60) };
    const { bucketSeconds, buckets } = await auditHistogram(database.db, filters);
    expect(bucketSeconds).toBe(3600);
    expect(buckets).toHaveLength(49);
    expect(buckets[0]).toEqual({ start: "2026-03-01T00:00:00.000Z", total: 2, failed: 1 });
    expect(buckets[1]).toEqual({ start: "2026-03-01T01:00:00.000Z", total: 1, failed: 1 });
    expect(buckets[3]).toEqual({ start: "2026-03-01T03:00:00.000Z", total: 1, failed: 0 });
    expect(buckets[2]).toMatchObject({ total: 0, failed: 0 });
    const sum = buckets.reduce((n, b) => n + b.total, 0);
    expect(sum).toBe((await queryAuditLogs(database.db, filters)).total);
    expect(sum).toBe(5);
  });

  it("applies the same filters as the table", async () => {
    const { buckets } = await auditHistogram(database.db, { startTime: start, endTime: at(48 * 60), userId: "u2", success: false });
    expect(buckets.reduce((n, b) => n + b.total, 0)).toBe(1);
    expect(buckets[1]).toEqual({ start: "2026-03-01T01:00:00.000Z", total: 1, failed: 1 });
  });
});

describe("auditHistogram from the summaries", () => {
  const HOUR = 3_600_000;
  const base = Date.parse("2026-05-04T00:00:00Z");
  const types: EventType[] = ["auth.login.success", "auth.login.failed", "memory.created", "authz.access.denied", "system.error"];
  let summarized: TestDatabase;

  function events(count: number, seed: number): AuditEventInput[] {
    return Array.from({ length: count }, (_, i) => {
      const k = i * 7919 + seed * 104729;
      return {
        eventType: types[k % types.length]!,
        userId: `u${k % 5}`,
        success: k % 4 !== 0,
        severity: k % 9 === 0 ? "warning" : "info",
        timestamp: new Date(base + ((k * 2654435761) % (20 * 24 * HOUR))),
      };
    });
  }


  const ranges = [
    { name: "a day on whole hours", start: new Date(base + 24 * HOUR), end: new Date(base + 48 * HOUR) },
    { name: "a day with ragged ends", start: new Date(base + 30 * HOUR + 1234), end: new Date(base + 54 * HOUR + 1234) },
    { name: "a week (3-hour bars)", start: new Date(base + 2 * HOUR + 5 * 60_000), end: new Date(base + 170 * HOUR + 5 * 60_000) },
    { name: "thirty days (12-hour bars)", start: new Date(base - 5 * 24 * HOUR - 7 * HOUR), end: new Date(base + 25 * 24 * HOUR - 7 * HOUR) },
    { name: "ninety days (day bars)", start: new Date(base - 60 * 24 * HOUR + 1), end: new Date(base + 30 * 24 * HOUR + 1) },
  ];
  const filterCases: { name: string; filters: AuditLogFilters; matches: (r: AuditLogRow) => boolean }[] = [
    { name: "no filter", filters: {}, matches: () => true },
    { name: "one type", filters: { eventTypes: ["memory.created"] }, matches: (r) => r.eventType === "memory.created" },
    { name: "failed", filters: { success: false }, matches: (r) => !r.success },
    { name: "security", filters: { securityOnly: true }, matches: (r) => r.severity !== "info" || !r.success },
  ];

  /** Every range and filter: the histogram equals counting the rows, and its bars came from the summaries. */
  async function expectExact(label: string) {
    const rows = await allAuditLogs(summarized.db);
    for (const range of ranges) {
      for (const { name, filters, matches } of filterCases) {
        const scoped = { ...filters, startTime: range.start, endTime: range.end };
        const { bucketSeconds, buckets } = await auditHistogram(summarized.db, scoped);
        expect(bucketSeconds % 3600, range.name).toBe(0);
        const width = bucketSeconds * 1000;
        const expected = buckets.map((b) => {
          const from = Date.parse(b.start);
          const inBar = rows.filter((r) => r.timestamp >= range.start && r.timestamp <= range.end && matches(r))
            .filter((r) => r.timestamp.getTime() >= from && r.timestamp.getTime() < from + width);
          return { start: b.start, total: inBar.length, failed: inBar.filter((r) => !r.success).length };
        });
        expect(buckets, `${label}: ${range.name}, ${name}`).toEqual(expected);
        expect(buckets.reduce((n, b) => n + b.total, 0)).toBe((await queryAuditLogs(summarized.db, scoped, { limit: 1 })).total);
        const origin = new Date(Date.parse(buckets[0]!.start));
        expect(await bucketCountsFromSummaries(summarized.db, scoped, bucketSeconds, origin), `${label}: ${range.name}, ${name}`).not.toBeNull();
      }
    }
  }

  beforeAll(async () => {
    summarized = await createTestDatabase();
  }, 60_000);

  afterAll(async () => {
    await summarized?.close();
  });

  it("equals counting the events before, after and between roll-ups", async () => {
    await recordAuditEvents(summarized.db, events(500, 1));
    await expectExact("nothing rolled up");
    expect((await rollUpAuditSummaries(summarized.db)).events).toBe(500);
    await expectExact("all rolled up");
    // Events in hours the summaries already hold are read raw until the next roll-up.
    await recordAuditEvents(summarized.db, events(120, 2));
    await expectExact("partly rolled up");
  });

  it("reads the summaries: a summary changed behind its back shows in its bar", async () => {
    await rollUpAuditSummaries(summarized.db);
    const range = { startTime: new Date(base + 24 * HOUR), endTime: new Date(base + 48 * HOUR) };
    const before = await auditHistogram(summarized.db, range);
    const [row] = await selectRows<{ bucket: string | Date; event_type: string; severity: string; success: boolean }>(
      summarized.db,
      sql`select bucket, event_type, severity, success from audit_summary_hourly
          where bucket >= ${range.startTime.toISOString()}::timestamptz and bucket < ${range.endTime.toISOString()}::timestamptz
          order by bucket limit 1`,
    );
    expect(row).toBeDefined();
    const key = sql`bucket = ${new Date(row!.bucket).toISOString()}::timestamptz and event_type = ${row!.event_type} and severity = ${row!.severity} and success = ${row!.success}`;
    await summarized.db.execute(sql`update audit_summary_hourly set count = count + 1000 where ${key}`);
    const after = await auditHistogram(summarized.db, range);
    const bar = before.buckets.findIndex((b) => Date.parse(b.start) === new Date(row!.bucket).getTime());
    expect(after.buckets[bar]!.total).toBe(before.buckets[bar]!.total + 1000);
    await summarized.db.execute(sql`update audit_summary_hourly set count = count - 1000 where ${key}`);
    expect(await auditHistogram(summarized.db, range)).toEqual(before);
  });

  it("counts the events where the summaries cannot answer: other filters, narrower bars, retention", async () => {
    const hours = (from: number, to: number) => ({ startTime: new Date(base + from * HOUR), endTime: new Date(base + to * HOUR) });
    expect(await bucketCountsFromSummaries(summarized.db, { ...hours(24, 48), userId: "u1" }, 3600, new Date(base + 24 * HOUR))).toBeNull();
    expect(await bucketCountsFromSummaries(summarized.db, hours(24, 30), 15 * 60, new Date(base + 24 * HOUR))).toBeNull();
    const byUser = await auditHistogram(summarized.db, { ...hours(24, 48), userId: "u1" });
    const rows = (await allAuditLogs(summarized.db)).filter((r) => r.userId === "u1" && r.timestamp.getTime() >= base + 24 * HOUR && r.timestamp.getTime() <= base + 48 * HOUR);
    expect(byUser.buckets.reduce((n, b) => n + b.total, 0)).toBe(rows.length);

    // Retention removed events before its cutoff that the summaries still count.
    await summarized.db.insert(auditRetentionRuns).values({ startedAt: new Date(), cutoffs: { standard: new Date(base + 36 * HOUR).toISOString() } });
    expect(await bucketCountsFromSummaries(summarized.db, hours(24, 48), 3600, new Date(base + 24 * HOUR))).toBeNull();
    expect(await bucketCountsFromSummaries(summarized.db, hours(40, 64), 3600, new Date(base + 40 * HOUR))).not.toBeNull();
  });
});
