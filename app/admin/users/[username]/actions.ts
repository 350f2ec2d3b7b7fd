"use server";
// The manage panel's server actions: the same zod schemas and lib/users services as
// PATCH /auth/users/{username} and POST /auth/users/{username}/reset-password, audited as POSTs
// to the panel's path. A refusal from the service comes back as a message for the form.
import { redirect } from "next/navigation";
import type { z } from "zod";
import type { ActorContext } from "@/lib/audit/logger";
import { activeUser } from "@/lib/auth/authenticate";
import { requireAdminPage } from "@/lib/auth/pages";
import { resetPasswordSchema, updateUserSchema } from "@/lib/auth/schemas";
import { getDb, type Database } from "@/lib/db/client";
import type { User } from "@/lib/db/schema";
import { ApiError } from "@/lib/http/errors";
import { resetPassword, updateUser, type UserPatch } from "@/lib/users/service";
import type { FormState, Notice } from "./notices";

const panelPath = (username: string) => `/admin/users/${encodeURIComponent(username)}`;

/** The admin behind a server action (requireAdminPage checks the account's current roles and records a refusal). */
async function requireAdminAction(path: string): Promise<{ db: Database; admin: User; audit: ActorContext } | null> {
  const guard = await requireAdminPage(path, "", "POST");
  if (!guard) return null;
  const db = await getDb();
  const admin = await activeUser(db, guard.user.id);
  return admin ? { db, admin, audit: guard.audit } : null;
}

const denied: FormState = { error: "Admin access required. This attempt has been recorded in the audit log." };

/** "roles must name at least one role": each issue after the field it is about. */
const issuesOf = (error: z.ZodError) => error.issues.map((issue) => [...issue.path.map(String), issue.message].join(" ")).join("; ");

/** Applies a validated patch; an ApiError (404, 409) becomes the form's message. */
async function applyPatch(username: string, input: unknown, toPatch: (body: z.output<typeof updateUserSchema>) => UserPatch, notice: (user: User) => Notice): Promise<FormState> {
  const path = panelPath(username);
  const session = await requireAdminAction(path);
  if (!session) return denied;
  const parsed = updateUserSchema.safeParse(input);
  if (!parsed.success) return { error: issuesOf(parsed.error) };
  let updated: User;
  try {
    updated = await updateUser(session.db, session.admin, username, toPatch(parsed.data), session.audit);
  } catch (error) {
    if (error instanceof ApiError) return { error: error.message };
    throw error;
  }
  redirect(`${path}?notice=${notice(updated)}`);
}

export async function changeRoles(username: string, _previous: FormState, form: FormData): Promise<FormState> {
  return applyPatch(username, { roles: form.getAll("roles") }, (body) => ({ roles: body.roles }), () => "roles");
}

export async function setActive(username: string, _previous: FormState, form: FormData): Promise<FormState> {
  const value = form.get("is_active");
  return applyPatch(
    username,
    { is_active: value === "true" ? true : value === "false" ? false : value },
    (body) => ({ isActive: body.is_active }),
    (user) => (user.isActive ? "activated" : "deactivated"),
  );
}

export async function resetUserPassword(username: string, _previous: FormState, form: FormData): Promise<FormState> {
  const path = panelPath(username);
  const session = await requireAdminAction(path);
  if (!session) return denied;
  const parsed = resetPasswordSchema.safeParse({ new_password: form.get("new_password") ?? "" });
  if (!parsed.success) return { error: `The new password ${parsed.error.issues.map((issue) => issue.message).join("; ")}.` };
  try {
    await resetPassword(session.db, username, parsed.data.new_password, session.audit);
  } catch (error) {
    if (error instanceof ApiError) return { error: error.message };
    throw error;
  }
  redirect(`${path}?notice=password`);
}
