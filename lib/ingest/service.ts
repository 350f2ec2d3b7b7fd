// Stores events other services send: a batch in one transaction through the one audit writer,
// each event stamped with where it came from, and retries made safe by Idempotency-Key.
import { createHash } from "node:crypto";
import { and, eq } from "drizzle-orm";
import type { ActorContext } from "@/lib/audit/logger";
import { isAuditEnabled, recordAuditBatch, type AuditEventInput } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/authenticate";
import type { Database } from "@/lib/db/client";
import { ingestRequests } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";

export interface IngestRequest {
  events: AuditEventInput[];
  /** The request body exactly as received: a retry must repeat it byte for byte. */
  body: string;
  idempotencyKey?: string;
}

export interface IngestResponse {
  events: { id: number; leaf_hash: string }[];
}

/** Who sent the events, added to each event's metadata; a sender cannot forge it. */
function provenance(actor: Actor, audit: ActorContext) {
  return actor.apiKey
    ? { type: "api_key", api_key_id: actor.apiKey.id, api_key_name: actor.apiKey.name, ip_address: audit.ipAddress ?? null }
    : { type: "admin", user_id: actor.userId, username: actor.username, ip_address: audit.ipAddress ?? null };
}

/** Idempotency keys are per sender: per API key, or per admin account. */
const idempotencyScope = (actor: Actor) => (actor.apiKey ? actor.apiKey.id : `user:${actor.userId}`);

/**
 * Stores all events or none. With an Idempotency-Key, the claim on the key is inserted first in
 * the same transaction, so a concurrent duplicate waits on the primary key and then replays the
 * stored answer instead of storing the events again; the same key with another body is a 422.
 */
export async function ingestEvents(
  db: Database,
  actor: Actor,
  request: IngestRequest,
  audit: ActorContext,
): Promise<{ response: IngestResponse; replayed: boolean }> {
  if (!isAuditEnabled()) {
    throw new ApiError(503, "audit_disabled", "Audit logging is disabled on this server; no events were stored");
  }
  const source = provenance(actor, audit);
  const events = request.events.map((event) => ({ ...event, metadata: { ...event.metadata, source } }));
  const { idempotencyKey } = request;
  const requestHash = createHash("sha256").update(request.body, "utf8").digest("hex");
  const claim = idempotencyKey
    ? and(eq(ingestRequests.apiKeyId, idempotencyScope(actor)), eq(ingestRequests.idempotencyKey, idempotencyKey))
    : undefined;

  return db.transaction(async (tx) => {
    if (idempotencyKey) {
      const [claimed] = await tx
        .insert(ingestRequests)
        .values({ apiKeyId: idempotencyScope(actor), idempotencyKey, requestHash, response: {} })
        .onConflictDoNothing()
        .returning({ key: ingestRequests.idempotencyKey });
      if (!claimed) {
        const [stored] = await tx.select().from(ingestRequests).where(claim).limit(1);
        if (stored?.requestHash !== requestHash) {
          throw new ApiError(
            422,
            "idempotency_key_reused",
            "This Idempotency-Key was already used with a different request body; use a new key for a new request",
          );
        }
        return { response: stored.response as unknown as IngestResponse, replayed: true };
      }
    }
    const rows = await recordAuditBatch(tx, events);
    const response: IngestResponse = { events: rows.map((row) => ({ id: row.id, leaf_hash: row.leafHash })) };
    if (claim) await tx.update(ingestRequests).set({ response: { ...response } }).where(claim);
    return { response, replayed: false };
  });
}
