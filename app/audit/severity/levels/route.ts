import { recordAuditRead } from "@/lib/audit/access";
import { SEVERITIES } from "@/lib/audit/events";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", resourceType: "audit_log" }, async ({ db, audit }) => {
  await recordAuditRead(db, audit, "read", { view: "severity_levels" });
  return { severity_levels: SEVERITIES.map(({ value, name, description }) => ({ value, name, description })), total: SEVERITIES.length };
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
