// Reads and exports of the audit log are themselves audited.
import type { Database } from "@/lib/db/client";
import type { ActorContext } from "./logger";
import { recordAuditEvent } from "./record";

export function recordAuditRead(
  db: Database,
  audit: ActorContext,
  action: "read" | "export" | "stream" | "statistics" | "verify" | "checkpoint",
  metadata: Record<string, unknown> = {},
): Promise<unknown> {
  return recordAuditEvent(db, {
    ...audit,
    eventType: "authz.access.granted",
    resourceType: "audit_log",
    action,
    metadata: { reason: "admin", ...metadata },
  });
}
