// Who is calling: a bearer token or an Auth.js session cookie. A bad token is refused with 401
// and recorded as what it is (expired, invalid, or forged: a breach attempt).
import { eq } from "drizzle-orm";
import { getServerSession } from "next-auth";
import { recordAuditEvent, type AuditEventInput } from "@/lib/audit/record";
import type { Database } from "@/lib/db/client";
import { users, type User } from "@/lib/db/schema";
import { unauthorized } from "@/lib/http/errors";
import type { RequestContext } from "@/lib/http/context";
import { authOptions } from "./nextauth";
import { verifyAccessToken, type TokenClaims, type TokenFailure } from "./tokens";

export interface Actor {
  user: User;
  userId: string;
  username: string;
  roles: string[];
  isAdmin: boolean;
  /** The token's jti, or the Auth.js session's id. */
  sessionId: string;
  via: "bearer" | "session";
  /** Present for bearer tokens: what logout revokes. */
  token?: TokenClaims;
}

const failureEvents: Record<TokenFailure, { message: string; events: AuditEventInput["eventType"][] }> = {
  malformed: { message: "Invalid token", events: ["auth.token.invalid"] },
  revoked: { message: "Token has been revoked", events: ["auth.token.invalid"] },
  expired: { message: "Token has expired", events: ["auth.token.expired"] },
  bad_signature: { message: "Invalid token", events: ["auth.token.invalid", "security.breach.attempt"] },
  alg_none: { message: "Invalid token", events: ["auth.token.invalid", "security.breach.attempt"] },
};

const SESSION_COOKIES = ["next-auth.session-token", "__Secure-next-auth.session-token"];

function actorFor(user: User, sessionId: string, via: Actor["via"], token?: TokenClaims): Actor {
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

async function activeUser(db: Database, id: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user?.isActive ? user : null;
}

export async function authenticate(db: Database, request: Request, context: RequestContext): Promise<Actor | null> {
  const header = request.headers.get("authorization");
  if (header) {
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    if (!match?.[1]) throw unauthorized("Authorization header must be: Bearer <access_token>");
    const token = match[1];
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
    const user = await activeUser(db, check.claims.sub);
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
