import { recordAuditRead } from "@/lib/audit/access";
import { auditFilterQuery } from "@/lib/audit/filters";
import { streamAuditLogs } from "@/lib/audit/stream";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const dynamic = "force-dynamic";

export const GET = apiRoute({ access: "admin", query: auditFilterQuery, resourceType: "audit_log" }, async ({ db, query, audit, request }) => {
  // A live tail follows new events: the time window of the filters does not apply.
  const { startTime: _start, endTime: _end, ...filters } = query;
  const lastEventId = Number(request.headers.get("last-event-id") ?? "");
  await recordAuditRead(db, audit, "stream");
  return new Response(
    streamAuditLogs(db, filters, { signal: request.signal, lastEventId: Number.isSafeInteger(lastEventId) && lastEventId > 0 ? lastEventId : undefined }),
    { headers: { "content-type": "text/event-stream; charset=utf-8", "cache-control": "no-store", connection: "keep-alive", "x-accel-buffering": "no" } },
  );
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
