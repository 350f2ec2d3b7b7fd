import { z } from "zod";
import { recordAuditRead } from "@/lib/audit/access";
import { checkpointToJson, createCheckpoint, listCheckpoints } from "@/lib/audit/integrity";
import { apiRoute, json, methodNotAllowed } from "@/lib/http/route";

const query = z.object({
  limit: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(1, "must be at least 1").max(100, "must be at most 100").default(20),
  cursor: z.string().regex(/^[1-9]\d{0,15}$/, "must be a cursor from next_cursor").transform(Number).optional(),
});

export const GET = apiRoute({ access: "admin", query, resourceType: "audit_log" }, async ({ db, query, audit }) => {
  await recordAuditRead(db, audit, "read", { view: "checkpoints" });
  return listCheckpoints(db, { limit: query.limit, beforeId: query.cursor });
});

/** Seals what is pending and signs a checkpoint now. */
export const POST = apiRoute({ access: "admin", resourceType: "audit_log" }, async ({ db, audit }) => {
  await recordAuditRead(db, audit, "checkpoint");
  const checkpoint = await createCheckpoint(db, "on_demand");
  return json(checkpointToJson(checkpoint!), 201);
});

export const { PUT, PATCH, DELETE } = methodNotAllowed(["GET", "POST"]);
