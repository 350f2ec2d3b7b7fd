import { recordAuditRead } from "@/lib/audit/access";
import { exportBundle } from "@/lib/audit/bundle";
import { exportAuditLogs } from "@/lib/audit/export";
import { auditExportQuery } from "@/lib/audit/filters";
import { isAuditEnabled } from "@/lib/audit/record";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

const types = { csv: "text/csv; charset=utf-8", ndjson: "application/x-ndjson; charset=utf-8", bundle: "application/x-ndjson; charset=utf-8" };
const extensions = { csv: "csv", ndjson: "ndjson", bundle: "bundle.ndjson" };

export const GET = apiRoute({ access: "admin", query: auditExportQuery, resourceType: "audit_log" }, async ({ db, query, audit }) => {
  const { format, filters } = query;
  await recordAuditRead(db, audit, "export", { format });
  const stamp = new Date().toISOString().replace(/[:.]/g, "-");
  const body = !isAuditEnabled()
    ? new ReadableStream({ start: (c) => c.close() })
    : format === "bundle"
      ? exportBundle(db, filters)
      : exportAuditLogs(db, filters, format);
  return new Response(body, {
    headers: {
      "content-type": types[format],
      "content-disposition": `attachment; filename="memoric-audit-${stamp}.${extensions[format]}"`,
      "cache-control": "no-store",
    },
  });
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
