// Auth.js (next-auth v4) for the web UI: a credentials provider over the same accounts and the
// same login flow as the API, so sign-in, failed sign-in and sign-out write the same audit events.
import { randomUUID } from "node:crypto";
import type { NextAuthOptions } from "next-auth";
import CredentialsProvider from "next-auth/providers/credentials";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent } from "@/lib/audit/record";
import { getDb } from "@/lib/db/client";
import { ApiError } from "@/lib/http/errors";
import { clientIp } from "@/lib/http/context";
import { login } from "./service";
import { jwtSecret } from "./tokens";

const SESSION_SECONDS = 8 * 3600;

function auditFromHeaders(headers: Record<string, string | string[] | undefined> | undefined, path: string): ActorContext {
  const flat = new Headers();
  for (const [key, value] of Object.entries(headers ?? {})) {
    if (typeof value === "string") flat.set(key, value);
  }
  return {
    ipAddress: clientIp(flat),
    userAgent: flat.get("user-agent")?.slice(0, 512) ?? null,
    requestMethod: "POST",
    requestPath: path,
  };
}

let options: NextAuthOptions | undefined;

/** Built on first use, so that settings are read when the server runs, not when it is built. */
export function authOptions(): NextAuthOptions {
  options ??= buildOptions();
  return options;
}

const buildOptions = (): NextAuthOptions => ({
  secret: Buffer.from(jwtSecret()).toString("utf8"),
  session: { strategy: "jwt", maxAge: SESSION_SECONDS },
  pages: { signIn: "/login" },
  providers: [
    CredentialsProvider({
      name: "Memoric account",
      credentials: {
        username: { label: "Username or e-mail", type: "text" },
        password: { label: "Password", type: "password" },
      },
      async authorize(credentials, req) {
        const username = credentials?.username ?? "";
        const password = credentials?.password ?? "";
        if (!username || !password) return null;
        const db = await getDb();
        const audit = auditFromHeaders(req?.headers, "/api/auth/callback/credentials");
        try {
          const { user } = await login(db, { username, password }, audit, { issueToken: false, method: "session" });
          return { id: user.id, username: user.username, roles: user.roles, name: user.fullName ?? user.username, email: user.email };
        } catch (error) {
          if (error instanceof ApiError && error.status === 429) {
            await recordAuditEvent(db, {
              ...audit,
              eventType: "security.rate_limit.exceeded",
              username,
              success: false,
              statusCode: 429,
              errorMessage: error.message,
            });
            throw new Error("Too many failed sign-in attempts; try again later");
          }
          if (error instanceof ApiError && error.status === 401) return null;
          throw error;
        }
      },
    }),
  ],
  callbacks: {
    jwt({ token, user }) {
      if (user) {
        token.uid = user.id;
        token.username = user.username;
        token.roles = user.roles;
        token.sid = randomUUID();
      }
      return token;
    },
    session({ session, token }) {
      session.user = {
        ...session.user,
        id: token.uid ?? "",
        username: token.username ?? "",
        roles: token.roles ?? [],
        sessionId: token.sid ?? "",
      };
      return session;
    },
  },
  events: {
    async signOut({ token }) {
      if (!token?.uid) return;
      const db = await getDb();
      await recordAuditEvent(db, {
        eventType: "auth.logout",
        userId: token.uid,
        username: token.username ?? null,
        sessionId: token.sid ?? null,
        resourceType: "auth",
        resourceId: token.uid,
        action: "logout",
        requestMethod: "POST",
        requestPath: "/api/auth/signout",
        metadata: { method: "session" },
      });
    },
  },
});
