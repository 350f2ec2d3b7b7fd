// Exported bundles that verify offline: NDJSON of a signed checkpoint, then each event with its
// inclusion proof. Checking one needs nothing but the bundle and the public key.
import type { KeyObject } from "node:crypto";
import type { Database } from "@/lib/db/client";
import { auditLeafHash, personalDataProblem } from "./canonical";
import { cachedNodeReader, checkpointMessage, checkpointToJson, createCheckpoint } from "./integrity";
import { publicKeyInfo, verifySignature } from "./keys";
import { inclusionProof, leafNodeHash, verifyInclusion } from "./merkle";
import { queryAuditLogs, auditLogToJson, leafContentOf, type AuditLogFilters, type AuditLogJson } from "./query";
import { auditSeal } from "@/lib/db/schema";
import { inArray } from "drizzle-orm";

export const BUNDLE_TYPE = "memoric.audit.bundle.v1";

export function exportBundle(db: Database, filters: AuditLogFilters): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  const read = cachedNodeReader(db);
  let checkpoint: Awaited<ReturnType<typeof createCheckpoint>> = null;
  let cursor: string | undefined;
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        checkpoint = await createCheckpoint(db, "on_demand");
        const header = { type: BUNDLE_TYPE, created_at: new Date().toISOString(), key: publicKeyInfo(), checkpoint: checkpointToJson(checkpoint!) };
        controller.enqueue(encoder.encode(`${JSON.stringify(header)}\n`));
        return;
      }
      const page = await queryAuditLogs(db, filters, { limit: 500, cursor, withTotal: false });
      const seals = page.logs.length
        ? await db.select().from(auditSeal).where(inArray(auditSeal.logId, page.logs.map((l) => l.id)))
        : [];
      const seqOf = new Map(seals.map((s) => [s.logId, s.seq]));
      let chunk = "";
      for (const row of page.logs) {
        const seq = seqOf.get(row.id);
        const covered = seq !== undefined && seq < checkpoint!.treeSize;
        chunk += `${JSON.stringify({
          type: "event",
          event: auditLogToJson(row),
          leaf_index: covered ? seq : null,
          inclusion_proof: covered ? await inclusionProof(read, seq, 0, checkpoint!.treeSize) : null,
        })}\n`;
      }
      if (chunk) controller.enqueue(encoder.encode(chunk));
      cursor = page.nextCursor ?? undefined;
      if (!cursor) controller.close();
    },
  });
}

export interface BundleReport {
  ok: boolean;
  events: number;
  proven: number;
  /** Events written after the bundle's checkpoint: their content is checked, their place is not. */
  unproven: number;
  checkpoint?: { tree_size: number; root_hash: string; created_at: string };
  first_failure?: { id: number | null; reason: string };
}

/** Verifies a bundle's lines with the public key alone. */
export function verifyBundle(lines: Iterable<string>, publicKey: KeyObject): BundleReport {
  const report: BundleReport = { ok: true, events: 0, proven: 0, unproven: 0 };
  const fail = (id: number | null, reason: string): BundleReport => ({ ...report, ok: false, first_failure: { id, reason } });
  let checkpoint: ReturnType<typeof checkpointToJson> | undefined;
  for (const line of lines) {
    if (!line.trim()) continue;
    let entry: Record<string, unknown>;
    try {
      entry = JSON.parse(line) as Record<string, unknown>;
    } catch {
      return fail(null, "a line of the bundle is not JSON");
    }
    if (!checkpoint) {
      if (entry.type !== BUNDLE_TYPE) return fail(null, `not a ${BUNDLE_TYPE} file`);
      checkpoint = entry.checkpoint as ReturnType<typeof checkpointToJson>;
      const message = checkpointMessage({
        treeSize: checkpoint.tree_size,
        rootHash: checkpoint.root_hash,
        createdAt: new Date(checkpoint.created_at),
        previousId: checkpoint.previous_id,
        keyId: checkpoint.key_id,
      });
      if (!verifySignature(message, checkpoint.signature, publicKey)) return fail(null, "the checkpoint's signature does not verify with this public key");
      report.checkpoint = { tree_size: checkpoint.tree_size, root_hash: checkpoint.root_hash, created_at: checkpoint.created_at };
      continue;
    }
    const event = entry.event as AuditLogJson;
    const { id, leaf_hash } = event;
    const content = leafContentOf(event);
    report.events += 1;
    if (auditLeafHash(content) !== leaf_hash) return fail(id, "event content does not match its leaf hash");
    const personal = personalDataProblem(content);
    if (personal) return fail(id, personal);
    if (entry.leaf_index === null || entry.leaf_index === undefined) {
      report.unproven += 1;
      continue;
    }
    const proof = entry.inclusion_proof as string[];
    if (!verifyInclusion(entry.leaf_index as number, checkpoint.tree_size, leafNodeHash(leaf_hash), proof, checkpoint.root_hash)) {
      return fail(id, "inclusion proof does not lead to the checkpoint's root");
    }
    report.proven += 1;
  }
  if (!checkpoint) return fail(null, "the bundle is empty");
  return report;
}
