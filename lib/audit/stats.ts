// Audit statistics, exact yet cheap: whole days are read from the daily roll-ups (when the timeline
// is by day; per user, whole weeks from the weekly ones), the whole hours around them from the
// hourly ones, and only the events the roll-up has not reached yet, plus the partial hours at the
// ends of the range when their hours hold events outside it, are read from audit_logs. The roll-up job is the only writer of the summaries.
import { sql, type SQL } from "drizzle-orm";
import { selectRows, type Database } from "@/lib/db/client";
import { SECURITY_SEVERITIES } from "./events";
import { searchDaySql } from "./search-day";
import { writableWatermarkSql } from "./watermark";
import type { AuditLogFilters } from "./query";

export interface AuditStatistics {
  total_events: number;
  failed_operations: number;
  unique_users: number;
  events_by_type: Record<string, number>;
  events_by_severity: Record<string, number>;
  timeline: { bucket: string; total: number; failed: number }[];
  top_users: { user_id: string; username: string | null; count: number }[];
  start_time: string;
  end_time: string;
}

export interface StatisticsRange {
  startTime: Date;
  endTime: Date;
  /** Timeline bucket; by default hours for ranges up to 48 h, days beyond. */
  bucket?: "hour" | "day";
  topUsers?: number;
}

const HOUR_MS = 3_600_000;
export const DAY_MS = 86_400_000;

/** A time as a SQL parameter both drivers accept (postgres.js refuses Date objects in raw SQL). */
const at = (time: Date) => sql`${time.toISOString()}::timestamptz`;

function floorHour(time: Date): Date {
  return new Date(Math.floor(time.getTime() / HOUR_MS) * HOUR_MS);
}

function ceilHour(time: Date): Date {
  return new Date(Math.ceil(time.getTime() / HOUR_MS) * HOUR_MS);
}

const floorDay = (time: Date) => new Date(Math.floor(time.getTime() / DAY_MS) * DAY_MS);
const ceilDay = (time: Date) => new Date(Math.ceil(time.getTime() / DAY_MS) * DAY_MS);
// Weeks start on Monday 00:00 UTC, as date_trunc('week') has them; 1969-12-29 was a Monday.
const WEEK_MS = 7 * DAY_MS;
const MONDAY = -3 * DAY_MS;
const floorWeek = (time: Date) => new Date(Math.floor((time.getTime() - MONDAY) / WEEK_MS) * WEEK_MS + MONDAY);
const ceilWeek = (time: Date) => new Date(Math.ceil((time.getTime() - MONDAY) / WEEK_MS) * WEEK_MS + MONDAY);

interface StatisticsRow {
  kind: "total" | "type" | "severity" | "timeline" | "user" | "unique_users";
  key: string | null;
  label: string | null;
  bucket: Date | string | null;
  total: string | number;
  failed: string | number;
}

/** Statistics of a range with no events. */
export function emptyStatistics(start: Date, end: Date): AuditStatistics {
  return {
    total_events: 0,
    failed_operations: 0,
    unique_users: 0,
    events_by_type: {},
    events_by_severity: {},
    timeline: [],
    top_users: [],
    start_time: start.toISOString(),
    end_time: end.toISOString(),
  };
}

/**
 * How a range [start, end] splits: whole UTC weeks (per-user counts only) and days (when `useDays`)
 * from the weekly and daily summaries, the whole hours around them from the hourly ones, and the
 * partial hours at the ends, [start, hourStart) and [hourEnd, end], from audit_logs — unless the
 * rest of such an hour holds no event (decided inside the statement, see rangeCtes).
 */
interface RangePlan {
  start: Date;
  end: Date;
  hourStart: Date;
  hourEnd: Date;
  dayStart: Date;
  dayEnd: Date;
  weekStart: Date;
  weekEnd: Date;
  headHour: Date;
  headPossible: boolean;
  withinOneHour: boolean;
  tailAfter: Date;
}

function planRange(start: Date, end: Date, useDays: boolean): RangePlan {
  // Whole hours [hourStart, hourEnd) come from the summaries; when the range lies within one
  // hour there are none, and every event is read raw.
  let hourStart = ceilHour(start);
  let hourEnd = floorHour(end);
  const withinOneHour = hourStart.getTime() >= hourEnd.getTime();
  if (withinOneHour) hourStart = hourEnd = start;
  let dayStart = hourEnd;
  let dayEnd = hourEnd;
  if (useDays && ceilDay(hourStart).getTime() < floorDay(hourEnd).getTime()) {
    dayStart = ceilDay(hourStart);
    dayEnd = floorDay(hourEnd);
  }
  let weekStart = dayEnd;
  let weekEnd = dayEnd;
  if (ceilWeek(dayStart).getTime() < floorWeek(dayEnd).getTime()) {
    weekStart = ceilWeek(dayStart);
    weekEnd = floorWeek(dayEnd);
  }
  return {
    start,
    end,
    hourStart,
    hourEnd,
    dayStart,
    dayEnd,
    weekStart,
    weekEnd,
    headHour: new Date(hourStart.getTime() - HOUR_MS),
    headPossible: !withinOneHour && start.getTime() < hourStart.getTime(),
    withinOneHour,
    tailAfter: new Date(hourEnd.getTime() + HOUR_MS),
  };
}

/**
 * Inside the statement the watermark is unknown to the planner, which then guesses that a third
 * of the log is at or above it and, for ranges of a few days, reads every event of the range by
 * time. The watermark only rises, so its value read just before is a lower bound of the one the
 * statement sees: as a constant it lets the planner read just the newer events by the tx_id
 * index, and it changes no result.
 */
async function rolledUpFloor(db: Database): Promise<number> {
  const [floor] = await selectRows<{ tx: string | number }>(db, sql`select rolled_up_before_tx as tx from audit_rollup_state where id = 1`);
  return Number(floor?.tx ?? 0);
}

/**
 * The common start of a statement over a range: `raw`, the events read from audit_logs (partial
 * end hours and what the roll-up has not reached), and `typed`, counts per hour or day, type,
 * severity and outcome from the summaries plus `raw`. `where` (on event_type, severity and success
 * only, unqualified) narrows both. Everything is read in one statement, so the summaries, the
 * watermark and the edge checks come from one snapshot even while the roll-up commits.
 */
function rangeCtes(plan: RangePlan, txFloor: number, where: SQL = sql`true`): SQL {
  const { start, end, hourStart, hourEnd, dayStart, dayEnd, headHour, headPossible, withinOneHour, tailAfter } = plan;
  return sql`
    with watermark as (
      select rolled_up_before_tx as tx from audit_rollup_state where id = 1
    ),
    -- An end hour whose other events all lie outside the range is read from its summary.
    edges as (
      select ${headPossible}::boolean and not exists (
               select 1 from audit_logs where timestamp >= ${at(headHour)} and timestamp < ${at(start)}) as head_whole,
             ${!withinOneHour}::boolean and not exists (
               select 1 from audit_logs where timestamp > ${at(end)} and timestamp < ${at(tailAfter)}) as tail_whole
    ),
    raw as (
      select a.timestamp, a.event_type, a.severity, a.success, a.user_id, a.username
      from audit_logs a
      where a.timestamp >= ${at(start)} and a.timestamp < ${at(hourStart)} and not (select head_whole from edges) and (${where})
      union all
      select a.timestamp, a.event_type, a.severity, a.success, a.user_id, a.username
      from audit_logs a
      where a.timestamp >= ${at(hourEnd)} and a.timestamp <= ${at(end)} and not (select tail_whole from edges) and (${where})
      union all
      -- Events the roll-up has not reached yet, where the summaries stand for the range.
      select a.timestamp, a.event_type, a.severity, a.success, a.user_id, a.username
      from audit_logs a
      where a.tx_id >= ${txFloor}::bigint and a.tx_id >= coalesce((select tx from watermark), 0)
        and a.timestamp >= ${at(start)} and a.timestamp <= ${at(end)}
        and (a.timestamp >= ${at(hourStart)} or (select head_whole from edges))
        and (a.timestamp < ${at(hourEnd)} or (select tail_whole from edges))
        and (${where})
    ),
    typed as (
      select s.bucket, s.event_type, s.severity, s.success, s.count
      from audit_summary_hourly s
      where ((s.bucket >= ${at(hourStart)} and s.bucket < ${at(dayStart)})
         or (s.bucket >= ${at(dayEnd)} and s.bucket < ${at(hourEnd)})
         or (s.bucket = ${at(headHour)} and (select head_whole from edges))
         or (s.bucket = ${at(hourEnd)} and (select tail_whole from edges)))
        and (${where})
      union all
      select d.bucket, d.event_type, d.severity, d.success, d.count
      from audit_summary_daily d
      where d.bucket >= ${at(dayStart)} and d.bucket < ${at(dayEnd)} and (${where})
      union all
      select date_trunc('hour', r.timestamp, 'UTC'), r.event_type, r.severity, r.success, count(*)
      from raw r group by 1, 2, 3, 4
    )`;
}

/**
 * The condition of `filters` on the columns the type summaries keep (event type, severity,
 * outcome), or null when a filter needs more than they hold (a user, a resource, words…).
 */
function summaryCondition(filters: AuditLogFilters): SQL | null {
  const { eventTypes, severities, success, securityOnly, startTime, endTime, ...rest } = filters;
  if (Object.values(rest).some((v) => v !== undefined) || !startTime || !endTime) return null;
  const list = (values: readonly string[]) => sql.join(values.map((v) => sql`${v}`), sql`, `);
  const parts: SQL[] = [];
  if (eventTypes?.length) parts.push(sql`event_type in (${list(eventTypes)})`);
  if (severities?.length) parts.push(sql`severity in (${list(severities)})`);
  if (success !== undefined) parts.push(sql`success = ${success}`);
  if (securityOnly) parts.push(sql`(severity in (${list(SECURITY_SEVERITIES)}) or not success)`);
  return parts.length ? sql.join(parts, sql` and `) : sql`true`;
}

/** The latest retention cutoff: summaries still count the events retention removed before it. */
export const retentionHorizon = sql`(select max(e.cutoff::timestamptz) from audit_retention_runs r, jsonb_each_text(r.cutoffs) as e(policy, cutoff))`;

/** Whether retention may have removed events of a range that starts at `start`. */
export const removedByRetention = (horizon: Date | string | number | null | undefined, start: Date) =>
  horizon !== null && horizon !== undefined && new Date(horizon).getTime() > start.getTime();

/**
 * The number of events matching `filters`, from the summaries, when the filters are ones they
 * hold (event types, severities, outcome, security, a time range) and no retention run has
 * removed events from the range (the summaries still count removed events); else null.
 */
export async function countFromSummaries(db: Database, filters: AuditLogFilters): Promise<number | null> {
  const where = summaryCondition(filters);
  if (!where || !filters.startTime || !filters.endTime) return null;
  const { startTime: start, endTime: end } = filters;
  if (end.getTime() < start.getTime()) return 0;
  const plan = planRange(start, end, true);
  const [row] = await selectRows<{ total: string | number; horizon: Date | string | null }>(
    db,
    sql`${rangeCtes(plan, await rolledUpFloor(db), where)}
    select coalesce((select sum(count) from typed), 0)::bigint as total, ${retentionHorizon} as horizon`,
  );
  if (removedByRetention(row?.horizon, start)) return null;
  return Number(row?.total ?? 0);
}

export interface BucketCount {
  /** Start of the bucket, in milliseconds since the epoch. */
  start: number;
  total: number;
  failed: number;
}

/**
 * Matching events and failed ones per bucket of `bucketSeconds` from `origin` on, from the
 * summaries, under the conditions of countFromSummaries, and when the buckets are whole hours
 * starting on whole hours (whole days for the daily summaries), so that no summarised hour
 * straddles two buckets; else null. Buckets without events are left out.
 */
export async function bucketCountsFromSummaries(
  db: Database,
  filters: AuditLogFilters,
  bucketSeconds: number,
  origin: Date,
): Promise<BucketCount[] | null> {
  const where = summaryCondition(filters);
  const { startTime: start, endTime: end } = filters;
  const bucketMs = bucketSeconds * 1000;
  if (!where || !start || !end || end.getTime() < start.getTime()) return null;
  if (bucketMs % HOUR_MS !== 0 || origin.getTime() % HOUR_MS !== 0) return null;
  const byDay = bucketMs % DAY_MS === 0 && origin.getTime() % DAY_MS === 0;
  const rows = await selectRows<{ start: string | number | null; total: string | number; failed: string | number; horizon: Date | string | null }>(
    db,
    sql`${rangeCtes(planRange(start, end, byDay), await rolledUpFloor(db), where)},
    buckets as (
      select date_bin(${`${bucketSeconds} seconds`}::interval, bucket, ${at(origin)}) as start,
             sum(count) as total, coalesce(sum(count) filter (where not success), 0) as failed
      from typed group by 1
    )
    select (extract(epoch from b.start) * 1000)::float8 as start, b.total::bigint as total, b.failed::bigint as failed, h.horizon
    from (select ${retentionHorizon} as horizon) h left join buckets b on true`,
  );
  if (removedByRetention(rows[0]?.horizon, start)) return null;
  return rows.filter((r) => r.start !== null).map((r) => ({ start: Number(r.start), total: Number(r.total), failed: Number(r.failed) }));
}

/** Statistics over [startTime, endTime], equal to counting the events themselves. */
export async function getAuditStatistics(db: Database, range: StatisticsRange): Promise<AuditStatistics> {
  const { startTime: start, endTime: end } = range;
  if (end.getTime() < start.getTime()) throw new RangeError("end_time must not be before start_time");
  const bucket = range.bucket ?? (end.getTime() - start.getTime() <= 48 * HOUR_MS ? "hour" : "day");
  const topUsers = range.topUsers ?? 10;
  // Daily summaries only when the timeline is by day.
  const plan = planRange(start, end, bucket === "day");
  const { hourStart, hourEnd, dayStart, dayEnd, weekStart, weekEnd, headHour } = plan;

  const rows = await selectRows<StatisticsRow>(
    db,
    sql`${rangeCtes(plan, await rolledUpFloor(db))},
    by_user as (
      select u.user_id, u.username, u.total, u.failed
      from audit_user_summary_hourly u
      where (u.bucket >= ${at(hourStart)} and u.bucket < ${at(dayStart)})
         or (u.bucket >= ${at(dayEnd)} and u.bucket < ${at(hourEnd)})
         or (u.bucket = ${at(headHour)} and (select head_whole from edges))
         or (u.bucket = ${at(hourEnd)} and (select tail_whole from edges))
      union all
      select d.user_id, d.username, d.total, d.failed
      from audit_user_summary_daily d
      where (d.bucket >= ${at(dayStart)} and d.bucket < ${at(weekStart)})
         or (d.bucket >= ${at(weekEnd)} and d.bucket < ${at(dayEnd)})
      union all
      select w.user_id, w.username, w.total, w.failed
      from audit_user_summary_weekly w
      where w.bucket >= ${at(weekStart)} and w.bucket < ${at(weekEnd)}
      union all
      select r.user_id, max(r.username), count(*), count(*) filter (where not r.success)
      from raw r where r.user_id is not null group by r.user_id
    ),
    users as (
      select user_id, max(username) as username, sum(total) as total, sum(failed) as failed
      from by_user group by user_id
    )
    select 'total' as kind, null as key, null as label, null::timestamptz as bucket,
           coalesce(sum(count), 0)::bigint as total,
           coalesce(sum(count) filter (where not success), 0)::bigint as failed
      from typed
    union all
    select 'type', event_type, null, null, sum(count)::bigint, sum(count) filter (where not success)::bigint
      from typed group by event_type
    union all
    select 'severity', severity, null, null, sum(count)::bigint, sum(count) filter (where not success)::bigint
      from typed group by severity
    union all
    select 'timeline', null, null, date_trunc(${bucket}, bucket, 'UTC'),
           sum(count)::bigint, coalesce(sum(count) filter (where not success), 0)::bigint
      from typed group by 4
    union all
    (select 'user', user_id, username, null, total::bigint, failed::bigint
      from users order by total desc, user_id limit ${topUsers})
    union all
    select 'unique_users', null, null, null, count(*)::bigint, 0 from users
  `,
  );

  const stats = emptyStatistics(start, end);
  for (const row of rows) {
    const total = Number(row.total ?? 0);
    switch (row.kind) {
      case "total":
        stats.total_events = total;
        stats.failed_operations = Number(row.failed ?? 0);
        break;
      case "type":
        stats.events_by_type[row.key ?? ""] = total;
        break;
      case "severity":
        stats.events_by_severity[row.key ?? ""] = total;
        break;
      case "timeline":
        stats.timeline.push({
          bucket: new Date(row.bucket ?? 0).toISOString(),
          total,
          failed: Number(row.failed ?? 0),
        });
        break;
      case "user":
        stats.top_users.push({ user_id: row.key ?? "", username: row.label, count: total });
        break;
      case "unique_users":
        stats.unique_users = total;
        break;
    }
  }
  stats.timeline.sort((a, b) => a.bucket.localeCompare(b.bucket));
  stats.top_users.sort((a, b) => b.count - a.count || a.user_id.localeCompare(b.user_id));
  return stats;
}

/** The roll-ups, finest first: counts per event type (not kept per week) and per user. */
const SUMMARY_LEVELS = [
  { unit: "hour", typed: "audit_summary_hourly", perUser: "audit_user_summary_hourly" },
  { unit: "day", typed: "audit_summary_daily", perUser: "audit_user_summary_daily" },
  { unit: "week", typed: null, perUser: "audit_user_summary_weekly" },
] as const;

/** A statement part adding the new events (`ev`) to one roll-up of counts per type. */
const typeRollUp = (name: string, table: string, unit: string) => `${name} as (
        insert into ${table} as s (bucket, event_type, severity, success, count)
        select date_trunc('${unit}', timestamp, 'UTC'), event_type, severity, success, count(*)
        from ev group by 1, 2, 3, 4
        on conflict (bucket, event_type, severity, success)
        do update set count = s.count + excluded.count
      )`;

/**
 * The statement part adding the words of the new events (`ev`) to the word summaries: per UTC day
 * (as in the search document) and word with its lcp (see auditSummaryWords). Events at an infinite
 * time have no day; searches read them from audit_logs.
 */
const wordRollUp = (name: string) => `${name} as (
        insert into audit_summary_words as w (day, word, lcp, count)
        select ${searchDaySql("timestamp")}, x.word, x.lcp, count(*)
        from ev, audit_search_words(description, error_message, username, resource_id) x
        where timestamp > '-infinity' and timestamp < 'infinity'
        group by 1, 2, 3
        on conflict (day, word, lcp) do update set count = w.count + excluded.count
      )`;

/** A statement part adding the new events (`ev`) to one roll-up of counts per user. */
const userRollUp = (name: string, table: string, unit: string) => `${name} as (
        insert into ${table} as u (bucket, user_id, username, total, failed)
        select date_trunc('${unit}', timestamp, 'UTC'), user_id, max(username), count(*),
               count(*) filter (where not success)
        from ev where user_id is not null group by 1, 2
        on conflict (bucket, user_id)
        do update set total = u.total + excluded.total, failed = u.failed + excluded.failed,
                      username = coalesce(excluded.username, u.username)
      )`;

export interface RollUpResult {
  events: number;
  rolledUpBeforeTx: number;
}

/**
 * Adds the events of every transaction that finished since the last run to the hourly, daily
 * and weekly summaries, and their words to the word summaries. An event counts once: the
 * watermark is the oldest transaction of this database still running when the statement's snapshot
 * was taken (writableWatermarkSql), so every event below it is visible now, and every event at or
 * above it is left for the next run. Concurrent runs queue on the state row.
 */
export async function rollUpAuditSummaries(db: Database): Promise<RollUpResult> {
  return db.transaction(async (tx) => {
    const [state] = await selectRows<{ tx: string | number }>(
      tx,
      sql`select rolled_up_before_tx as tx from audit_rollup_state where id = 1 for update`,
    );
    const from = Number(state?.tx ?? 0);
    const [result] = await selectRows<{ events: string | number; upto: string | number }>(
      tx,
      sql`
      with bounds as (
        select ${from}::bigint as lo,
               greatest(${from}::bigint, ${writableWatermarkSql}) as hi
      ),
      ev as (
        select a.timestamp, a.event_type, a.severity, a.success, a.user_id, a.username,
               a.description, a.error_message, a.resource_id
        from audit_logs a, bounds b
        where a.tx_id >= b.lo and a.tx_id < b.hi
      ),
      ${sql.raw(wordRollUp("words"))},
      ${sql.join(
        SUMMARY_LEVELS.map(({ unit, typed, perUser }, i) =>
          sql.raw(`${typed ? `${typeRollUp(`typed_${i}`, typed, unit)},` : ""} ${userRollUp(`per_user_${i}`, perUser, unit)},`),
        ),
        sql` `,
      )}
      moved as (
        update audit_rollup_state set rolled_up_before_tx = b.hi, rolled_up_at = now()
        from bounds b where id = 1
        returning rolled_up_before_tx
      )
      select (select count(*) from ev) as events, (select rolled_up_before_tx from moved) as upto
    `,
    );
    return { events: Number(result?.events ?? 0), rolledUpBeforeTx: Number(result?.upto ?? from) };
  });
}
