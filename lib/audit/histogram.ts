// The time histogram above the log explorer: how many matching events (and how many failed) fell
// into each bucket of the filtered range. Same conditions as queryAuditLogs, so the bars add up
// to the table's total. Bars of whole hours come from the statistics summaries where the filters
// allow (as the table's total does); otherwise, and for narrower bars, the events are counted.
import { sql } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { auditLogs } from "@/lib/db/schema";
import { auditLogConditions, type AuditLogFilters } from "./query";
import { bucketCountsFromSummaries, type BucketCount } from "./stats";

export interface HistogramBucket {
  /** Start of the bucket (ISO 8601). */
  start: string;
  total: number;
  failed: number;
}

export interface AuditHistogram {
  bucketSeconds: number;
  buckets: HistogramBucket[];
}

const MINUTE = 60;
const HOUR = 3600;
const DAY = 86_400;
const WIDTHS = [MINUTE, 5 * MINUTE, 15 * MINUTE, HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 7 * DAY];
export const MAX_BUCKETS = 96;

/**
 * The narrowest bucket width that covers `rangeSeconds` in at most MAX_BUCKETS bars, and at
 * least an hour for a range of a day or more: the summaries hold hours, and 24 hourly bars read
 * a day's counts from them where 96 quarter-hours would count every event of the day.
 */
export function bucketWidth(rangeSeconds: number): number {
  return WIDTHS.find((w) => rangeSeconds / w <= MAX_BUCKETS && (w >= HOUR || rangeSeconds < DAY)) ?? WIDTHS.at(-1)!;
}

export async function auditHistogram(db: Database, filters: AuditLogFilters & { startTime: Date; endTime: Date }): Promise<AuditHistogram> {
  const rangeSeconds = Math.max(1, (filters.endTime.getTime() - filters.startTime.getTime()) / 1000);
  const bucketSeconds = bucketWidth(rangeSeconds);
  // Buckets align to whole widths since the epoch, so the same event always lands in the same bar.
  const origin = new Date(Math.floor(filters.startTime.getTime() / (bucketSeconds * 1000)) * bucketSeconds * 1000);
  const rows = (await bucketCountsFromSummaries(db, filters, bucketSeconds, origin)) ?? (await countPerBucket(db, filters, bucketSeconds, origin));
  const counted = new Map(rows.map((r) => [r.start, r]));
  const buckets: HistogramBucket[] = [];
  for (let t = origin.getTime(); t <= filters.endTime.getTime(); t += bucketSeconds * 1000) {
    const row = counted.get(t);
    buckets.push({ start: new Date(t).toISOString(), total: row?.total ?? 0, failed: row?.failed ?? 0 });
  }
  return { bucketSeconds, buckets };
}

/** Matching events and failed ones per bucket, counted in audit_logs. */
async function countPerBucket(db: Database, filters: AuditLogFilters, bucketSeconds: number, origin: Date): Promise<BucketCount[]> {
  const rows = await db
    .select({
      start: sql<number>`extract(epoch from date_bin(${`${bucketSeconds} seconds`}::interval, ${auditLogs.timestamp}, ${origin.toISOString()}::timestamptz))::float8`,
      total: sql<number>`count(*)::int`,
      failed: sql<number>`(count(*) filter (where not ${auditLogs.success}))::int`,
    })
    .from(auditLogs)
    .where(auditLogConditions(filters))
    .groupBy(sql`1`);
  return rows.map((r) => ({ start: Number(r.start) * 1000, total: Number(r.total), failed: Number(r.failed) }));
}
