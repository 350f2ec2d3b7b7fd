// Who is calling: a bearer token, an API key (`Bearer mk_…`) or an Auth.js session cookie. A bad
// token or key is refused with 401 and recorded as what it is (expired, invalid, revoked, or
// forged: a breach attempt).
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { recordAuditEvent, type AuditEventInput } from "@/lib/audit/record";
import type { Database } from "@/lib/db/client";
import { users, type User } from "@/lib/db/schema";
import { unauthorized } from "@/lib/http/errors";
import type { RequestContext } from "@/lib/http/context";
import { isApiKeyCredential, verifyApiKey } from "./api-keys";
import { authOptions } from "./nextauth";
import { verifyAccessToken, type TokenClaims, type TokenFailure } from "./tokens";

export interface Actor {
  user: User;
  userId: string;
  username: string;
  roles: string[];
  isAdmin: boolean;
  /** The token's jti, the Auth.js session's id, or `api_key:<key id>`. */
  sessionId: string;
  via: "bearer" | "session" | "api_key";
  /** Present for bearer tokens: what logout revokes. */
  token?: TokenClaims;
  /**
   * Present for API keys. `user` is then the admin who issued the key (who answers for it), but
   * the key holds none of that user's roles: it may only do what its scopes allow.
   */
  apiKey?: { id: string; name: string; scopes: string[] };
}

const failureEvents: Record<TokenFailure, { message: string; events: AuditEventInput["eventType"][] }> = {
  malformed: { message: "Invalid token", events: ["auth.token.invalid"] },
  revoked: { message: "Token has been revoked", events: ["auth.token.invalid"] },
  expired: { message: "Token has expired", events: ["auth.token.expired"] },
  bad_signature: { message: "Invalid token", events: ["auth.token.invalid", "security.breach.attempt"] },
  alg_none: { message: "Invalid token", events: ["auth.token.invalid", "security.breach.attempt"] },
};

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

export function actorFor(user: User, sessionId: string, via: Actor["via"], token?: TokenClaims): Actor {
  return {
    user,
    userId: user.id,
    username: user.username,
    roles: user.roles,
    isAdmin: user.roles.includes("admin"),
    sessionId,
    via,
    token,
  };
}

export async function activeUser(db: Database, id: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user?.isActive ? user : null;
}

/** The actor of an API key; the secret itself never reaches an audit row. */
async function apiKeyActor(db: Database, secret: string, context: RequestContext): Promise<Actor> {
  const check = await verifyApiKey(db, secret);
  const issuer = check.ok ? await activeUser(db, check.key.createdBy) : null;
  if (check.ok && issuer) {
    const { id, name, scopes } = check.key;
    return {
      ...actorFor(issuer, `api_key:${id}`, "api_key"),
      roles: [],
      isAdmin: false,
      apiKey: { id, name, scopes },
    };
  }
  // A key outlives neither its revocation nor the account of the admin who issued it.
  const failure = check.ok ? "api_key_issuer_inactive" : check.failure;
  const key = check.key;
  const message = failure === "api_key_revoked" ? "API key has been revoked" : "Invalid API key";
  await recordAuditEvent(db, {
    ...context.audit,
    eventType: "auth.token.invalid",
    success: false,
    statusCode: 401,
    errorMessage: `${message} (${failure.replaceAll("_", " ")})`,
    resourceType: key ? "api_key" : "auth",
    resourceId: key?.id ?? null,
    action: "authenticate",
    metadata: key ? { failure, name: key.name, prefix: key.prefix } : { failure },
  });
  throw unauthorized(message);
}

export async function authenticate(db: Database, request: Request, context: RequestContext): Promise<Actor | null> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw unauthorized("Authorization header must be: Bearer <access_token>");
    const token = match[1];
    if (isApiKeyCredential(token)) return apiKeyActor(db, token, context);
    const check = await verifyAccessToken(db, token);
    if (!check.ok) {
      const { message, events } = failureEvents[check.failure];
      for (const eventType of events) {
        await recordAuditEvent(db, {
          ...context.audit,
          eventType,
          success: false,
          statusCode: 401,
          errorMessage: `${message} (${check.failure.replace("_", " ")})`,
          resourceType: "auth",
          action: "authenticate",
          metadata: { failure: check.failure },
        });
      }
      throw unauthorized(message);
    }
    const user = check.user?.isActive ? check.user : null;
    if (!user) {
      await recordAuditEvent(db, {
        ...context.audit,
        eventType: "auth.token.invalid",
        userId: check.claims.sub,
        success: false,
        statusCode: 401,
        errorMessage: "Token of a deleted or inactive user",
        resourceType: "auth",
        action: "authenticate",
      });
      throw unauthorized("Invalid token");
    }
    return actorFor(user, check.claims.jti, "bearer", check.claims);
  }

  const cookies = request.headers.get("cookie") ?? "";
  if (!SESSION_COOKIES.some((name) => cookies.includes(`${name}=`))) return null;
  const session = await getServerSession(authOptions());
  const userId = session?.user?.id;
  if (!userId) return null;
  const user = await activeUser(db, userId);
  return user ? actorFor(user, session.user.sessionId, "session") : null;
}
