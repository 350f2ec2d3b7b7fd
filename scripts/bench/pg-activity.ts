// What PostgreSQL did for a request, from its statistics views: buffer hits and reads (a read is a
// block that was not in shared_buffers), the WAL written (bytes from the insert position, exact;
// records and full-page images from pg_stat_wal), rows written, and the dirty buffers backends had
// to write out themselves to make room. By relation: the blocks each table and index read or hit.
// The CPU a request (cpu.ts) says how much PostgreSQL spent; these say on what, so a run at 10M
// events can be set beside one at 1M. PostgreSQL 15 publishes a backend's counters up to 10 s after
// its last transaction, so a reading is only whole once the writers have been idle that long (run.ts
// waits). The WAL, checkpoint and backend-write counters are the whole server's: run it alone.
import type postgres from "postgres";

/** Counters, summed since the server started; per relation under `relations`. */
export interface ActivityReading {
  hits: number;
  reads: number;
  walBytes: number;
  walRecords: number;
  fullPageImages: number;
  rowsWritten: number;
  backendWrites: number;
  checkpoints: number;
  relations: Record<string, { hits: number; reads: number }>;
}

const COUNTERS = ["hits", "reads", "walBytes", "walRecords", "fullPageImages", "rowsWritten", "backendWrites", "checkpoints"] as const;

export async function readActivity(sql: postgres.Sql): Promise<ActivityReading> {
  const [totals] = await sql<Record<(typeof COUNTERS)[number], string>[]>`
    select d.blks_hit as "hits", d.blks_read as "reads",
      pg_current_wal_insert_lsn() - '0/0'::pg_lsn as "walBytes",
      w.wal_records as "walRecords", w.wal_fpi as "fullPageImages",
      d.tup_inserted + d.tup_updated + d.tup_deleted as "rowsWritten",
      b.buffers_backend as "backendWrites", b.checkpoints_timed + b.checkpoints_req as "checkpoints"
    from pg_stat_database d, pg_stat_wal w, pg_stat_bgwriter b
    where d.datname = current_database()`;
  const relations = await sql<{ name: string; hits: string; reads: string }[]>`
    select relname as name, coalesce(heap_blks_hit, 0) + coalesce(toast_blks_hit, 0) + coalesce(tidx_blks_hit, 0) as hits,
      coalesce(heap_blks_read, 0) + coalesce(toast_blks_read, 0) + coalesce(tidx_blks_read, 0) as reads
    from pg_statio_user_tables
    union all
    select indexrelname, idx_blks_hit, idx_blks_read from pg_statio_user_indexes`;
  const reading = Object.fromEntries(COUNTERS.map((key) => [key, Number(totals![key])])) as Omit<ActivityReading, "relations">;
  return { ...reading, relations: Object.fromEntries(relations.map((r) => [r.name, { hits: Number(r.hits), reads: Number(r.reads) }])) };
}

/** A relation's blocks a request. */
export interface RelationActivity {
  name: string;
  hits: number;
  reads: number;
}

/** The counters a request between two readings; relations with any block, most reads (then hits) first. */
export type ActivityPerRequest = Record<(typeof COUNTERS)[number], number> & { relations: RelationActivity[] };

export function activityPerRequest(before: ActivityReading, after: ActivityReading, requests: number): ActivityPerRequest {
  const per = (n: number) => n / Math.max(1, requests);
  const totals = Object.fromEntries(COUNTERS.map((key) => [key, per(after[key] - before[key])])) as Record<(typeof COUNTERS)[number], number>;
  const relations = Object.entries(after.relations)
    .map(([name, now]) => {
      const then = before.relations[name] ?? { hits: 0, reads: 0 };
      return { name, hits: per(now.hits - then.hits), reads: per(now.reads - then.reads) };
    })
    .filter((r) => r.hits > 0 || r.reads > 0)
    .sort((a, b) => b.reads - a.reads || b.hits - a.hits);
  return { ...totals, relations };
}
