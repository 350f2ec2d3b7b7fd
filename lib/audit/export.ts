// Export of every matching event as CSV or NDJSON, streamed page by page (never built in memory).
import type { Database } from "@/lib/db/client";
import { auditLogToJson, queryAuditLogs, type AuditLogFilters, type AuditLogJson } from "./query";

export type ExportFormat = "csv" | "ndjson";

const EXPORT_PAGE = 1000;

export const CSV_COLUMNS: (keyof AuditLogJson)[] = [
  "id", "timestamp", "event_type", "severity", "description", "user_id", "username", "session_id", "ip_address",
  "user_agent", "resource_type", "resource_id", "namespace", "action", "before_state", "after_state",
  "request_method", "request_path", "request_params", "success", "error_message", "status_code", "metadata",
  "tags", "compliance_tags", "retention_policy", "leaf_hash",
];

function csvField(value: unknown): string {
  if (value === null || value === undefined) return "";
  const text = typeof value === "object" ? JSON.stringify(value) : String(value);
  return /[",\r\n]/.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

export function csvRow(log: AuditLogJson): string {
  return `${CSV_COLUMNS.map((column) => csvField(log[column])).join(",")}\r\n`;
}

/** A byte stream of every event matching `filters`, newest first, read through cursor pages. */
export function exportAuditLogs(db: Database, filters: AuditLogFilters, format: ExportFormat): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let cursor: string | undefined;
  let started = false;
  let done = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (done) return;
      let chunk = "";
      if (!started && format === "csv") chunk += `${CSV_COLUMNS.join(",")}\r\n`;
      started = true;
      const page = await queryAuditLogs(db, filters, { limit: EXPORT_PAGE, cursor, withTotal: false });
      for (const row of page.logs) {
        const log = auditLogToJson(row);
        chunk += format === "csv" ? csvRow(log) : `${JSON.stringify(log)}\n`;
      }
      if (chunk) controller.enqueue(encoder.encode(chunk));
      cursor = page.nextCursor ?? undefined;
      if (!cursor) {
        done = true;
        controller.close();
      }
    },
  });
}
