import { z } from "zod";
import { recordAuditRead } from "@/lib/audit/access";
import { auditLeafHash, personalDataProblem } from "@/lib/audit/canonical";
import { eventProof } from "@/lib/audit/integrity";
import { isAuditEnabled } from "@/lib/audit/record";
import { auditLogToJson, getAuditLog, leafContentOf } from "@/lib/audit/query";
import { notFound } from "@/lib/http/errors";
import { apiRoute, methodNotAllowed } from "@/lib/http/route";

const params = z.object({
  id: z.string().regex(/^[1-9]\d{0,15}$/, "must be a positive whole number").transform(Number),
});

export const GET = apiRoute({ access: "admin", params, resourceType: "audit_log" }, async ({ db, params, audit }) => {
  const row = isAuditEnabled() ? await getAuditLog(db, params.id) : null;
  if (!row) throw notFound(`Audit log ${params.id} not found`);
  const log = auditLogToJson(row);
  const content = leafContentOf(log);
  await recordAuditRead(db, audit, "read", { id: row.id });
  return {
    ...log,
    integrity: {
      leaf_hash: log.leaf_hash,
      leaf_hash_valid: auditLeafHash(content) === log.leaf_hash,
      personal_data: log.erased_at ? "erased" : (personalDataProblem(content) ?? "matches its digest"),
      algorithm: "sha256/canonical-json, RFC 6962 Merkle tree, Ed25519 checkpoints",
      ...(await eventProof(db, row.id)),
    },
  };
});

export const { POST, PUT, PATCH, DELETE } = methodNotAllowed(["GET"]);
