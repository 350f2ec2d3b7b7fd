// Streaming a postgres.js query's rows, for forEachRow (client.ts) and for verification's worker
// threads, which use postgres.js without drizzle (lib/audit/verify-worker.ts).
import type { PendingQuery, Row } from "postgres";

/**
 * Hands each row of `query` to `onRow` as its column values in select order, as soon as it is
 * parsed; none is kept. If `onRow` throws, later rows are skipped and the error is thrown once the
 * query has finished, so that the connection is left ready for the next.
 */
export async function streamValues(query: PendingQuery<Row[]>, onRow: (values: unknown[]) => void): Promise<void> {
  let failure: { error: unknown } | undefined;
  await query.values().forEach((values) => {
    if (failure) return;
    try {
      onRow(values);
    } catch (error) {
      failure = { error };
    }
  });
  if (failure) throw failure.error;
}
