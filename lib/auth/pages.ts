// Guards for server-component pages: who is signed in (Auth.js session), and whether they may
// see an admin page. A refused admin page is audited like a 403 from the API.
import { headers } from "next/headers";
import { redirect } from "next/navigation";
import { getServerSession } from "next-auth";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import { clientIp } from "@/lib/http/context";
import { authOptions } from "./nextauth";

export interface PageUser {
  id: string;
  username: string;
  roles: string[];
  sessionId: string;
  isAdmin: boolean;
}

export async function pageAudit(path: string, user: PageUser | null): Promise<ActorContext> {
  const h = await headers();
  return {
    userId: user?.id ?? null,
    username: user?.username ?? null,
    sessionId: user?.sessionId ?? null,
    ipAddress: clientIp(h),
    userAgent: h.get("user-agent")?.slice(0, 512) ?? null,
    requestMethod: "GET",
    requestPath: path,
  };
}

export async function currentUser(): Promise<PageUser | null> {
  const session = await getServerSession(authOptions());
  const user = session?.user;
  if (!user?.id) return null;
  return { id: user.id, username: user.username, roles: user.roles, sessionId: user.sessionId, isAdmin: user.roles.includes("admin") };
}

/**
 * The signed-in admin; anonymous visitors are sent to sign in (and back), others get `null` after
 * their attempt is recorded as authz.access.denied, so the page can show a 403.
 */
export async function requireAdminPage(path: string, query = ""): Promise<{ user: PageUser; audit: ActorContext } | null> {
  const user = await currentUser();
  if (!user) redirect(`/login?callbackUrl=${encodeURIComponent(query ? `${path}?${query}` : path)}`);
  const audit = await pageAudit(path, user);
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
