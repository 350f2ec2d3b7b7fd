import { recordAuditRead } from "@/lib/audit/access";
import { EVENT_TYPES } from "@/lib/audit/events";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", resourceType: "audit_log" }, async ({ db, audit }) => {
  await recordAuditRead(db, audit, "read", { view: "event_types" });
  return {
    event_types: EVENT_TYPES.map(({ value, name, category, description, severity }) => ({ value, name, category, description, default_severity: severity })),
    total: EVENT_TYPES.length,
  };
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
