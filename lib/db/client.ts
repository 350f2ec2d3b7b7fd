// The one database client: postgres.js when DATABASE_URL is set, embedded PGlite kept under
// MEMORIC_DATA_DIR otherwise. Every query function takes a `Database` as its first argument,
// which is the client itself or a transaction on it.
import { mkdirSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { getTableColumns, getTableName, sql, type ExtractTablesWithRelations, type SQL } from "drizzle-orm";
import { PgDialect, type PgTable } from "drizzle-orm/pg-core";
import type { PgDatabase, PgQueryResultHKT } from "drizzle-orm/pg-core";
import type { Sql } from "postgres";
import { env } from "@/lib/env";
import * as schema from "./schema";
import { CUSTOM_PLANS, NO_JIT } from "./session-settings";
import { streamValues } from "./stream-values";

export type Schema = typeof schema;

/** The database or a transaction on it: both run the same queries. */
export type Database = PgDatabase<PgQueryResultHKT, Schema, ExtractTablesWithRelations<Schema>>;

export type Engine = "pglite" | "postgres";

export interface DatabaseHandle {
  db: Database;
  engine: Engine;
  /** Closes the connection pool or the embedded database; scripts must call it to exit. */
  close(): Promise<void>;
}

export interface ConnectOptions {
  /** A postgres:// URL; without one, PGlite is used. */
  url?: string;
  /** PGlite's data folder (created if missing); without one, PGlite keeps everything in memory. */
  dataDir?: string;
  /** Connections in each postgres.js pool (the client has two: see genericPlanSessions); 10 unless set. */
  maxConnections?: number;
}

/**
 * The postgres.js client with every statement prepared, in transactions too. drizzle asks for
 * unnamed statements, and postgres.js sends an unnamed statement with parameters in two round
 * trips (parse and describe, then bind and execute); a prepared one is parsed and described once
 * per connection and then takes one. Statement texts are fixed by the code (values are parameters),
 * so each connection's cache stays small; postgres.js re-prepares a statement a schema change
 * invalidated.
 */
function preparedStatements(client: Sql): Sql {
  return new Proxy(client, {
    get(target, key, receiver) {
      if (key === "unsafe") {
        return (query: string, params?: never[], queryOptions?: object) => target.unsafe(query, params, { ...queryOptions, prepare: true });
      }
      if (key === "begin" || key === "savepoint") {
        return (...args: unknown[]) => {
          const body = args.pop() as (tx: Sql) => unknown;
          return ((target as unknown as Record<string, (...a: unknown[]) => unknown>)[key])!(...args, (tx: Sql) => body(preparedStatements(tx)));
        };
      }
      return Reflect.get(target, key, receiver) as unknown;
    },
  });
}

// Kept on globalThis: Next.js may load this module more than once (instrumentation, route
// handlers, pages), and the instance that connected is not always the one a route asks.
// Per PostgreSQL database: its generic-plan pool and the URL it was connected with.
const shared = globalThis as unknown as { __memoricPools?: WeakMap<Database, { generic: Database; url: string }> };
const pools = (shared.__memoricPools ??= new WeakMap());

/**
 * The postgres:// URL `db` was connected with, for work that opens connections of its own (the
 * verifier's worker threads); undefined on PGlite and for a transaction.
 */
export function connectionUrl(db: Database): string | undefined {
  return pools.get(db)?.url;
}

/**
 * Where to run a statement, outside a transaction, whose plan does not depend on its values: a
 * write that is one statement, such as a change with its audit rows (changeWithAuditEvents), or a
 * lookup by key, such as the token check of every request. On PostgreSQL, the connections whose
 * sessions may reuse a generic plan: planning the audited insert again for every request cost
 * PostgreSQL more than executing it, and the token check's plan 98 µs against 24 µs to run it
 * (pg_stat_statements, 1M events, 10 connections). Queries whose best plan depends on the values
 * (the audit filters, time ranges) stay on `db`, planned for each execution's values. PGlite, or
 * a transaction, is `db` itself.
 */
export function genericPlanSessions(db: Database): Database {
  return pools.get(db)?.generic ?? db;
}

/** The application_name of the generic-plan pool's connections (pg_stat_activity shows it). */
export const GENERIC_PLAN_POOL_NAME = "memoric-generic-plans";

export const migrationsFolder = path.join(process.cwd(), "drizzle");

export async function connect(options: ConnectOptions): Promise<DatabaseHandle> {
  if (options.url) {
    const { default: postgres } = await import("postgres");
    const { drizzle } = await import("drizzle-orm/postgres-js");
    const client = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      // Statements are prepared (see preparedStatements) but planned for each execution's values,
      // as unnamed statements are: the same plans, without parsing again. No JIT (see NO_JIT).
      connection: { application_name: "memoric", ...CUSTOM_PLANS, ...NO_JIT },
    });
    // Statements whose plan does not depend on their values (genericPlanSessions) get connections
    // of their own, with PostgreSQL's default plan_cache_mode: after five executions a statement
    // may keep a generic plan.
    const generic = postgres(options.url, {
      max: options.maxConnections ?? 10,
      onnotice: () => {},
      connection: { application_name: GENERIC_PLAN_POOL_NAME, ...NO_JIT },
    });
    const db = drizzle({ client: preparedStatements(client), schema }) as unknown as Database;
    pools.set(db, { generic: drizzle({ client: preparedStatements(generic), schema }) as unknown as Database, url: options.url });
    return {
      db,
      engine: "postgres",
      close: async () => {
        await Promise.all([client.end({ timeout: 5 }), generic.end({ timeout: 5 })]);
      },
    };
  }
  const { PGlite } = await import("@electric-sql/pglite");
  const { drizzle } = await import("drizzle-orm/pglite");
  if (options.dataDir) mkdirSync(options.dataDir, { recursive: true });
  const client = new PGlite(options.dataDir ? path.resolve(options.dataDir) : undefined);
  await client.waitReady;
  return {
    db: drizzle({ client, schema }) as unknown as Database,
    engine: "pglite",
    close: () => client.close(),
  };
}

/** Applies the migrations in drizzle/ that the database has not seen yet. */
export async function migrate(handle: DatabaseHandle): Promise<void> {
  if (handle.engine === "postgres") {
    const { migrate: run } = await import("drizzle-orm/postgres-js/migrator");
    await run(handle.db as never, { migrationsFolder });
  } else {
    const { migrate: run } = await import("drizzle-orm/pglite/migrator");
    await run(handle.db as never, { migrationsFolder });
  }
}

/**
 * Connections in each of the server's two PostgreSQL pools: MEMORIC_DATABASE_POOL_SIZE, or one a
 * core of this machine (os.availableParallelism), at least 2 and at most 10. Connections beyond
 * the cores PostgreSQL has to run them add no throughput: their backends only take turns on the
 * cores, and where the server and PostgreSQL share a machine, on the core of the server's main
 * thread too; postgres.js queues and pipelines what does not fit. Measured with `npm run bench`
 * on 2 vCPUs with PostgreSQL beside the server (README, Performance), 2 connections a pool against
 * 10 (the default before 2026-12-06): the same POST /memories throughput with ~13 % less of
 * PostgreSQL's CPU a request and ~27 % less waiting by the main thread for a core. Where
 * PostgreSQL runs on a machine of its own with more cores, set it to about those cores.
 */
export function databasePoolSize(setting: number | undefined): number {
  return setting ?? Math.min(10, Math.max(2, os.availableParallelism()));
}

/** Connects with the process's settings and applies pending migrations. */
export async function connectFromEnv(): Promise<DatabaseHandle> {
  const settings = env();
  const handle = await connect({ url: settings.DATABASE_URL, dataDir: settings.MEMORIC_DATA_DIR, maxConnections: databasePoolSize(settings.MEMORIC_DATABASE_POOL_SIZE) });
  await migrate(handle);
  return handle;
}

// Route handlers, pages and instrumentation can be separate module instances in Next.js; the
// handle lives on globalThis so the process never opens the PGlite folder twice.
const holder = globalThis as unknown as { __memoricDatabase?: Promise<DatabaseHandle> };

/** The process's database, connected and migrated on first use. */
export function getDatabaseHandle(): Promise<DatabaseHandle> {
  holder.__memoricDatabase ??= connectFromEnv().catch((error: unknown) => {
    holder.__memoricDatabase = undefined;
    throw error;
  });
  return holder.__memoricDatabase;
}

export async function getDb(): Promise<Database> {
  return (await getDatabaseHandle()).db;
}

export async function closeDb(): Promise<void> {
  const pending = holder.__memoricDatabase;
  holder.__memoricDatabase = undefined;
  if (pending) await (await pending).close();
}

/**
 * Rows of a raw SQL query. postgres.js answers an array and PGlite an object with `rows`;
 * raw queries cast counts to int so both engines give numbers.
 */
export async function selectRows<T>(db: Database, query: SQL): Promise<T[]> {
  const result: unknown = await db.execute(query);
  return (Array.isArray(result) ? result : (result as { rows: T[] }).rows) as T[];
}

const dialect = new PgDialect();

/** The text and parameters drizzle sends for `query`. */
export function queryText(query: SQL): { sql: string; params: unknown[] } {
  return dialect.sqlToQuery(query);
}

/**
 * Runs the statement `text` with `params` straight on postgres.js, prepared as drizzle's own
 * statements are here: for a statement whose text is partly kept rather than built by drizzle
 * each time. Null, running nothing, where `db` is PGlite or a transaction.
 */
export function executeOnPostgresJs(db: Database, text: string, params: unknown[]): Promise<unknown> | null {
  const client = postgresJsClient(db);
  return client ? client.unsafe(text, params as never[]) : null;
}

/** The postgres.js client under a drizzle database (not under a transaction, nor PGlite). */
function postgresJsClient(db: Database): Sql | null {
  const client = (db as { $client?: unknown }).$client;
  return typeof client === "function" && typeof (client as Partial<Sql>).unsafe === "function" ? (client as Sql) : null;
}

/**
 * Hands each row of a raw query to `onRow` as its column values in select order (column names
 * must differ). On postgres.js the rows stream: each is handed over as soon as it is parsed and
 * none is kept, which saves building and collecting a large result. Elsewhere (PGlite, a
 * transaction) the rows are read first. If `onRow` throws, later rows are skipped and the error
 * is thrown once the query has finished.
 */
export async function forEachRow(db: Database, query: SQL, onRow: (values: unknown[]) => void): Promise<void> {
  const client = postgresJsClient(db);
  if (client) {
    const { sql: text, params } = dialect.sqlToQuery(query);
    return streamValues(client.unsafe(text, params as never[]), onRow);
  }
  for (const row of await selectRows<Record<string, unknown>>(db, query)) onRow(Object.values(row));
}

/**
 * forEachRow for a statement written out with $1, $2, … placeholders and their values, such as a
 * text that worker threads also run on connections of their own (lib/audit/sealed-batch.ts).
 */
export function forEachRowOfText(db: Database, text: string, params: readonly unknown[], onRow: (values: unknown[]) => void): Promise<void> {
  const parts = text.split(/\$(\d+)/);
  const query = sql.join(parts.map((part, i) => (i % 2 ? sql`${params[Number(part) - 1]}` : sql.raw(part))));
  return forEachRow(db, query, onRow);
}

/** The database's own error under drizzle's "Failed query" wrapper: its SQLSTATE code and message. */
export function databaseError(error: unknown): { code?: string; message: string } | null {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === "string" && /^[0-9A-Z]{5}$/.test(code)) return { code, message: e.message };
  }
  return null;
}

/** How a table's rows with a given set of keys become JSON: the column list and one row's writer. */
interface JsonRowsPlan {
  names: SQL;
  write(row: Record<string, unknown>): string;
}

/** Plans by table, then by the keys of the rows they were made for, joined with commas. */
const jsonRowsPlans = new WeakMap<PgTable, Map<string, JsonRowsPlan>>();

/**
 * The plan for rows with the keys of `first`: the JSON of a row is spelled out key by key (with
 * each key's `"name":` prepared once), where building an object of column names for every row and
 * stringifying the list took 2.4 times as long (13.2 against 5.5 ms a batch of 1,000 audit rows).
 */
function jsonRowsPlan(table: PgTable, first: Record<string, unknown>): JsonRowsPlan {
  // Looked up by the row's own keys (a third of the time of finding its columns first).
  const signature = Object.keys(first).join(",");
  let plans = jsonRowsPlans.get(table);
  if (!plans) jsonRowsPlans.set(table, (plans = new Map()));
  const known = plans.get(signature);
  if (known) return known;
  const columns = Object.entries(getTableColumns(table)).filter(([key]) => key in first);
  const keys = columns.map(([key]) => key);
  const prefixes = columns.map(([, column], i) => `${i === 0 ? "{" : ","}${JSON.stringify(column.name)}:`);
  const plan: JsonRowsPlan = {
    names: sql.raw(columns.map(([, c]) => `"${c.name}"`).join(", ")),
    write(row) {
      let out = "";
      for (let i = 0; i < keys.length; i++) {
        const value = row[keys[i]!];
        out += prefixes[i]! + (value === null || value === undefined ? "null" : value instanceof Date ? `"${value.toISOString()}"` : JSON.stringify(value));
      }
      return keys.length === 0 ? "{}" : `${out}}`;
    },
  };
  plans.set(signature, plan);
  return plan;
}

/**
 * The INSERT of many rows in one statement whose rows travel as a single JSON parameter, expanded
 * by json_populate_recordset: several times faster than INSERT … VALUES with a parameter per value
 * (and no limit of 65 535 parameters). Every row must have the keys of the first; values are
 * stored as their JSON (Dates as ISO 8601). Rows get their identity values in array order. Null
 * when there are no rows.
 */
export function insertRowsAsJsonStatement(table: PgTable, rows: Record<string, unknown>[], returning?: SQL): SQL | null {
  const first = rows[0];
  if (!first) return null;
  const plan = jsonRowsPlan(table, first);
  let json = "[";
  for (let i = 0; i < rows.length; i++) json += (i === 0 ? "" : ",") + plan.write(rows[i]!);
  json += "]";
  return insertJsonStatement(table, plan.names, json, returning);
}

/**
 * The INSERT of the rows in `json`, a JSON array of objects keyed by column name, into the columns
 * `columns` (a comma-separated list of quoted names) of `table`: insertRowsAsJsonStatement, for
 * callers that write the rows' JSON themselves.
 */
export function insertJsonStatement(table: PgTable, columns: SQL, json: string, returning?: SQL): SQL {
  const name = sql.raw(`"${getTableName(table)}"`);
  return sql`insert into ${name} (${columns}) select ${columns} from json_populate_recordset(null::${name}, ${json}::json)${returning ? sql` returning ${returning}` : sql``}`;
}

/** Runs insertRowsAsJsonStatement: many rows in one INSERT, as one JSON parameter. */
export async function insertRowsAsJson<R = never>(db: Database, table: PgTable, rows: Record<string, unknown>[], returning?: SQL): Promise<R[]> {
  const statement = insertRowsAsJsonStatement(table, rows, returning);
  return statement ? selectRows<R>(db, statement) : [];
}

/** How many identity values nextIdentity reserves with one round trip. */
export const IDENTITY_BLOCK = 64;

interface ReservedValues {
  values: number[];
  refill?: Promise<void>;
}

// Per database object (so test databases in one process never share values), then per table.
const reservedIdentities = new WeakMap<Database, Map<string, ReservedValues>>();

/**
 * The next value of `table`'s identity column (`id`), known before the row is inserted — so a
 * row and the audit event that describes it can go in one statement. Values come from the
 * column's own sequence, IDENTITY_BLOCK at a time per process: unique across processes, rising
 * within one; a process that stops leaves the rest of its block unused (a gap, as a rolled-back
 * insert leaves). Insert the row with `overridingSystemValue()`.
 */
export async function nextIdentity(db: Database, table: PgTable): Promise<number> {
  const name = getTableName(table);
  let tables = reservedIdentities.get(db);
  if (!tables) reservedIdentities.set(db, (tables = new Map()));
  const block = tables.get(name) ?? { values: [] };
  tables.set(name, block);
  while (block.values.length === 0) {
    // Concurrent callers share one refill.
    block.refill ??= selectRows<{ id: string }>(
      db,
      sql`select nextval(pg_get_serial_sequence(${`"${name}"`}, 'id'))::text as id from generate_series(1, ${IDENTITY_BLOCK}::int)`,
    )
      .then((rows) => {
        block.values.push(...rows.map((r) => Number(r.id)).sort((a, b) => a - b));
      })
      .finally(() => {
        block.refill = undefined;
      });
    await block.refill;
  }
  return block.values.shift()!;
}
