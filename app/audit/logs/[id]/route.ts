import { z } from "zod";
import { recordAuditRead } from "@/lib/audit/access";
import { eventIntegrity } from "@/lib/audit/integrity";
import { isAuditEnabled } from "@/lib/audit/record";
import { auditLogToJson, getAuditLog } from "@/lib/audit/query";
import { notFound } from "@/lib/http/errors";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

const params = z.object({
  id: z.string().regex(/^[1-9]\d{0,15}$/, "must be a positive whole number").transform(Number),
});

export const GET = apiRoute({ access: "admin", params, resourceType: "audit_log" }, async ({ db, params, audit }) => {
  const row = isAuditEnabled() ? await getAuditLog(db, params.id) : null;
  if (!row) throw notFound(`Audit log ${params.id} not found`);
  await recordAuditRead(db, audit, "read", { id: row.id });
  return { ...auditLogToJson(row), integrity: await eventIntegrity(db, row) };
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
