import { recordAuditRead } from "@/lib/audit/access";
import { timeRangeQuery } from "@/lib/audit/filters";
import { AuditLogger } from "@/lib/audit/logger";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", query: timeRangeQuery, resourceType: "audit_log" }, async ({ db, query, audit }) => {
  const stats = await new AuditLogger(db).getStatistics(query);
  await recordAuditRead(db, audit, "statistics", { start_time: stats.start_time, end_time: stats.end_time });
  return stats;
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
