import { recordAuditRead } from "@/lib/audit/access";
import { recentQuery } from "@/lib/audit/filters";
import { AuditLogger } from "@/lib/audit/logger";
import { auditLogToJson } from "@/lib/audit/query";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", query: recentQuery, resourceType: "audit_log" }, async ({ db, query, audit }) => {
  const startTime = new Date(Date.now() - query.hours * 3_600_000);
  const page = await new AuditLogger(db).getSecurityEvents({ startTime }, { limit: query.limit });
  await recordAuditRead(db, audit, "read", { view: "security", returned: page.logs.length, total: page.total });
  return { logs: page.logs.map(auditLogToJson), total: page.total, start_time: startTime.toISOString() };
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
