// User accounts: creation (with its user.created event in the same transaction) and the JSON
// shape the API shows, which never carries the password hash.
import { randomUUID } from "node:crypto";
import { asc, eq, ilike, or, sql } from "drizzle-orm";
import { recordAuditEvent } from "@/lib/audit/record";
import type { ActorContext } from "@/lib/audit/logger";
import { hashPassword } from "@/lib/auth/passwords";
import type { Database } from "@/lib/db/client";
import { memories, memoryClusters, users, type User } from "@/lib/db/schema";
import { conflict, notFound } from "@/lib/http/errors";

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
      // A self-registration is the new user's own act.
      userId: context.userId ?? user.id,
      username: context.username ?? user.username,
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

export async function getUserByUsername(db: Database, username: string): Promise<User> {
  const user = await findUserByUsername(db, username);
  if (!user) throw notFound(`User ${username} not found`);
  return user;
}

export async function listUsers(db: Database, options: { limit: number; offset: number; q?: string }) {
  const where = options.q
    ? or(ilike(users.username, `%${escapeLike(options.q)}%`), ilike(users.email, `%${escapeLike(options.q)}%`), ilike(users.fullName, `%${escapeLike(options.q)}%`))
    : undefined;
  const [rows, [counted]] = await Promise.all([
    db.select().from(users).where(where).orderBy(asc(users.username)).limit(options.limit).offset(options.offset),
    db.select({ total: sql<number>`count(*)::int` }).from(users).where(where),
  ]);
  return { users: rows, total: Number(counted?.total ?? 0) };
}

function escapeLike(text: string): string {
  return text.replace(/[\\%_]/g, (c) => `\\${c}`);
}

export interface UserPatch {
  roles?: Role[];
  isActive?: boolean;
  fullName?: string | null;
  email?: string;
  namespace?: string | null;
}

/**
 * An admin's change to a user: user.updated for profile and role changes (with
 * authz.permission.checked for a role change), user.activated / user.deactivated for is_active.
 */
export async function updateUser(db: Database, admin: User, username: string, patch: UserPatch, audit: ActorContext): Promise<User> {
  return db.transaction(async (tx) => {
    const [before] = await tx.select().from(users).where(eq(users.username, username)).for("update");
    if (!before) throw notFound(`User ${username} not found`);
    if (before.id === admin.id && (patch.isActive === false || (patch.roles && !patch.roles.includes("admin")))) {
      throw conflict("An admin cannot deactivate themselves or remove their own admin role");
    }
    const values: Partial<typeof users.$inferInsert> = {};
    if (patch.roles) values.roles = [...new Set(patch.roles)];
    if (patch.isActive !== undefined) values.isActive = patch.isActive;
    if (patch.fullName !== undefined) values.fullName = patch.fullName;
    if (patch.email !== undefined) values.email = patch.email.toLowerCase();
    if (patch.namespace !== undefined) values.namespace = patch.namespace;
    if (values.email && values.email !== before.email) {
      const [taken] = await tx.select({ id: users.id }).from(users).where(eq(users.email, values.email)).limit(1);
      if (taken) throw conflict("Email already registered");
    }
    const [after] = await tx.update(users).set({ ...values, updatedAt: sql`now()` }).where(eq(users.id, before.id)).returning();
    const subject = { resourceType: "user", resourceId: before.id, namespace: before.namespace };
    if (patch.roles) {
      await recordAuditEvent(tx, {
        ...audit,
        ...subject,
        eventType: "authz.permission.checked",
        action: "change_roles",
        metadata: { permission: "users:manage_roles", granted: true, roles: after!.roles },
      });
    }
    const profileChanged = ["roles", "fullName", "email", "namespace"].some((k) => k in values);
    if (profileChanged) {
      await recordAuditEvent(tx, {
        ...audit,
        ...subject,
        eventType: "user.updated",
        action: "update",
        beforeState: userToJson(before),
        afterState: userToJson(after!),
      });
    }
    if (patch.isActive !== undefined && patch.isActive !== before.isActive) {
      await recordAuditEvent(tx, {
        ...audit,
        ...subject,
        eventType: patch.isActive ? "user.activated" : "user.deactivated",
        action: patch.isActive ? "activate" : "deactivate",
        beforeState: { is_active: before.isActive },
        afterState: { is_active: after!.isActive },
      });
    }
    return after!;
  });
}

export async function resetPassword(db: Database, username: string, newPassword: string, audit: ActorContext): Promise<void> {
  const passwordHash = await hashPassword(newPassword);
  await db.transaction(async (tx) => {
    const [user] = await tx.update(users).set({ passwordHash, updatedAt: sql`now()` }).where(eq(users.username, username)).returning();
    if (!user) throw notFound(`User ${username} not found`);
    await recordAuditEvent(tx, { ...audit, eventType: "user.password.reset", resourceType: "user", resourceId: user.id, action: "reset_password" });
  });
}

/** Deletes a user with their memories and clusters; an admin cannot delete themselves. */
export async function deleteUser(db: Database, admin: User, username: string, audit: ActorContext): Promise<void> {
  await db.transaction(async (tx) => {
    const [user] = await tx.select().from(users).where(eq(users.username, username)).for("update");
    if (!user) throw notFound(`User ${username} not found`);
    if (user.id === admin.id) throw conflict("An admin cannot delete themselves");
    const deletedMemories = await tx.delete(memories).where(eq(memories.userId, user.id)).returning({ id: memories.id });
    const deletedClusters = await tx.delete(memoryClusters).where(eq(memoryClusters.userId, user.id)).returning({ id: memoryClusters.clusterId });
    await tx.delete(users).where(eq(users.id, user.id));
    await recordAuditEvent(tx, {
      ...audit,
      eventType: "user.deleted",
      resourceType: "user",
      resourceId: user.id,
      action: "delete",
      beforeState: userToJson(user),
      metadata: { memories_deleted: deletedMemories.length, clusters_deleted: deletedClusters.length },
    });
  });
}
