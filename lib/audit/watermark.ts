// The watermark below which every transaction that could write to this database has finished:
// the sealer and the statistics roll-up take the events of the transactions below it, in order,
// and leave the rest for their next run.
import { sql } from "drizzle-orm";

/**
 * The oldest transaction still running that may write to this database, or the first transaction
 * id not yet assigned when there is none: a bigint, for this statement's snapshot. Every event of
 * a transaction below it has committed (or rolled back) and is visible to this statement and any
 * later one; any transaction that starts later gets an id at or above it.
 *
 * Transaction ids are the server's, so the plain `pg_snapshot_xmin` waits for transactions in
 * every database of the server: a long load into another database held sealing and statistics
 * back for its whole length. A running transaction is passed over only when pg_stat_activity shows
 * it running in another database (a transaction never changes database, and its id is never
 * reused while it runs); one that is not listed (it has just ended, it is a prepared transaction,
 * or its session is hidden) still holds the watermark, as before.
 */
export const writableWatermarkSql = sql`least(
  pg_snapshot_xmax(pg_current_snapshot())::text::bigint,
  (select min(x::text::bigint) from pg_snapshot_xip(pg_current_snapshot()) as x
    where not exists (select 1 from pg_stat_activity a where a.backend_xid = x::xid and a.datname is distinct from current_database())))`;
