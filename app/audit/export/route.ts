import { recordAuditRead } from "@/lib/audit/access";
import { exportAuditLogs } from "@/lib/audit/export";
import { auditExportQuery } from "@/lib/audit/filters";
import { isAuditEnabled } from "@/lib/audit/record";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", query: auditExportQuery, resourceType: "audit_log" }, async ({ db, query, audit }) => {
  const { format, filters } = query;
  await recordAuditRead(db, audit, "export", { format });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const body = isAuditEnabled() ? exportAuditLogs(db, filters, format) : new ReadableStream({ start: (c) => c.close() });
  return new Response(body, {
    headers: {
      "content-type": format === "csv" ? "text/csv; charset=utf-8" : "application/x-ndjson; charset=utf-8",
      "content-disposition": `attachment; filename="memoric-audit-${stamp}.${format}"`,
      "cache-control": "no-store",
    },
  });
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
