// Sign-in flows shared by the API and the web UI: login with brute-force detection, logout,
// password change. Each writes its audit events in the transaction of its change.
import { eq, or, sql } from "drizzle-orm";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent } from "@/lib/audit/record";
import type { Database } from "@/lib/db/client";
import { users, type User } from "@/lib/db/schema";
import { ApiError, badRequest, tooManyRequests, unauthorized } from "@/lib/http/errors";
import { loginFailures } from "@/lib/http/rate-limit";
import { userToJson } from "@/lib/users/service";
import { hashPassword, verifyPassword } from "./passwords";
import { issueAccessToken, revokeToken, TOKEN_LIFETIME_SECONDS, type TokenClaims } from "./tokens";

export const FAILURES_PER_USERNAME = 5;
export const FAILURES_PER_IP = 20;
const WINDOW_MINUTES = loginFailures.windowMs / 60_000;

// Compared against when the user does not exist, so that the answer takes as long either way.
let dummyHash: Promise<string> | undefined;
const unknownUserHash = () => (dummyHash ??= hashPassword(crypto.randomUUID()));

export interface LoginResult {
  user: User;
  accessToken?: string;
  expiresIn?: number;
}

function throttle(username: string, audit: ActorContext): void {
  const userKey = `user:${username.toLowerCase()}`;
  const ipKey = `ip:${audit.ipAddress ?? "unknown"}`;
  const wait = Math.max(
    loginFailures.count(userKey) >= FAILURES_PER_USERNAME ? loginFailures.secondsUntilBelow(userKey, FAILURES_PER_USERNAME) : 0,
    loginFailures.count(ipKey) >= FAILURES_PER_IP ? loginFailures.secondsUntilBelow(ipKey, FAILURES_PER_IP) : 0,
  );
  if (wait > 0) {
    throw tooManyRequests("Too many failed login attempts; try again later", wait, {
      username,
      resourceType: "auth",
      resourceId: username,
      action: "login",
    });
  }
}

async function recordFailure(db: Database, username: string, user: User | null, reason: string, audit: ActorContext, method: string) {
  const userKey = `user:${username.toLowerCase()}`;
  const ipKey = `ip:${audit.ipAddress ?? "unknown"}`;
  const perUser = loginFailures.add(userKey);
  const perIp = loginFailures.add(ipKey);
  await recordAuditEvent(db, {
    ...audit,
    eventType: "auth.login.failed",
    userId: user?.id ?? null,
    username,
    resourceType: "auth",
    resourceId: user?.id ?? username,
    action: "login",
    success: false,
    statusCode: 401,
    errorMessage: reason,
    metadata: { method, failures_for_username: perUser, failures_from_ip: perIp },
  });
  const detections = [
    { hit: perUser >= FAILURES_PER_USERNAME, key: userKey, kind: "username", count: perUser, threshold: FAILURES_PER_USERNAME },
    { hit: perIp >= FAILURES_PER_IP, key: ipKey, kind: "ip_address", count: perIp, threshold: FAILURES_PER_IP },
  ];
  for (const d of detections) {
    if (!d.hit || !loginFailures.firstAlert(d.key)) continue;
    await recordAuditEvent(db, {
      ...audit,
      eventType: "security.suspicious.activity",
      userId: user?.id ?? null,
      username,
      resourceType: "auth",
      resourceId: d.kind === "username" ? username : (audit.ipAddress ?? null),
      action: "brute_force_detected",
      success: false,
      errorMessage: `${d.count} failed logins for this ${d.kind === "username" ? "username" : "IP address"} within ${WINDOW_MINUTES} minutes`,
      metadata: { detection: "brute_force", by: d.kind, failures: d.count, threshold: d.threshold, window_minutes: WINDOW_MINUTES },
    });
  }
}

/**
 * Checks a username (or e-mail) and password. Wrong password, unknown and inactive users all get
 * the same 401; repeated failures are throttled with 429.
 */
export async function login(
  db: Database,
  input: { username: string; password: string },
  audit: ActorContext,
  options: { issueToken: boolean; method: "password" | "session" },
): Promise<LoginResult> {
  throttle(input.username, audit);
  const name = input.username.trim();
  const [user] = await db
    .select()
    .from(users)
    .where(or(eq(users.username, name), eq(users.email, name.toLowerCase())))
    .limit(1);
  const passwordOk = await verifyPassword(input.password, user?.passwordHash ?? (await unknownUserHash()));
  const reason = !user ? "Unknown user" : !passwordOk ? "Wrong password" : !user.isActive ? "Inactive user" : null;
  if (reason) {
    await recordFailure(db, name, user ?? null, reason, audit, options.method);
    throw unauthorized("Invalid credentials");
  }
  loginFailures.clear(`user:${name.toLowerCase()}`);
  return db.transaction(async (tx) => {
    const [updated] = await tx.update(users).set({ lastLoginAt: sql`now()` }).where(eq(users.id, user!.id)).returning();
    const actor = { ...audit, userId: updated!.id, username: updated!.username };
    const issued = options.issueToken ? await issueAccessToken(updated!) : null;
    await recordAuditEvent(tx, {
      ...actor,
      sessionId: issued?.jti ?? audit.sessionId,
      eventType: "auth.login.success",
      resourceType: "auth",
      resourceId: updated!.id,
      action: "login",
      statusCode: 200,
      metadata: { roles: updated!.roles, method: options.method },
    });
    if (issued) {
      await recordAuditEvent(tx, {
        ...actor,
        sessionId: issued.jti,
        eventType: "auth.token.created",
        resourceType: "token",
        resourceId: issued.jti,
        action: "issue",
        metadata: { expires_at: issued.expiresAt.toISOString(), lifetime_seconds: TOKEN_LIFETIME_SECONDS },
      });
    }
    return { user: updated!, accessToken: issued?.token, expiresIn: issued ? TOKEN_LIFETIME_SECONDS : undefined };
  });
}

/** Ends a session: a bearer token is revoked so that using it again gives 401. */
export async function logout(db: Database, user: User, token: TokenClaims | undefined, audit: ActorContext): Promise<void> {
  await db.transaction(async (tx) => {
    if (token) await revokeToken(tx, token);
    await recordAuditEvent(tx, {
      ...audit,
      eventType: "auth.logout",
      userId: user.id,
      username: user.username,
      resourceType: "auth",
      resourceId: user.id,
      action: "logout",
      metadata: { method: token ? "token" : "session", token_revoked: !!token },
    });
  });
}

export async function changePassword(
  db: Database,
  user: User,
  input: { oldPassword: string; newPassword: string },
  audit: ActorContext,
): Promise<void> {
  const base = { ...audit, eventType: "user.password.changed" as const, resourceType: "user", resourceId: user.id, action: "change_password" };
  if (!(await verifyPassword(input.oldPassword, user.passwordHash))) {
    await recordAuditEvent(db, { ...base, success: false, statusCode: 400, errorMessage: "Old password is incorrect" });
    throw badRequest("Old password is incorrect");
  }
  if (input.oldPassword === input.newPassword) {
    throw new ApiError(422, "validation_failed", "Request validation failed", [
      { location: "body", field: "new_password", message: "must differ from the old password" },
    ]);
  }
  const passwordHash = await hashPassword(input.newPassword);
  await db.transaction(async (tx) => {
    await tx.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.id, user.id));
    await recordAuditEvent(tx, { ...base, statusCode: 200 });
  });
}

export function loginResponse(result: LoginResult) {
  return {
    access_token: result.accessToken,
    token_type: "bearer",
    expires_in: result.expiresIn,
    user: userToJson(result.user),
  };
}
