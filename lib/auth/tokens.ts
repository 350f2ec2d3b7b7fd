// Access tokens: HS256 JWTs with sub, roles, namespace, iat, exp and jti, signed with
// MEMORIC_JWT_SECRET (or, outside production, a random secret generated once in the data folder).
import { randomBytes, randomUUID } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { eq, getTableColumns, sql } from "drizzle-orm";
import { decodeProtectedHeader, errors, jwtVerify, SignJWT } from "jose";
import { genericPlanSessions, type Database } from "@/lib/db/client";
import { revokedTokens, users, type User } from "@/lib/db/schema";
import { env } from "@/lib/env";

export const TOKEN_LIFETIME_SECONDS = 3600;

let cachedSecret: Uint8Array | undefined;

/** The signing secret; outside production, generated once and kept in the data folder. */
export function jwtSecret(): Uint8Array {
  if (cachedSecret) return cachedSecret;
  const settings = env();
  let secret = settings.MEMORIC_JWT_SECRET;
  if (!secret) {
    const file = path.join(settings.MEMORIC_DATA_DIR, "jwt-secret");
    try {
      secret = readFileSync(file, "utf8").trim();
    } catch {
      mkdirSync(settings.MEMORIC_DATA_DIR, { recursive: true });
      secret = randomBytes(32).toString("hex");
      writeFileSync(file, secret, { mode: 0o600, flag: "wx" });
    }
  }
  cachedSecret = new TextEncoder().encode(secret);
  return cachedSecret;
}

let verifyKey: Promise<CryptoKey> | undefined;

/** The secret as an HMAC key, imported once: given the bytes, jose imports them on every verification. */
function jwtVerifyKey(): Promise<CryptoKey> {
  verifyKey ??= crypto.subtle.importKey("raw", jwtSecret() as Uint8Array<ArrayBuffer>, { name: "HMAC", hash: "SHA-256" }, false, ["verify"]);
  return verifyKey;
}

export interface TokenClaims {
  sub: string;
  roles: string[];
  namespace: string | null;
  iat: number;
  exp: number;
  jti: string;
}

export async function issueAccessToken(user: { id: string; roles: string[]; namespace: string | null }) {
  const jti = randomUUID();
  const now = Math.floor(Date.now() / 1000);
  const token = await new SignJWT({ roles: user.roles, namespace: user.namespace })
    .setProtectedHeader({ alg: "HS256", typ: "JWT" })
    .setSubject(user.id)
    .setIssuedAt(now)
    .setExpirationTime(now + TOKEN_LIFETIME_SECONDS)
    .setJti(jti)
    .sign(jwtSecret());
  return { token, jti, expiresAt: new Date((now + TOKEN_LIFETIME_SECONDS) * 1000) };
}

/** Why a token was refused: each maps to its audit event. */
export type TokenFailure = "malformed" | "expired" | "bad_signature" | "alg_none" | "revoked";

/** A valid token's claims and its user as stored now (null when gone), read with the revocation check. */
export type TokenCheck = { ok: true; claims: TokenClaims; user: User | null } | { ok: false; failure: TokenFailure };

export async function verifyAccessToken(db: Database, token: string): Promise<TokenCheck> {
  let alg: unknown;
  try {
    alg = decodeProtectedHeader(token).alg;
  } catch {
    return { ok: false, failure: "malformed" };
  }
  if (typeof alg === "string" && alg.toLowerCase() === "none") return { ok: false, failure: "alg_none" };
  let payload: Record<string, unknown>;
  try {
    ({ payload } = await jwtVerify(token, await jwtVerifyKey(), { algorithms: ["HS256"] }));
  } catch (error) {
    if (error instanceof errors.JWTExpired) return { ok: false, failure: "expired" };
    if (error instanceof errors.JWSSignatureVerificationFailed) return { ok: false, failure: "bad_signature" };
    if (error instanceof errors.JOSEAlgNotAllowed) return { ok: false, failure: "bad_signature" };
    return { ok: false, failure: "malformed" };
  }
  const { sub, jti, iat, exp, roles, namespace } = payload;
  if (
    typeof sub !== "string" ||
    typeof jti !== "string" ||
    typeof iat !== "number" ||
    typeof exp !== "number" ||
    !Array.isArray(roles) ||
    !roles.every((r) => typeof r === "string")
  ) {
    return { ok: false, failure: "malformed" };
  }
  const claims = { sub, jti, iat, exp, roles: roles as string[], namespace: typeof namespace === "string" ? namespace : null };
  // One round trip for what every authenticated request needs: the revocation and the user, by
  // key, so on sessions that keep its plan (planning it took four times as long as running it).
  const [found] = await genericPlanSessions(db)
    .select({ ...getTableColumns(users), revoked: sql<boolean>`exists (select 1 from ${revokedTokens} where ${revokedTokens.jti} = ${jti})` })
    .from(users)
    .where(eq(users.id, sub))
    .limit(1);
  if (!found) {
    // The user is gone: still a revoked token is reported as revoked.
    const [revoked] = await db.select({ jti: revokedTokens.jti }).from(revokedTokens).where(eq(revokedTokens.jti, jti)).limit(1);
    return revoked ? { ok: false, failure: "revoked" } : { ok: true, claims, user: null };
  }
  const { revoked, ...user } = found;
  return revoked ? { ok: false, failure: "revoked" } : { ok: true, claims, user };
}

/** Revokes a token until it would have expired anyway. */
export async function revokeToken(db: Database, claims: Pick<TokenClaims, "jti" | "sub" | "exp">): Promise<void> {
  await db
    .insert(revokedTokens)
    .values({ jti: claims.jti, userId: claims.sub, expiresAt: new Date(claims.exp * 1000) })
    .onConflictDoNothing();
}
