import { recordAuditRead } from "@/lib/audit/access";
import { runVerification } from "@/lib/audit/integrity";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

export const GET = apiRoute({ access: "admin", resourceType: "audit_log" }, async ({ db, actor, audit }) => {
  await recordAuditRead(db, audit, "verify");
  return runVerification(db, `admin:${actor.username}`);
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
