// Reads of the audit log: filtered, newest (or oldest) first, with the total of all matches.
import { and, asc, eq, gt, gte, inArray, lt, lte, max, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { auditLogs, auditSearchDocument, type AuditLogRow } from "@/lib/db/schema";
import type { AuditLeafContent } from "./canonical";
import { SECURITY_SEVERITIES, type Severity } from "./events";
import { countFromSummaries, DAY_MS } from "./stats";

export interface AuditLogFilters {
  eventTypes?: string[];
  severities?: Severity[];
  userId?: string;
  username?: string;
  resourceType?: string;
  resourceId?: string;
  namespace?: string;
  sessionId?: string;
  ipAddress?: string;
  success?: boolean;
  /** Words searched in description, error message, username and resource id (prefixes match). */
  q?: string;
  /** Only security events: severity warning or above, or failed. */
  securityOnly?: boolean;
  /** Only events with a larger id (the live stream). */
  afterId?: number;
  /** Inclusive bounds. */
  startTime?: Date;
  endTime?: Date;
}

export interface AuditPage {
  limit?: number;
  offset?: number;
  /** From a previous page's `nextCursor`; takes the place of offset. */
  cursor?: string;
  /** Count all matches (default); an export that pages through everything skips it. */
  withTotal?: boolean;
  /** By time: newest first (default) or oldest first. A cursor continues in its page's order. */
  order?: "desc" | "asc";
}

export interface AuditLogPage {
  logs: AuditLogRow[];
  total: number;
  limit: number;
  offset: number;
  nextCursor: string | null;
}

export const DEFAULT_PAGE_SIZE = 100;
export const MAX_PAGE_SIZE = 1000;

interface CursorPosition {
  timestamp: Date;
  id: number;
}

export function encodeCursor(row: Pick<AuditLogRow, "timestamp" | "id">): string {
  return Buffer.from(`${row.timestamp.toISOString()}|${row.id}`, "utf8").toString("base64url");
}

/** The position a cursor names, or null if it is not one of ours. */
export function decodeCursor(cursor: string): CursorPosition | null {
  const [time, id, extra] = Buffer.from(cursor, "base64url").toString("utf8").split("|");
  if (time === undefined || id === undefined || extra !== undefined || !/^\d{1,18}$/.test(id)) return null;
  const timestamp = new Date(time);
  if (Number.isNaN(timestamp.getTime()) || timestamp.toISOString() !== time) return null;
  return { timestamp, id: Number(id) };
}

export class InvalidCursorError extends Error {
  constructor() {
    super("cursor is not a cursor this server issued");
    this.name = "InvalidCursorError";
  }
}

/** The day of the search document's words: UTC days since 2000-01-01 (see auditSearchDocument). */
const DAY_ZERO = Date.UTC(2000, 0, 1);
const searchDayOf = (at: Date) => Math.floor((at.getTime() - DAY_ZERO) / DAY_MS);
const searchDayOfColumn = (at: SQL) => sql`((${at} at time zone 'UTC')::date - date '2000-01-01')`;

/** A lexeme in tsquery text: quoted, with quotes inside doubled. */
const QUERY_LEXEME = "'((?:[^']|'')*)'";

/**
 * `q` of plain words matches documents with words starting with each of them, so "ali" finds
 * "alice"; anything with punctuation (an e-mail, "r-6", a path) goes whole through PostgreSQL's
 * own parser, which keeps such tokens intact.
 *
 * The index holds the words by day (`~<day>~<word>`), so the query is asked once per day of the
 * range, `('~d~ali':*) | ('~e~ali':*) | …`, each lexeme rewritten in the normalised query's text.
 * The days run from the range's start (or the oldest event) to its end (or the newest), and the
 * index returns only the matches of those days; the bounds within a day still need the timestamp
 * conditions. Infinite timestamps have days of their own, `inf` and `-inf`, asked for when the
 * range is open on that side. A query with no words matches nothing (no days: null).
 */
function textSearchCondition(q: string, range: Pick<AuditLogFilters, "startTime" | "endTime">): SQL {
  const words = /^[\p{L}\p{N}\s]+$/u.test(q) ? q.match(/[\p{L}\p{N}]+/gu) : null;
  const query = words
    ? sql`to_tsquery('simple', ${words.map((w) => `${w}:*`).join(" & ")})`
    : sql`plainto_tsquery('simple', ${q})`;
  const oldest = searchDayOfColumn(sql`b.oldest`);
  const newest = searchDayOfColumn(sql`b.newest`);
  const first = range.startTime ? sql`greatest(${searchDayOf(range.startTime)}::int, ${oldest})` : oldest;
  const last = range.endTime ? sql`least(${searchDayOf(range.endTime)}::int, ${newest})` : newest;
  return sql`${auditSearchDocument} @@ (
    select string_agg('(' || regexp_replace(q.text, ${QUERY_LEXEME}, '''~' || days.day || '~\\1''', 'g') || ')', ' | ')::tsquery
    from (select ${query}::text as text) q,
         (select (select l."timestamp" from ${auditLogs} l where l."timestamp" > '-infinity' order by l."timestamp" asc nulls first limit 1) as oldest,
                 (select l."timestamp" from ${auditLogs} l where l."timestamp" < 'infinity' order by l."timestamp" desc nulls last limit 1) as newest) b,
         lateral (select d::text as day from generate_series(case when b.oldest is not null then ${first} end, ${last}) d
                  union all select 'inf' where ${sql.raw(String(range.endTime === undefined))}
                  union all select '-inf' where ${sql.raw(String(range.startTime === undefined))}) days
    where q.text <> '')`;
}

/** The time range's bounds (inclusive). */
function timeRangeConditions(filters: Pick<AuditLogFilters, "startTime" | "endTime">): SQL | undefined {
  return and(
    filters.startTime ? gte(auditLogs.timestamp, filters.startTime) : undefined,
    filters.endTime ? lte(auditLogs.timestamp, filters.endTime) : undefined,
  );
}

export const securityEventCondition = sql`(${auditLogs.severity} in (${sql.join(
  SECURITY_SEVERITIES.map((s) => sql.raw(`'${s}'`)),
  sql`, `,
)}) or ${auditLogs.success} = false)`;

export function auditLogConditions(filters: AuditLogFilters): SQL | undefined {
  const conditions: (SQL | undefined)[] = [
    filters.eventTypes?.length ? inArray(auditLogs.eventType, filters.eventTypes) : undefined,
    filters.severities?.length ? inArray(auditLogs.severity, filters.severities) : undefined,
    filters.userId !== undefined ? eq(auditLogs.userId, filters.userId) : undefined,
    filters.username !== undefined ? eq(auditLogs.username, filters.username) : undefined,
    filters.resourceType !== undefined ? eq(auditLogs.resourceType, filters.resourceType) : undefined,
    filters.resourceId !== undefined ? eq(auditLogs.resourceId, filters.resourceId) : undefined,
    filters.namespace !== undefined ? eq(auditLogs.namespace, filters.namespace) : undefined,
    filters.sessionId !== undefined ? eq(auditLogs.sessionId, filters.sessionId) : undefined,
    filters.ipAddress !== undefined ? eq(auditLogs.ipAddress, filters.ipAddress) : undefined,
    filters.success !== undefined ? eq(auditLogs.success, filters.success) : undefined,
    filters.q ? textSearchCondition(filters.q, filters) : undefined,
    filters.securityOnly ? securityEventCondition : undefined,
    filters.afterId !== undefined ? gt(auditLogs.id, filters.afterId) : undefined,
    timeRangeConditions(filters),
  ];
  return and(...conditions);
}

/** A page's order, spelled like the time indexes (see queryAuditLogs). */
const pageOrder = (ascending: boolean) =>
  ascending
    ? [sql`${auditLogs.timestamp} asc nulls first`, sql`${auditLogs.id} asc nulls first`]
    : [sql`${auditLogs.timestamp} desc nulls last`, sql`${auditLogs.id} desc nulls last`];

/** One page of matching logs, newest first unless `page.order` is asc, and the number of all matches. */
export async function queryAuditLogs(
  db: Database,
  filters: AuditLogFilters = {},
  page: AuditPage = {},
): Promise<AuditLogPage> {
  const limit = page.limit ?? DEFAULT_PAGE_SIZE;
  if (!Number.isInteger(limit) || limit < 1 || limit > MAX_PAGE_SIZE) {
    throw new RangeError(`limit must be a whole number from 1 to ${MAX_PAGE_SIZE}`);
  }
  const offset = page.cursor ? 0 : (page.offset ?? 0);
  if (!Number.isInteger(offset) || offset < 0) throw new RangeError("offset must be a whole number ≥ 0");
  const position = page.cursor ? decodeCursor(page.cursor) : null;
  if (page.cursor && !position) throw new InvalidCursorError();

  const ascending = page.order === "asc";
  const beyond = ascending ? gt : lt;
  const afterCursor = position
    ? and(
        // Implied by the next condition, but only this form bounds the index scan, so a page
        // deep in the range starts at the cursor instead of skipping every row before it.
        (ascending ? gte : lte)(auditLogs.timestamp, position.timestamp),
        or(
          beyond(auditLogs.timestamp, position.timestamp),
          and(eq(auditLogs.timestamp, position.timestamp), beyond(auditLogs.id, position.id)),
        ),
      )
    : undefined;
  // A text search builds its own conditions (by the days of its range).
  if (filters.q && page.withTotal !== false) {
    return textSearchPage(db, { ...filters, q: filters.q }, afterCursor, ascending, { limit, offset });
  }
  const where = auditLogConditions(filters);
  const pageWhere = and(where, afterCursor);
  // The time indexes are (…, timestamp DESC NULLS LAST), and PostgreSQL matches an ORDER BY to an
  // index with its NULLS order too, even on a NOT NULL column: a plain `timestamp desc` (NULLS
  // FIRST) made every page read and sort its whole range. Spelled like the index (read backwards
  // for asc), a page reads its rows in order and stops, with only rows of equal time sorted by id
  // (or none: the event type index ends in id DESC NULLS LAST too).
  const order = pageOrder(ascending);

  // A page of one event type: the planner, guessing the type evenly spread in time, walks the time
  // index and skips every newer event of other types (a burst of them cost 15–40 ms a page); its
  // ids read in order from the (event_type, timestamp, id) index alone take well under 1 ms.
  const onlyType = filters.eventTypes?.length === 1;
  const [logs, [counted]] = await Promise.all([
    db
      .select()
      .from(auditLogs)
      .where(
        onlyType
          ? inArray(
              auditLogs.id,
              db
                .select({ id: auditLogs.id })
                .from(auditLogs)
                .where(pageWhere)
                .orderBy(...order)
                .limit(limit + 1)
                .offset(offset),
            )
          : pageWhere,
      )
      .orderBy(...order)
      .limit(limit + 1)
      .offset(onlyType ? 0 : offset),
    page.withTotal === false ? Promise.resolve([{ total: -1 }]) : countAuditLogs(db, filters, where),
  ]);
  return pageOf(logs, Number(counted?.total ?? 0), limit, offset);
}

/** A page from up to `limit + 1` rows in page order: the extra row only tells that more follow. */
function pageOf(rows: AuditLogRow[], total: number, limit: number, offset: number): AuditLogPage {
  const hasMore = rows.length > limit;
  const logs = hasMore ? rows.slice(0, limit) : rows;
  const last = logs.at(-1);
  return { logs, total, limit, offset, nextCursor: hasMore && last ? encodeCursor(last) : null };
}

/**
 * The number of matching events: from the statistics summaries when they hold the filters (event
 * types, severities, outcome, security events over a time range: a few hundred summary rows
 * instead of every match), else counted in audit_logs.
 */
async function countAuditLogs(db: Database, filters: AuditLogFilters, where: SQL | undefined): Promise<{ total: number }[]> {
  const summarized = await countFromSummaries(db, filters);
  if (summarized !== null) return [{ total: summarized }];
  return db.select({ total: sql<number>`count(*)::int` }).from(auditLogs).where(where);
}

/**
 * A text search page. The planner, guessing that a word matches a fixed share of the log, walks
 * the time index and computes each row's search document until the page is full: for a word in
 * 1 % of the events that is ~10,000 documents a page (0.4 s on 1M events). The total must visit
 * every match anyway, so the matches are found once through the word index (GIN, by the days of
 * the range) and give both the total and the page's ids; only the page's rows are then read whole,
 * in the same statement (one round trip, and no list of ids sent back: ~1 ms of a 12 ms search).
 * The exact time bounds only sort the matches into the range: as index conditions the planner
 * ANDed a third of the time index into the scan (54 ms on 1M events for a 30-day range).
 */
async function textSearchPage(
  db: Database,
  filters: AuditLogFilters & { q: string },
  afterCursor: SQL | undefined,
  ascending: boolean,
  { limit, offset }: { limit: number; offset: number },
): Promise<AuditLogPage> {
  const { q, startTime, endTime, ...others } = filters;
  const found = and(auditLogConditions(others), textSearchCondition(q, { startTime, endTime }));
  const order = ascending ? sql`timestamp asc nulls first, id asc nulls first` : sql`timestamp desc nulls last, id desc nulls last`;
  // The total and the page's ids, then the page's rows joined to them in the same statement (a
  // left join, so that an empty page still brings its total).
  const search = db.$with("search", { total: sql<number>`total`.mapWith(Number).as("total") }).as(
    sql`with matches as materialized (
          select ${auditLogs.id} as id, ${auditLogs.timestamp} as timestamp,
                 (${timeRangeConditions(filters) ?? sql`true`}) as in_range, (${afterCursor ?? sql`true`}) as on_page
          from ${auditLogs} where ${found}
        )
        select (select count(*)::int from matches where in_range) as total,
               array(select id from matches where in_range and on_page order by ${order} limit ${limit + 1} offset ${offset}) as ids`,
  );
  const rows = await db
    .with(search)
    .select({ total: search.total, log: auditLogs })
    .from(search)
    .leftJoin(auditLogs, sql`${auditLogs.id} = any(search.ids)`)
    .orderBy(...pageOrder(ascending));
  const logs = rows.flatMap((row) => (row.log ? [row.log] : []));
  return pageOf(logs, rows[0]?.total ?? 0, limit, offset);
}

/** Matching events with an id above `afterId`, oldest first (for the live stream). */
export function auditLogsAfter(db: Database, filters: AuditLogFilters, afterId: number, limit: number): Promise<AuditLogRow[]> {
  return db
    .select()
    .from(auditLogs)
    .where(auditLogConditions({ ...filters, afterId }))
    .orderBy(asc(auditLogs.id))
    .limit(limit);
}

export async function latestAuditLogId(db: Database): Promise<number> {
  const [row] = await db.select({ id: max(auditLogs.id) }).from(auditLogs);
  return Number(row?.id ?? 0);
}

export async function getAuditLog(db: Database, id: number): Promise<AuditLogRow | null> {
  const [row] = await db.select().from(auditLogs).where(eq(auditLogs.id, id)).limit(1);
  return row ?? null;
}

/** A user's events (as actor), newest first. */
export function getUserActivity(
  db: Database,
  userId: string,
  range: Pick<AuditLogFilters, "startTime" | "endTime"> = {},
  page: AuditPage = {},
): Promise<AuditLogPage> {
  return queryAuditLogs(db, { ...range, userId }, page);
}

/** Security events: severity warning or above, or failed operations. */
export function getSecurityEvents(
  db: Database,
  range: Pick<AuditLogFilters, "startTime" | "endTime"> = {},
  page: AuditPage = {},
): Promise<AuditLogPage> {
  return queryAuditLogs(db, { ...range, securityOnly: true }, page);
}

/** An audit row as the API shows it: every column by its name, times in ISO 8601 UTC. */
export function auditLogToJson(row: AuditLogRow) {
  return {
    id: row.id,
    event_type: row.eventType,
    severity: row.severity,
    description: row.description,
    user_id: row.userId,
    username: row.username,
    session_id: row.sessionId,
    ip_address: row.ipAddress,
    user_agent: row.userAgent,
    resource_type: row.resourceType,
    resource_id: row.resourceId,
    namespace: row.namespace,
    action: row.action,
    before_state: row.beforeState,
    after_state: row.afterState,
    request_method: row.requestMethod,
    request_path: row.requestPath,
    request_params: row.requestParams,
    success: row.success,
    error_message: row.errorMessage,
    status_code: row.statusCode,
    metadata: row.metadata,
    tags: row.tags,
    compliance_tags: row.complianceTags,
    retention_policy: row.retentionPolicy,
    timestamp: row.timestamp.toISOString(),
    personal_digest: row.personalDigest,
    personal_salt: row.personalSalt,
    erased_at: row.erasedAt?.toISOString() ?? null,
    leaf_hash: row.leafHash,
  };
}

const SUMMARY_FIELDS = ["id", "timestamp", "event_type", "severity", "user_id", "username", "resource_type", "resource_id", "action", "success", "ip_address"] as const;

/**
 * What the log tables of the admin pages show of a log: all a page of logs sends to the browser,
 * where every column (states, parameters, metadata) would be several times the bytes, most of
 * them personal data; the event's page shows the rest.
 */
export function auditLogSummary(row: AuditLogRow): AuditLogSummary {
  const log = auditLogToJson(row);
  return Object.fromEntries(SUMMARY_FIELDS.map((field) => [field, log[field]])) as AuditLogSummary;
}

export type AuditLogSummary = Pick<AuditLogJson, (typeof SUMMARY_FIELDS)[number]>;

/** The hashed content of a log as the API shows it (everything but id, leaf hash and erasure time). */
export function leafContentOf(log: AuditLogJson): AuditLeafContent {
  const { id: _id, leaf_hash: _leaf, erased_at: _erased, ...content } = log;
  return content;
}

export type AuditLogJson = ReturnType<typeof auditLogToJson>;
