// Test helpers for the audit log.
import type { Database } from "@/lib/db/client";
import type { AuditLogRow } from "@/lib/db/schema";
import { queryAuditLogs } from "./query";

/** Every audit row, newest first, read page by page with the cursor. */
export async function allAuditLogs(db: Database): Promise<AuditLogRow[]> {
  const rows: AuditLogRow[] = [];
  let cursor: string | undefined;
  do {
    const page = await queryAuditLogs(db, {}, { limit: 1000, cursor });
    rows.push(...page.logs);
    cursor = page.nextCursor ?? undefined;
  } while (cursor);
  return rows;
}
