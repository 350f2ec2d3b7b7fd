import { z } from "zod";
import { recordAuditRead } from "@/lib/audit/access";
import { recentQuery } from "@/lib/audit/filters";
import { AuditLogger } from "@/lib/audit/logger";
import { auditLogToJson } from "@/lib/audit/query";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

const params = z.object({ user_id: z.string().min(1).max(256) });

export const GET = apiRoute(
  { access: "admin", params, query: recentQuery, resourceType: "audit_log" },
  async ({ db, params, query, audit }) => {
    const startTime = new Date(Date.now() - query.hours * 3_600_000);
    const page = await new AuditLogger(db).getUserActivity(params.user_id, { startTime }, { limit: query.limit });
    await recordAuditRead(db, audit, "read", { user_id: params.user_id, returned: page.logs.length, total: page.total });
    return { user_id: params.user_id, logs: page.logs.map(auditLogToJson), total: page.total, start_time: startTime.toISOString() };
  },
);

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
