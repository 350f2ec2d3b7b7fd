// Reads of the audit log: filtered, newest (or oldest) first, with the total of all matches.
import { and, asc, eq, gt, gte, inArray, lt, lte, max, or, sql, type SQL } from "drizzle-orm";
import { selectRows, type Database } from "@/lib/db/client";
import { auditLogs, auditSearchDocument, type AuditLogRow } from "@/lib/db/schema";
import type { AuditLeafContent } from "./canonical";
import { SECURITY_SEVERITIES, type Severity } from "./events";
import { searchDayOf, searchDaySql, searchDayStart } from "./search-day";
import { SearchWindows, type TimeWindow } from "./search-windows";
import { countFromSummaries, removedByRetention, retentionHorizon } from "./stats";

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

/** A lexeme in tsquery text: quoted, with quotes inside doubled. */
const QUERY_LEXEME = "'((?:[^']|'')*)'";

/** The tsquery of `q`, without days: see textSearchCondition. */
function textSearchQuery(q: string): SQL {
  const words = /^[\p{L}\p{N}\s]+$/u.test(q) ? q.match(/[\p{L}\p{N}]+/gu) : null;
  return words ? sql`to_tsquery('simple', ${words.map((w) => `${w}:*`).join(" & ")})` : sql`plainto_tsquery('simple', ${q})`;
}

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
  const query = textSearchQuery(q);
  const oldest = sql.raw(searchDaySql("b.oldest"));
  const newest = sql.raw(searchDaySql("b.newest"));
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
    return textSearchPage(db, { ...filters, q: filters.q }, position, afterCursor, ascending, { limit, offset });
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
 * The one term of a text search the word summaries can count: its word as normalised in the
 * index, and whether words starting with it match (a plain word) or only itself (a token with
 * punctuation). Null for a search of several terms, or none.
 */
interface SummaryTerm {
  word: string;
  prefix: boolean;
  /** The roll-up's watermark when the term was read: a lower bound of the count's. */
  txFloor: number;
}

async function summaryTerm(db: Database, q: string): Promise<SummaryTerm | null> {
  // With the roll-up's watermark, which the count takes as a constant (see rolledUpFloor): one round trip.
  const [row] = await selectRows<{ text: string; floor: string | number }>(
    db,
    sql`select ${textSearchQuery(q)}::text as text, (select rolled_up_before_tx from audit_rollup_state where id = 1) as floor`,
  );
  const term = /^'([^'\\]+)'(:\*)?$/.exec(row?.text ?? "");
  return term ? { word: term[1]!, prefix: term[2] !== undefined, txFloor: Number(row?.floor ?? 0) } : null;
}

/** Days a search of one term spells out in its query (see termCondition); longer ranges use textSearchCondition. */
const MAX_SPELLED_DAYS = 366;

/**
 * The search document matching `term` on the days of [from, to], the query spelled out as one
 * value (`'~9833~user42':* | …`). textSearchCondition builds it inside the statement, where the
 * planner cannot see it and guesses ~50,000 matches at 10M events: it then ran the scan in
 * parallel workers, whose start took ~60 ms of a 90 ms page that reads ~1,000 rows in 3 ms.
 */
function termCondition(q: string, term: SummaryTerm, from: Date, to: Date): SQL {
  const first = searchDayOf(from);
  const last = searchDayOf(to);
  if (last - first >= MAX_SPELLED_DAYS) return textSearchCondition(q, { startTime: from, endTime: to });
  const days = Array.from({ length: Math.max(0, last - first + 1) }, (_, i) => `'~${first + i}~${term.word}'${term.prefix ? ":*" : ""}`);
  return days.length ? sql`${auditSearchDocument} @@ ${days.join(" | ")}::tsquery` : sql`false`;
}

/**
 * The number of events in [start, end] that match `q`, a search of one term, with the range's
 * whole UTC days counted from the word summaries: what the roll-up counted from their rows, and the
 * events it has not reached from audit_logs. Its partial first and last day are counted from the
 * word index (their matches read one by one). A summary row counts each event once even when
 * several of its words start with a prefix (see auditSummaryWords). Null when retention has removed
 * events from the range: the summaries still count them.
 */
async function countFromWordSummaries(
  db: Database,
  q: string,
  term: SummaryTerm,
  start: Date,
  end: Date,
): Promise<WordCounts | null> {
  if (end.getTime() < start.getTime()) return { total: 0, byDay: new Map() };
  const firstDay = searchDayOf(start);
  const lastDay = searchDayOf(end);
  // Matches of [from, to) or [from, to], read through the word index by the days of the part. The
  // time bounds only sort them (as in searchMatches: as conditions, the planner ANDed a day of the
  // time index into the scan, 161,750 entries for 944 matches at 10M events, 7 of 9 ms).
  const read = (from: Date, to: Date, toIncluded: boolean) =>
    sql`(select count(*) filter (where ${gte(auditLogs.timestamp, from)} and ${toIncluded ? lte(auditLogs.timestamp, to) : lt(auditLogs.timestamp, to)})
          from ${auditLogs} where ${termCondition(q, term, from, toIncluded ? to : new Date(to.getTime() - 1))})`;
  const parts: SQL[] = [];
  let ctes = sql``;
  let byDay = sql`null`;
  if (firstDay === lastDay) {
    parts.push(read(start, end, true));
  } else {
    // The last day is never whole: an event may be later in its last millisecond than `end`.
    const wholeFrom = start.getTime() === searchDayStart(firstDay).getTime() ? firstDay : firstDay + 1;
    const wholeTo = lastDay - 1;
    if (wholeFrom > firstDay) parts.push(read(start, searchDayStart(wholeFrom), false));
    parts.push(read(searchDayStart(lastDay), end, true));
    if (wholeFrom <= wholeTo) {
      const from = searchDayStart(wholeFrom);
      const to = searchDayStart(wholeTo + 1);
      const word = term.prefix
        ? sql`word like ${`${term.word.replace(/[\\%_]/g, "\\$&")}%`} and lcp < ${[...term.word].length}`
        : sql`word = ${term.word}`;
      // As in the statistics (rangeCtes): the watermark as a constant lets the planner read just
      // the newer events by the tx_id index; each is matched on its own (a primary-key probe: the
      // word index would read every match of the days).
      ctes = sql`with watermark as (select rolled_up_before_tx as tx from audit_rollup_state where id = 1),
        tail as materialized (
          select id from ${auditLogs}
           where tx_id >= ${term.txFloor}::bigint and tx_id >= coalesce((select tx from watermark), 0)
             and ${gte(auditLogs.timestamp, from)} and ${lt(auditLogs.timestamp, to)}
        ),
        -- The whole days' counts, read once for the total and the counts by day (from the primary
        -- key alone, which carries the count: migration 0013).
        summarized as materialized (
          select day, sum(count) as n from audit_summary_words
           where day = any(array(select generate_series(${wholeFrom}::int, ${wholeTo}::int))) and ${word}
           group by day
        )`;
      byDay = sql`(select json_object_agg(day, n) from summarized)`;
      parts.push(
        sql`(select coalesce(sum(n), 0) from summarized)`,
        sql`(select count(*) from tail t, lateral (
              select 1 from ${auditLogs} where ${auditLogs.id} = t.id
                 and ${termCondition(q, term, from, new Date(to.getTime() - 1))} limit 1) m)`,
      );
    }
  }
  const [row] = await selectRows<{ total: string | number; by_day: string | Record<string, number> | null; horizon: Date | string | null }>(
    db,
    sql`${ctes} select (${sql.join(parts, sql` + `)})::bigint as total, ${byDay} as by_day, ${retentionHorizon} as horizon`,
  );
  if (removedByRetention(row?.horizon, start)) return null;
  const days = typeof row?.by_day === "string" ? (JSON.parse(row.by_day) as Record<string, number>) : (row?.by_day ?? {});
  return { total: Number(row?.total ?? 0), byDay: new Map(Object.entries(days).map(([day, n]) => [Number(day), Number(n)])) };
}

/** A text search's total, and the matches of each whole day the roll-up has counted. */
interface WordCounts {
  total: number;
  byDay: Map<number, number>;
}

/**
 * The matches of a text search on the days of `window` (all of the filters' range, or a part):
 * how many lie in the range (`inRange`), how many of those follow the cursor (`onPage`), and the
 * page of them. The planner, guessing that a word matches a fixed share of the log, walks the time
 * index and computes each row's search document until the page is full: for a word in 1 % of the
 * events that is ~10,000 documents a page (0.4 s on 1M events). So the matches are found once
 * through the word index (GIN, by the days of the window) and give both counts and the page's
 * ids; only the page's rows are then read whole, in the same statement (one round trip, and no
 * list of ids sent back: ~1 ms of a 12 ms search). The exact time bounds only sort the matches
 * into the range: as index conditions the planner ANDed a third of the time index into the scan
 * (54 ms on 1M events for a 30-day range).
 */
async function searchMatches(
  db: Database,
  filters: AuditLogFilters & { q: string },
  window: Pick<AuditLogFilters, "startTime" | "endTime">,
  afterCursor: SQL | undefined,
  ascending: boolean,
  { limit, offset }: { limit: number; offset: number },
  words: SQL = textSearchCondition(filters.q, window),
): Promise<{ inRange: number; onPage: number; logs: AuditLogRow[] }> {
  const { q: _q, startTime, endTime, ...others } = filters;
  const found = and(auditLogConditions(others), words);
  const order = ascending ? sql`timestamp asc nulls first, id asc nulls first` : sql`timestamp desc nulls last, id desc nulls last`;
  // The counts and the page's ids, then the page's rows joined to them in the same statement (a
  // left join, so that an empty page still brings its counts).
  const search = db
    .$with("search", { inRange: sql<number>`in_range`.mapWith(Number).as("in_range"), onPage: sql<number>`on_page`.mapWith(Number).as("on_page") })
    .as(
      sql`with matches as materialized (
          select ${auditLogs.id} as id, ${auditLogs.timestamp} as timestamp,
                 (${timeRangeConditions({ startTime, endTime }) ?? sql`true`}) as in_range, (${afterCursor ?? sql`true`}) as on_page
          from ${auditLogs} where ${found}
        )
        select (select count(*)::int from matches where in_range) as in_range,
               (select count(*)::int from matches where in_range and on_page) as on_page,
               array(select id from matches where in_range and on_page order by ${order} limit ${limit + 1} offset ${offset}) as ids`,
    );
  const rows = await db
    .with(search)
    .select({ inRange: search.inRange, onPage: search.onPage, log: auditLogs })
    .from(search)
    .leftJoin(auditLogs, sql`${auditLogs.id} = any(search.ids)`)
    .orderBy(...pageOrder(ascending));
  return { inRange: rows[0]?.inRange ?? 0, onPage: rows[0]?.onPage ?? 0, logs: rows.flatMap((row) => (row.log ? [row.log] : [])) };
}

/**
 * Days a text search page reads first (see textSearchPage), in parallel with its count: its start's
 * day and the day before, since a search late in the evening still finds too few matches in the
 * day so far for a page of `q=user42` at 1M events (~100 by 20:00 UTC), and reading one more day
 * after the count cost a round trip more (at 10M the two days' 2,100 matches take less time than the
 * count beside them).
 */
const FIRST_SEARCH_WINDOW_DAYS = 2;

/**
 * A text search page. Counting its matches reads each from the table, so where the word summaries
 * can count them (one term over a time range, no other filter) only the days nearest the page's
 * start are read: the day of its first row (the range's end, or its start oldest first, or the
 * cursor's day) and the one before it, then as many more days as the summaries say hold the rest
 * of the page, then four times as many each time (for events the roll-up has not reached) until
 * the page is full or the window is the whole range. A word in 1 % of 10M events over 30 days is 37k matches, ~0.3 s to
 * read; one day holds ~1,200 of them. Otherwise the matches of the whole range give both the total
 * and the page (searchMatches).
 */
async function textSearchPage(
  db: Database,
  filters: AuditLogFilters & { q: string },
  position: CursorPosition | null,
  afterCursor: SQL | undefined,
  ascending: boolean,
  page: { limit: number; offset: number },
): Promise<AuditLogPage> {
  const { q, startTime: start, endTime: end, ...others } = filters;
  const term = start && end && Object.values(others).every((v) => v === undefined) ? await summaryTerm(db, q) : null;
  if (term && start && end) {
    const need = page.offset + page.limit + 1;
    const windows = new SearchWindows(start, end, ascending, position?.timestamp);
    const counting = countFromWordSummaries(db, q, term, start, end);
    counting.catch(() => undefined);
    let window = windows.of(FIRST_SEARCH_WINDOW_DAYS);
    const read = (w: TimeWindow) => searchMatches(db, filters, w, afterCursor, ascending, page, termCondition(q, term, w.startTime, w.endTime));
    let matches = await read(window);
    const counts = await counting;
    if (counts) {
      // Too few in the first days: as many days as the summaries say hold the rest, then (events
      // the roll-up has not reached, a cursor inside a day) four times as many each time.
      let days = windows.daysToHold(need, matches.onPage, FIRST_SEARCH_WINDOW_DAYS, counts.byDay);
      while (matches.onPage < need && !windows.covers(window)) {
        window = windows.of(days);
        matches = await read(window);
        days *= 4;
      }
      return pageOf(matches.logs, counts.total, page.limit, page.offset);
    }
  }
  const matches = await searchMatches(db, filters, filters, afterCursor, ascending, page);
  return pageOf(matches.logs, matches.inRange, page.limit, page.offset);
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
