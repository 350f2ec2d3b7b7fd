import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { auditHistogram, bucketWidth, MAX_BUCKETS } from "./histogram";
import { queryAuditLogs } from "./query";
import { recordAuditEvents } from "./record";

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
    expect(bucketWidth(24 * 3600)).toBe(15 * 60);
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
