// Query plans of the hot audit reads on a big, realistic audit_logs. Every statement the API and
// the admin pages run is captured as it is sent (a drizzle logger on the same client, so the
// production code is not touched and the SQL is exactly what runs), explained with the same
// parameters, and the test fails if a plan reads audit_logs with a sequential scan, or if a page
// that an index can serve in order reads far more rows than it returns. A failure shows the
// statement and its plan; the table of plans (and rows read) is printed after the run.
import type { PGlite } from "@electric-sql/pglite";
import { sql, type Logger } from "drizzle-orm";
import type { Sql } from "postgres";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows, type Database } from "@/lib/db/client";
import * as schema from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { EVENT_TYPES, type EventType } from "./events";
import { auditLogsQuery, recentQuery, timeRangeQuery } from "./filters";
import { auditHistogram } from "./histogram";
import { encodeCursor, getSecurityEvents, getUserActivity, queryAuditLogs } from "./query";
import { getAuditStatistics, rollUpAuditSummaries } from "./stats";

/**
 * 90 days of a service writing about 2 200 events a day. Big enough that the planner's choices
 * are the real ones: with a few thousand rows a sequential scan is legitimately the cheapest.
 */
const EVENTS = Number(process.env.MEMORIC_PLAN_EVENTS ?? 200_000);
const DAYS = 90;
const USERS = 1000;
const HOUR_MS = 3_600_000;

// Mostly memory traffic, permission checks and logins, then a tail of every catalog event.
const COMMON: [EventType, number][] = [
  ["memory.retrieved", 30],
  ["memory.created", 20],
  ["authz.permission.checked", 12],
  ["memory.searched", 10],
  ["memory.updated", 8],
  ["authz.access.granted", 8],
  ["auth.login.success", 6],
  ["auth.token.created", 6],
  ["cluster.retrieved", 4],
  ["memory.deleted", 3],
  ["auth.logout", 2],
  ["auth.login.failed", 2],
];
const typeValues = EVENT_TYPES.map((e) => e.value);
/** 1-based positions in the catalog, each as often as its weight (every type at least once). */
const weighted = [...COMMON.flatMap(([type, weight]) => Array<number>(weight).fill(typeValues.indexOf(type) + 1)), ...typeValues.map((_, i) => i + 1)];
const textArray = (values: readonly string[]) => `array[${values.map((v) => `'${v.replaceAll("'", "''")}'`).join(", ")}]::text[]`;

/**
 * One INSERT … SELECT of `count` events: in time order over the last DAYS days (ids and tx ids
 * follow time, as in a real log), activity skewed over USERS users (a few heavy ones, a long
 * tail), about 5 % failed (severity raised to warning), 1 % mentioning a "budget" for `q`.
 * Pseudo-random but deterministic: every run seeds the same rows. Tx ids stay below the current
 * transaction's, so the roll-up counts every event.
 */
function seedStatement(count: number): string {
  return `
  insert into audit_logs (event_type, severity, description, user_id, username, session_id, ip_address, user_agent,
    resource_type, resource_id, namespace, action, request_method, request_path, success, error_message,
    status_code, retention_policy, timestamp, leaf_hash, tx_id)
  select e.type,
         case when not f.failed then e.sev when e.sev in ('error', 'critical') then e.sev else 'warning' end,
         e.description || coalesce(' ' || r.id, '') || case when mod(h.h2, 100) = 0 then ' quarterly budget review' else '' end,
         u.user_id, u.username,
         case when u.n is not null then 'sess-' || u.n || '-' || (g.i / 3000) end,
         case when f.failed and mod(h.h3, 3) = 0 then '203.0.113.' || mod(h.h1, 250)
              when u.n is not null then '10.' || (u.n / 256) || '.' || mod(u.n, 256) || '.' || (1 + mod(h.h3, 3)) end,
         (array['memoric-sdk/1.4 (python)', 'memoric-sdk/1.4 (node)', 'Mozilla/5.0 (X11; Linux x86_64) Firefox/128.0'])[1 + mod(h.h3, 3)],
         r.type, r.id,
         case when u.n is not null then 'ns-' || mod(u.n, 20) end,
         split_part(e.type, '.', 2),
         case when e.type like '%.created' or e.type like 'auth.login%' then 'POST' else 'GET' end,
         '/' || split_part(e.type, '.', 1) || coalesce('/' || r.id, ''),
         not f.failed,
         case when f.failed then (array['Invalid username or password', 'Permission denied for this resource', 'Upstream timeout'])[1 + mod(h.h2, 3)] end,
         case when f.failed then (array[401, 403, 500])[1 + mod(h.h2, 3)] else 200 end,
         case when e.category in ('security', 'authentication', 'authorization') then 'security' else 'standard' end,
         now() - interval '${DAYS} days' + (g.i::float8 / ${count}) * interval '${DAYS} days' - mod(h.h1, 60) * interval '1 second',
         md5(g.i::text),
         floor(g.i::float8 / ${count} * (x.xid - 1))::bigint
  from generate_series(1, ${count}) g(i)
  cross join (select pg_current_xact_id()::text::bigint as xid) x
  cross join lateral (
    select mod(g.i::bigint * 2654435761, 4294967291) as h1,
           mod(g.i::bigint * 40503 + 12345, 1000003) as h2,
           mod(g.i::bigint * 7919 + 104729, 999983) as h3
  ) h
  cross join lateral (
    select (${textArray(typeValues)})[k] as type,
           (${textArray(EVENT_TYPES.map((e) => e.severity))})[k] as sev,
           (${textArray(EVENT_TYPES.map((e) => e.category))})[k] as category,
           (${textArray(EVENT_TYPES.map((e) => e.description))})[k] as description
    from (select (array[${weighted.join(", ")}])[1 + mod(h.h1, ${weighted.length})] as k) p
  ) e
  cross join lateral (select e.type = 'auth.login.failed' or mod(h.h3, 30) = 0 as failed) f
  cross join lateral (
    select n, 'usr_' || lpad(n::text, 6, '0') as user_id, 'user' || n as username
    from (select case when e.type not like 'system.%' then floor(${USERS} * power(h.h2 / 1000003.0, 2))::int end as n) nn
  ) u
  cross join lateral (
    select case split_part(e.type, '.', 1) when 'memory' then 'memory' when 'authz' then 'memory'
                when 'cluster' then 'cluster' when 'user' then 'user' when 'policy' then 'policy' end as type,
           case split_part(e.type, '.', 1) when 'memory' then mod(h.h1, 50000)::text when 'authz' then mod(h.h1, 50000)::text
                when 'cluster' then 'cl-' || mod(h.h1, 2000) when 'user' then u.user_id
                when 'policy' then 'policy-' || mod(h.h1, 20) end as id
  ) r`;
}

/**
 * Seeds with the secondary indexes dropped and then rebuilt from their own definitions (as the
 * migrations made them): building an index once is several times faster than maintaining it row
 * by row, which keeps the seeding within seconds on PGlite too.
 */
async function seed(db: Database, count: number): Promise<void> {
  const indexes = await selectRows<{ name: string; definition: string }>(
    db,
    sql`select indexname as name, indexdef as definition from pg_indexes
        where schemaname = current_schema() and tablename = 'audit_logs' and indexname <> 'audit_logs_pkey'`,
  );
  for (const index of indexes) await db.execute(sql.raw(`drop index "${index.name}"`));
  await db.execute(sql.raw(seedStatement(count)));
  for (const index of indexes) await db.execute(sql.raw(index.definition));
}

// ---- capturing the statements the functions send, and explaining them ----

interface Statement {
  sql: string;
  params: unknown[];
}

interface PlanNode {
  "Node Type": string;
  "Relation Name"?: string;
  "Index Name"?: string;
  "Actual Rows"?: number;
  "Actual Loops"?: number;
  "Rows Removed by Filter"?: number;
  "Rows Removed by Index Recheck"?: number;
  Plans?: PlanNode[];
}

let database: TestDatabase;
/** The same client as `database.db`, with a logger that records every statement sent. */
let logged: Database;
let recording: Statement[] | null = null;
const logger: Logger = { logQuery: (query, params) => void recording?.push({ sql: query, params }) };

const clientOf = (handle: TestDatabase) => (handle.db as unknown as { $client: unknown }).$client;

async function loggedDatabase(handle: TestDatabase): Promise<Database> {
  if (handle.engine === "pglite") {
    const { drizzle } = await import("drizzle-orm/pglite");
    return drizzle({ client: clientOf(handle) as PGlite, schema, logger }) as unknown as Database;
  }
  const { drizzle } = await import("drizzle-orm/postgres-js");
  return drizzle({ client: clientOf(handle) as Sql, schema, logger }) as unknown as Database;
}

/** The statements `run` sends to the database. */
async function capture(run: (db: Database) => Promise<unknown>): Promise<Statement[]> {
  recording = [];
  try {
    await run(logged);
    return recording;
  } finally {
    recording = null;
  }
}

/** EXPLAIN (`options`) of a statement with its own parameters: the planner sees the values, as when it ran. */
async function explain(statement: Statement, options: string): Promise<unknown[]> {
  const text = `explain (${options}) ${statement.sql}`;
  const client = clientOf(database);
  if (database.engine === "pglite") {
    return (await (client as PGlite).query<Record<string, unknown>>(text, statement.params)).rows.map((r) => r["QUERY PLAN"]);
  }
  return (await (client as Sql).unsafe(text, statement.params as never[])).map((r) => r["QUERY PLAN"]);
}

async function planNodes(statement: Statement, options: string): Promise<PlanNode[]> {
  const [json] = await explain(statement, `${options}, format json`);
  const plan = (typeof json === "string" ? JSON.parse(json) : json) as { Plan: PlanNode }[];
  return [...walk(plan[0]!.Plan)];
}

function* walk(node: PlanNode): Generator<PlanNode> {
  yield node;
  for (const child of node.Plans ?? []) yield* walk(child);
}

interface Explained {
  kind: string;
  statement: Statement;
  text: string;
  nodes: PlanNode[];
  /** Rows its scans of audit_logs read (EXPLAIN ANALYZE); undefined for a statement that writes. */
  read?: number;
}

function kindOf(statement: Statement): string {
  if (/^select count\(\*\)/i.test(statement.sql)) return "count";
  if (/\bdate_bin\(/.test(statement.sql)) return "histogram";
  if (/\bwith watermark as\b/.test(statement.sql)) return "statistics";
  if (/\bwith bounds as\b/.test(statement.sql)) return "roll-up";
  if (/\border by\b[\s\S]*\blimit\b/i.test(statement.sql)) return "page";
  return "statement";
}

async function explainAll(statements: Statement[]): Promise<Explained[]> {
  const out: Explained[] = [];
  for (const statement of statements) {
    const kind = kindOf(statement);
    const nodes = await planNodes(statement, "costs");
    const text = (await explain(statement, "costs, format text")).join("\n");
    // The roll-up writes: EXPLAIN ANALYZE would run it.
    const read = kind === "roll-up" ? undefined : await rowsRead(statement);
    out.push({ kind, statement, text, nodes, read });
  }
  return out;
}

/** The LIMIT of a page statement (drizzle sends it as a parameter). */
function limitOf(statement: Statement): number {
  const position = /\blimit \$(\d+)/i.exec(statement.sql)?.[1];
  return position ? Number(statement.params[Number(position) - 1]) : Number.POSITIVE_INFINITY;
}

/** Rows the statement's scans of audit_logs read, returned or filtered out (EXPLAIN ANALYZE: it runs). */
async function rowsRead(statement: Statement): Promise<number> {
  const nodes = await planNodes(statement, "analyze, timing off");
  return nodes
    .filter((n) => n["Relation Name"] === "audit_logs")
    .reduce(
      (sum, n) => sum + (n["Actual Loops"] ?? 1) * ((n["Actual Rows"] ?? 0) + (n["Rows Removed by Filter"] ?? 0) + (n["Rows Removed by Index Recheck"] ?? 0)),
      0,
    );
}

const touchesAuditLogs = (s: Statement) => /\baudit_logs\b/.test(s.sql);
const isSeqScanOfAuditLogs = (n: PlanNode) => n["Node Type"] === "Seq Scan" && n["Relation Name"] === "audit_logs";

/** What a plan reads, e.g. "page: Incremental Sort, Index Scan audit_logs_timestamp_idx (read 102)". */
function summary(e: Explained): string {
  const parts = e.nodes.flatMap((n) => {
    const type = n["Node Type"];
    if (n["Index Name"]) return [`${type.replace("Bitmap Index Scan", "Bitmap")} ${n["Index Name"]}`];
    if (type === "Seq Scan" && n["Relation Name"] !== "audit_rollup_state") return [`Seq Scan ${n["Relation Name"]}`];
    if (type === "Sort" || type === "Incremental Sort") return [type];
    return [];
  });
  return `${e.kind}: ${[...new Set(parts)].join(", ")}${e.read === undefined ? "" : ` (read ${e.read})`}`;
}

const show = (explained: Explained[]) =>
  explained
    .map((e) => `-- ${e.kind}: ${e.statement.sql}\n-- parameters: ${JSON.stringify(e.statement.params)}\n${e.text}`)
    .join("\n\n");

// ---- the hot queries ----

/** GET /audit/logs?<query> as the route resolves it (default range: the last 24 h). */
const apiLogs = (query: string) => (db: Database) => {
  const { filters, page } = auditLogsQuery.parse(Object.fromEntries(new URLSearchParams(query)));
  return queryAuditLogs(db, filters, page);
};

/** start_time at the start of the seeded log: a search of everything the log holds. */
const wholeLog = () => `start_time=${new Date(Date.now() - DAYS * 24 * HOUR_MS).toISOString()}`;

/** Values of the seeded data: a typical user (and one of their sessions and addresses), a heavy user, a memory. */
let sample: { userId: string; username: string; heavyUserId: string; sessionId: string; ipAddress: string; memoryId: string; namespace: string };

interface HotQuery {
  name: string;
  run: (db: Database) => Promise<unknown>;
  /**
   * The page comes from an index in time order and stops: its scans of audit_logs read at most
   * PAGE_READS_PER_ROW rows per row of the page (EXPLAIN ANALYZE), not the whole range.
   */
  inOrder?: boolean;
  /** At most this many rows of audit_logs read by all its statements together (EXPLAIN ANALYZE). */
  maxRead?: number;
}

/** Statistics read whole hours from the summaries: from audit_logs only the partial hours at the ends. */
const STATISTICS_MAX_READ = Math.ceil((3 * EVENTS) / (DAYS * 24));

const hot: HotQuery[] = [
  { name: "GET /audit/logs (last 24 h, no filter)", run: apiLogs(""), inOrder: true },
  { name: "GET /audit/logs?hours=720 (no filter)", run: apiLogs("hours=720"), inOrder: true },
  { name: "GET /audit/logs?hours=720&order=asc (no filter)", run: apiLogs("hours=720&order=asc"), inOrder: true },
  {
    name: "GET /audit/logs?hours=720&cursor=… (a page 25 days deep)",
    inOrder: true,
    run: async (db) => {
      const [row] = await selectRows<{ id: string | number; timestamp: Date | string }>(
        database.db,
        sql`select id, timestamp from audit_logs where timestamp <= now() - interval '25 days' order by timestamp desc limit 1`,
      );
      return apiLogs(`hours=720&cursor=${encodeCursor({ id: Number(row!.id), timestamp: new Date(row!.timestamp) })}`)(db);
    },
  },
  { name: "GET /audit/logs?user_id=…", run: (db) => apiLogs(`user_id=${sample.userId}`)(db) },
  { name: "GET /audit/logs?user_id=…&hours=720", run: (db) => apiLogs(`user_id=${sample.userId}&hours=720`)(db) },
  { name: "GET /audit/logs?user_id=…&start_time=… (whole log)", run: (db) => apiLogs(`user_id=${sample.heavyUserId}&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?username=…", run: (db) => apiLogs(`username=${sample.username}`)(db) },
  { name: "GET /audit/logs?username=…&hours=720", run: (db) => apiLogs(`username=${sample.username}&hours=720`)(db) },
  { name: "GET /audit/logs?username=…&start_time=… (whole log)", run: (db) => apiLogs(`username=${sample.username}&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?event_type=auth.login.failed", run: apiLogs("event_type=auth.login.failed") },
  { name: "GET /audit/logs?event_type=auth.login.failed&hours=720", run: apiLogs("event_type=auth.login.failed&hours=720") },
  { name: "GET /audit/logs?event_type=user.deleted,user.password.reset&start_time=… (whole log)", run: (db) => apiLogs(`event_type=user.deleted,user.password.reset&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?event_type=memory.created,memory.deleted&hours=168", run: apiLogs("event_type=memory.created,memory.deleted&hours=168"), inOrder: true },
  { name: "GET /audit/logs?resource_type=memory&resource_id=…", run: (db) => apiLogs(`resource_type=memory&resource_id=${sample.memoryId}`)(db) },
  { name: "GET /audit/logs?resource_type=memory&resource_id=…&start_time=… (whole log)", run: (db) => apiLogs(`resource_type=memory&resource_id=${sample.memoryId}&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?severity=critical", run: apiLogs("severity=critical") },
  { name: "GET /audit/logs?severity=warning,error,critical&hours=720", run: apiLogs("severity=warning,error,critical&hours=720"), inOrder: true },
  { name: "GET /audit/logs?severity=critical&start_time=… (whole log)", run: (db) => apiLogs(`severity=critical&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?success=false", run: apiLogs("success=false") },
  { name: "GET /audit/logs?success=false&start_time=… (whole log)", run: (db) => apiLogs(`success=false&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?ip_address=…", run: (db) => apiLogs(`ip_address=${sample.ipAddress}`)(db) },
  { name: "GET /audit/logs?ip_address=…&hours=720", run: (db) => apiLogs(`ip_address=${sample.ipAddress}&hours=720`)(db) },
  { name: "GET /audit/logs?ip_address=…&start_time=… (whole log)", run: (db) => apiLogs(`ip_address=${sample.ipAddress}&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?session_id=…&hours=720", run: (db) => apiLogs(`session_id=${sample.sessionId}&hours=720`)(db) },
  { name: "GET /audit/logs?session_id=…&start_time=… (whole log)", run: (db) => apiLogs(`session_id=${sample.sessionId}&${wholeLog()}`)(db) },
  { name: "GET /audit/logs?namespace=…", run: (db) => apiLogs(`namespace=${sample.namespace}`)(db) },
  { name: "GET /audit/logs?namespace=…&hours=720", run: (db) => apiLogs(`namespace=${sample.namespace}&hours=720`)(db) },
  { name: "GET /audit/logs?q=budget", run: apiLogs("q=budget") },
  { name: "GET /audit/logs?q=budget&hours=720", run: apiLogs("q=budget&hours=720") },
  { name: "GET /audit/logs?q=user42&start_time=… (a username prefix, whole log)", run: (db) => apiLogs(`q=user42&${wholeLog()}`)(db) },
  {
    // The word index holds words by day: a search reads the matches of its range's days (2 here,
    // ~1 % of a day's events match user42*), not every match in the log (~2 000).
    name: "GET /audit/logs?q=user42&hours=24 (reads only the matches of the range's days)",
    run: apiLogs("q=user42&hours=24"),
    maxRead: Math.ceil(((2 * EVENTS) / DAYS) * 0.03) + 101,
  },
  {
    // 30 days: the whole days' matches are counted from the word summaries; only those of the two
    // partial days and of the days the page needs are read (~1.1 % of a day's events match
    // user42*: at 200k events, 2 + ~5 days and the page's rows), not the range's (~30 days).
    name: "GET /audit/logs?q=user42&hours=720 (whole days counted from the word summaries)",
    run: apiLogs("q=user42&hours=720"),
    maxRead: Math.ceil(((8 * EVENTS) / DAYS) * 0.015) + 2 * 101,
  },
  {
    name: "GET /audit/logs/user/:user_id (last 24 h)",
    run: (db) => {
      const { hours, limit } = recentQuery.parse({});
      return getUserActivity(db, sample.heavyUserId, { startTime: new Date(Date.now() - hours * HOUR_MS) }, { limit });
    },
  },
  {
    name: "/admin/audit/users/:id timeline (30 days of a user, failed logins by username)",
    run: async (db) => {
      const startTime = new Date(Date.now() - 720 * HOUR_MS);
      await getUserActivity(db, sample.heavyUserId, { startTime }, { limit: 1000 });
      await queryAuditLogs(db, { eventTypes: ["auth.login.failed"], username: sample.username, startTime }, { limit: 1 });
    },
  },
  {
    name: "GET /audit/logs/security (last 24 h)",
    run: (db) => {
      const { hours, limit } = recentQuery.parse({});
      return getSecurityEvents(db, { startTime: new Date(Date.now() - hours * HOUR_MS) }, { limit });
    },
  },
  {
    name: "/admin/audit/security (last 30 days)",
    inOrder: true,
    run: (db) => getSecurityEvents(db, { startTime: new Date(Date.now() - 720 * HOUR_MS) }, { limit: 500 }),
  },
  ...[
    // Whole-hour bars over type, severity and outcome filters come from the summaries.
    { label: "last 24 h, no filter", query: () => "", maxRead: STATISTICS_MAX_READ },
    { label: "30 days, failed only", query: () => "hours=720&success=false", maxRead: STATISTICS_MAX_READ },
    { label: "30 days, username", query: () => `hours=720&username=${sample.username}` },
    { label: "whole log, ip_address", query: () => `ip_address=${sample.ipAddress}&${wholeLog()}` },
  ].map(({ label, query, maxRead }) => ({
    name: `/admin/audit histogram (${label})`,
    maxRead,
    run: (db: Database) => {
      const { filters } = auditLogsQuery.parse(Object.fromEntries(new URLSearchParams(query())));
      return auditHistogram(db, { ...filters, startTime: filters.startTime!, endTime: filters.endTime! });
    },
  })),
  ...[
    { label: "last 24 h", query: {} },
    { label: "hours=168", query: { hours: "168" } },
    { label: "hours=720", query: { hours: "720" } },
  ].map(({ label, query }) => ({
    name: `GET /audit/statistics (${label})`,
    maxRead: STATISTICS_MAX_READ,
    run: (db: Database) => getAuditStatistics(db, timeRangeQuery.parse(query)),
  })),
  {
    name: "GET /audit/statistics?start_time=… (90 days)",
    maxRead: STATISTICS_MAX_READ,
    run: (db) => getAuditStatistics(db, timeRangeQuery.parse({ start_time: new Date(Date.now() - DAYS * 24 * HOUR_MS).toISOString() })),
  },
  { name: "the statistics roll-up the server runs every minute (nothing new)", run: (db) => rollUpAuditSummaries(db) },
];

/** Rows a page in time order may read per row it returns (filtered rows included). */
const PAGE_READS_PER_ROW = 10;

const report: { name: string; plans: string[] }[] = [];
let seedSeconds = 0;

beforeAll(async () => {
  database = await createTestDatabase();
  logged = await loggedDatabase(database);
  const started = performance.now();
  await seed(database.db, EVENTS);
  // As the server does at start-up and then every MEMORIC_AUDIT_ROLLUP_SECONDS.
  await rollUpAuditSummaries(database.db);
  // Statistics for the planner (autovacuum's job on a server; PGlite has none).
  await database.db.execute(sql.raw("analyze"));
  seedSeconds = (performance.now() - started) / 1000;

  const [user] = await selectRows<Record<string, string>>(
    database.db,
    sql`select user_id, username, session_id, ip_address, namespace from audit_logs where username = 'user500' order by timestamp desc limit 1`,
  );
  const [heavy] = await selectRows<{ user_id: string }>(database.db, sql`select user_id from audit_logs where username = 'user0' limit 1`);
  const [memory] = await selectRows<{ resource_id: string }>(
    database.db,
    sql`select resource_id from audit_logs where resource_type = 'memory' order by timestamp desc limit 1`,
  );
  sample = {
    userId: user!.user_id!,
    username: user!.username!,
    heavyUserId: heavy!.user_id,
    sessionId: user!.session_id!,
    ipAddress: user!.ip_address!,
    memoryId: memory!.resource_id,
    namespace: user!.namespace!,
  };
});

afterAll(async () => {
  if (report.length) {
    const width = Math.max(...report.map((r) => r.name.length));
    console.log(
      `[query plans] ${database?.engine}, ${EVENTS} events (seeded, rolled up and analyzed in ${seedSeconds.toFixed(1)} s):\n` +
        report.map((r) => `${r.name.padEnd(width)}  ${r.plans.join(" | ")}`).join("\n"),
    );
  }
  await database?.close();
});

describe(`query plans of the hot audit reads on ${EVENTS} events`, () => {
  it.each(hot)("$name uses an index", async ({ name, run, inOrder, maxRead }) => {
    const statements = (await capture(run)).filter(touchesAuditLogs);
    expect(statements.length, "no statement on audit_logs was captured").toBeGreaterThan(0);
    const explained = await explainAll(statements);
    report.push({ name, plans: explained.map(summary) });
    if (process.env.MEMORIC_PLAN_VERBOSE) console.log(`[query plans] ${database.engine}: ${name}\n${show(explained)}`);

    const seqScans = explained.filter((e) => e.nodes.some(isSeqScanOfAuditLogs));
    expect(seqScans.length, `${name} reads audit_logs with a sequential scan:\n\n${show(seqScans)}\n`).toBe(0);
    if (inOrder) {
      for (const page of explained.filter((e) => e.kind === "page")) {
        const allowed = PAGE_READS_PER_ROW * limitOf(page.statement);
        const analyzed = page.read! > allowed ? (await explain(page.statement, "analyze, timing off, format text")).join("\n") : "";
        expect(
          page.read,
          `${name}: the page read ${page.read} rows of audit_logs for ${limitOf(page.statement)} (at most ${allowed}):\n\n` +
            `-- ${page.statement.sql}\n-- parameters: ${JSON.stringify(page.statement.params)}\n${analyzed}\n`,
        ).toBeLessThanOrEqual(allowed);
      }
    }
    if (maxRead !== undefined) {
      const read = explained.reduce((sum, e) => sum + (e.read ?? 0), 0);
      expect(read, `${name} read ${read} rows of audit_logs (at most ${maxRead}):\n\n${show(explained)}\n`).toBeLessThanOrEqual(maxRead);
    }
  });

  it("the word index queues at most 64 kB of new entries, which every text search reads whole", async () => {
    const [index] = await selectRows<{ options: string[] | null }>(
      database.db,
      sql`select reloptions as options from pg_class where relname = 'audit_logs_search_idx'`,
    );
    expect(index?.options).toContain("gin_pending_list_limit=64");
  });
});
