// The live tail: Server-Sent Events of new matching events as they are written.
import type { Database } from "@/lib/db/client";
import { auditLogsAfter, auditLogToJson, latestAuditLogId, type AuditLogFilters } from "./query";

const POLL_MS = 1000;
const HEARTBEAT_MS = 15_000;
const BATCH = 500;
// Ids are taken at insert but become visible at commit, so a lower id can appear after a
// higher one; each poll looks this far back and skips what it has sent.
const LOOKBACK_IDS = 200;

export function streamAuditLogs(
  db: Database,
  filters: AuditLogFilters,
  options: { signal: AbortSignal; lastEventId?: number },
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const sent = new Set<number>();
  let highest = options.lastEventId ?? -1;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastWrite = Date.now();
  return new ReadableStream<Uint8Array>({
    async start(controller) {
      if (highest < 0) highest = await latestAuditLogId(db);
      // What exists now (up to the starting point) counts as sent: only newer events stream.
      for (const row of await auditLogsAfter(db, filters, Math.max(0, highest - LOOKBACK_IDS), BATCH)) {
        if (row.id <= highest) sent.add(row.id);
      }
      const send = (text: string) => {
        controller.enqueue(encoder.encode(text));
        lastWrite = Date.now();
      };
      send(`retry: 2000\n: streaming audit events after id ${highest}\n\n`);
      const poll = async () => {
        if (options.signal.aborted) return;
        try {
          const rows = await auditLogsAfter(db, filters, Math.max(0, highest - LOOKBACK_IDS), BATCH);
          for (const row of rows) {
            if (sent.has(row.id)) continue;
            sent.add(row.id);
            send(`id: ${row.id}\nevent: audit\ndata: ${JSON.stringify(auditLogToJson(row))}\n\n`);
            highest = Math.max(highest, row.id);
          }
          for (const id of sent) if (id <= highest - LOOKBACK_IDS) sent.delete(id);
          if (Date.now() - lastWrite > HEARTBEAT_MS) send(": keep-alive\n\n");
        } catch (error) {
          send(`event: error\ndata: ${JSON.stringify({ message: "stream interrupted; reconnect" })}\n\n`);
          console.error("[memoric] audit stream poll failed:", error instanceof Error ? error.message : error);
        }
        timer = setTimeout(() => void poll(), POLL_MS);
      };
      options.signal.addEventListener("abort", () => {
        clearTimeout(timer);
        try {
          controller.close();
        } catch {
          // already closed
        }
      });
      timer = setTimeout(() => void poll(), POLL_MS);
    },
    cancel() {
      clearTimeout(timer);
    },
  });
}
