import { recordAuditRead } from "@/lib/audit/access";
import { auditLogsQuery } from "@/lib/audit/filters";
import { AuditLogger } from "@/lib/audit/logger";
import { auditLogToJson } from "@/lib/audit/query";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute(
  { access: "admin", query: auditLogsQuery, resourceType: "audit_log" },
  async ({ db, query, audit }) => {
    const page = await new AuditLogger(db).queryLogs(query.filters, query.page);
    await recordAuditRead(db, audit, "read", { returned: page.logs.length, total: page.total });
    return {
      logs: page.logs.map(auditLogToJson),
      total: page.total,
      offset: page.offset,
      limit: page.limit,
      next_cursor: page.nextCursor,
    };
  },
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
