// User accounts: creation (with its user.created event in the same transaction) and the JSON
// shape the API shows, which never carries the password hash.
import { randomUUID } from "node:crypto";
import { eq } from "drizzle-orm";
import { recordAuditEvent } from "@/lib/audit/record";
import type { ActorContext } from "@/lib/audit/logger";
import { hashPassword } from "@/lib/auth/passwords";
import type { Database } from "@/lib/db/client";
import { users, type User } from "@/lib/db/schema";

export const ROLES = ["admin", "user", "readonly"] as const;
export type Role = (typeof ROLES)[number];

export interface NewUser {
  username: string;
  email: string;
  password: string;
  fullName?: string | null;
  namespace?: string | null;
  roles?: Role[];
}

export function userToJson(user: User) {
  return {
    id: user.id,
    username: user.username,
    email: user.email,
    full_name: user.fullName,
    namespace: user.namespace,
    roles: user.roles,
    is_active: user.isActive,
    is_verified: user.isVerified,
    created_at: user.createdAt.toISOString(),
    last_login_at: user.lastLoginAt?.toISOString() ?? null,
  };
}

export type UserJson = ReturnType<typeof userToJson>;

export async function findUserByUsername(db: Database, username: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.username, username)).limit(1);
  return user ?? null;
}

/**
 * Creates a user and records user.created in one transaction. Returns null, and writes nothing,
 * when the username or e-mail is taken.
 */
export async function createUser(
  db: Database,
  input: NewUser,
  actor: ActorContext & { source: string },
): Promise<User | null> {
  const passwordHash = await hashPassword(input.password);
  return db.transaction(async (tx) => {
    const [user] = await tx
      .insert(users)
      .values({
        id: randomUUID(),
        username: input.username,
        email: input.email.toLowerCase(),
        passwordHash,
        fullName: input.fullName ?? null,
        namespace: input.namespace ?? null,
        roles: input.roles ?? ["user"],
      })
      .onConflictDoNothing()
      .returning();
    if (!user) return null;
    const { source, ...context } = actor;
    await recordAuditEvent(tx, {
      ...context,
      eventType: "user.created",
      resourceType: "user",
      resourceId: user.id,
      action: "create",
      afterState: userToJson(user),
      metadata: { source },
    });
    return user;
  });
}
