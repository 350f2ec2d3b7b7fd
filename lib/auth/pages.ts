// Guards for server-component pages and server actions: who is signed in (Auth.js session), and
// whether they may see a page. A refused admin page is audited like a 403 from the API.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import { clientIp } from "@/lib/http/context";
import { activeUser, actorFor, type Actor } from "./authenticate";
import { authOptions } from "./nextauth";

export interface PageUser {
  id: string;
  username: string;
  roles: string[];
  sessionId: string;
  isAdmin: boolean;
}

/** The audit context of a page view (GET) or a server action (POST) at `path`. */
export async function pageAudit(path: string, user: PageUser | null, method: "GET" | "POST" = "GET"): Promise<ActorContext> {
  const h = await headers();
  return {
    userId: user?.id ?? null,
    username: user?.username ?? null,
    sessionId: user?.sessionId ?? null,
    ipAddress: clientIp(h),
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
    requestMethod: method,
    requestPath: path,
  };
}

export async function currentUser(): Promise<PageUser | null> {
  const session = await getServerSession(authOptions());
  const user = session?.user;
  if (!user?.id) return null;
  return { id: user.id, username: user.username, roles: user.roles, sessionId: user.sessionId, isAdmin: user.roles.includes("admin") };
}

const signInUrl = (path: string, query: string) => `/login?callbackUrl=${encodeURIComponent(query ? `${path}?${query}` : path)}`;

/**
 * The signed-in admin; anonymous visitors are sent to sign in (and back), others get `null` after
 * their attempt is recorded as authz.access.denied, so the page can show a 403.
 */
export async function requireAdminPage(path: string, query = "", method: "GET" | "POST" = "GET"): Promise<{ user: PageUser; audit: ActorContext } | null> {
  const session = await currentUser();
  if (!session) redirect(signInUrl(path, query));
  // Roles as they are now, not as they were at sign-in: a demoted admin loses the pages at once,
  // and a deactivated account's cookie stops working.
  const account = await activeUser(await getDb(), session.id);
  if (!account) redirect(signInUrl(path, query));
  const user: PageUser = { ...session, roles: account.roles, isAdmin: account.roles.includes("admin") };
  const audit = await pageAudit(path, user, method);
  if (!user.isAdmin) {
    await recordAuditEvent(await getDb(), {
      ...audit,
      eventType: "authz.access.denied",
      resourceType: "admin_page",
      resourceId: path,
      action: "view",
      success: false,
      statusCode: 403,
      errorMessage: "Admin access required",
    });
    return null;
  }
  return { user, audit };
}

/**
 * The signed-in, still active user as an `Actor` for the same services the API calls, with the
 * audit context of this page (GET) or server action (POST). Anyone else is sent to sign in.
 */
export async function requireUserPage(path: string, query = "", method: "GET" | "POST" = "GET"): Promise<{ actor: Actor; user: PageUser; audit: ActorContext }> {
  const user = await currentUser();
  if (!user) redirect(signInUrl(path, query));
  const account = await activeUser(await getDb(), user.id);
  // A deactivated account's session cookie outlives it; it must not keep working.
  if (!account) redirect(signInUrl(path, query));
  const actor = actorFor(account, user.sessionId, "session");
  const pageUser: PageUser = { ...user, roles: account.roles, isAdmin: actor.isAdmin };
  return { actor, user: pageUser, audit: await pageAudit(path, pageUser, method) };
}
