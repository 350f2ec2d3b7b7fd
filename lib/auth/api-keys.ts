// API keys of other services: issued by an admin, scoped, revocable, and kept only as a SHA-256
// of the secret. A key authenticates `Authorization: Bearer mk_…` on the routes that allow keys.
import { createHash, randomBytes, randomUUID } from "node:crypto";
import { and, desc, eq, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent } from "@/lib/audit/record";
import { genericPlanSessions, type Database } from "@/lib/db/client";
import { apiKeys, type User } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import { boundedText } from "@/lib/memories/schemas";

/** The closed list of what a key may be allowed to do. */
export const API_KEY_SCOPES = ["events:write"] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

export const API_KEY_PREFIX = "mk_";
/** Characters of the key kept in clear for listings: `mk_` and 7 of the random part. */
const LISTED_PREFIX_CHARS = 10;
/** last_used_at is written at most this often per key, not on every request. */
const LAST_USED_RESOLUTION_MS = 60_000;

export type ApiKey = typeof apiKeys.$inferSelect;

export const issueApiKeySchema = z.object({
  name: boundedText(1, 100).refine((s) => s.trim() !== "", "must not be blank"),
  scopes: z
    .array(z.enum(API_KEY_SCOPES, { error: `must be one of ${API_KEY_SCOPES.join(", ")}` }))
    .min(1, "must name at least one scope")
    .max(API_KEY_SCOPES.length)
    .default(["events:write"])
    .transform((scopes) => [...new Set(scopes)]),
});

export const apiKeyIdParams = z.object({ id: z.uuid("must be an API key id") });

export const hashApiKey = (secret: string) => createHash("sha256").update(secret, "utf8").digest("hex");

export const isApiKeyCredential = (credential: string) => credential.startsWith(API_KEY_PREFIX);

/** The JSON an admin sees of a key: never its secret or hash. */
export function apiKeyToJson(key: ApiKey) {
  return {
    id: key.id,
    name: key.name,
    prefix: key.prefix,
    scopes: key.scopes,
    created_by: key.createdBy,
    created_at: key.createdAt.toISOString(),
    last_used_at: key.lastUsedAt?.toISOString() ?? null,
    revoked_at: key.revokedAt?.toISOString() ?? null,
  };
}

/**
 * Issues a key and records auth.token.created (resource_type "api_key") in one transaction.
 * The secret is in the answer only; the database and the audit row hold its hash and prefix.
 */
export async function issueApiKey(
  db: Database,
  admin: User,
  input: z.output<typeof issueApiKeySchema>,
  audit: ActorContext,
): Promise<{ key: ApiKey; secret: string }> {
  const secret = `${API_KEY_PREFIX}${randomBytes(32).toString("base64url")}`;
  return db.transaction(async (tx) => {
    const [key] = await tx
      .insert(apiKeys)
      .values({
        id: randomUUID(),
        name: input.name,
        prefix: secret.slice(0, LISTED_PREFIX_CHARS),
        keyHash: hashApiKey(secret),
        scopes: input.scopes,
        createdBy: admin.id,
      })
      .returning();
    await recordAuditEvent(tx, {
      ...audit,
      eventType: "auth.token.created",
      resourceType: "api_key",
      resourceId: key!.id,
      action: "issue",
      metadata: { name: key!.name, scopes: key!.scopes, prefix: key!.prefix },
    });
    return { key: key!, secret };
  });
}

export async function listApiKeys(db: Database): Promise<ApiKey[]> {
  return db.select().from(apiKeys).orderBy(desc(apiKeys.createdAt), desc(apiKeys.id));
}

export async function getApiKey(db: Database, id: string): Promise<ApiKey> {
  const [key] = await db.select().from(apiKeys).where(eq(apiKeys.id, id)).limit(1);
  if (!key) throw notFound(`API key ${id} not found`);
  return key;
}

/**
 * Revokes a key. The catalog has no event for it, so revocation is recorded as what it does to
 * the credential: auth.token.invalid with action "revoke", success true, resource_type "api_key".
 * Revoking a revoked key changes nothing and records nothing.
 */
export async function revokeApiKey(db: Database, id: string, audit: ActorContext): Promise<void> {
  await db.transaction(async (tx) => {
    const [key] = await tx.select().from(apiKeys).where(eq(apiKeys.id, id)).for("update");
    if (!key) throw notFound(`API key ${id} not found`);
    if (key.revokedAt) return;
    const [revoked] = await tx.update(apiKeys).set({ revokedAt: new Date() }).where(eq(apiKeys.id, id)).returning();
    await recordAuditEvent(tx, {
      ...audit,
      eventType: "auth.token.invalid",
      severity: "info",
      success: true,
      resourceType: "api_key",
      resourceId: key.id,
      action: "revoke",
      beforeState: apiKeyToJson(key),
      afterState: apiKeyToJson(revoked!),
      metadata: { name: key.name, prefix: key.prefix },
    });
  });
}

export type ApiKeyCheck = { ok: true; key: ApiKey } | { ok: false; failure: "api_key_invalid" | "api_key_revoked"; key?: ApiKey };

/**
 * Finds the key a secret belongs to, and notes its use (at most once a minute). The lookup, by
 * the key's hash, runs on the sessions that keep its plan (genericPlanSessions), as the bearer
 * token check does.
 */
export async function verifyApiKey(db: Database, secret: string): Promise<ApiKeyCheck> {
  const [key] = await genericPlanSessions(db).select().from(apiKeys).where(eq(apiKeys.keyHash, hashApiKey(secret))).limit(1);
  if (!key) return { ok: false, failure: "api_key_invalid" };
  if (key.revokedAt) return { ok: false, failure: "api_key_revoked", key };
  const now = new Date();
  if (!key.lastUsedAt || now.getTime() - key.lastUsedAt.getTime() >= LAST_USED_RESOLUTION_MS) {
    const stale = new Date(now.getTime() - LAST_USED_RESOLUTION_MS);
    await db
      .update(apiKeys)
      .set({ lastUsedAt: now })
      .where(and(eq(apiKeys.id, key.id), or(isNull(apiKeys.lastUsedAt), lt(apiKeys.lastUsedAt, stale))));
  }
  return { ok: true, key };
}
