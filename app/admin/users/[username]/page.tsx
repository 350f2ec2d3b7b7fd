// One user's manage panel: their profile, and forms to change roles, activate or deactivate, and
// reset the password, each a server action over the same services as the API.
import Link from "next/link";
import { notFound } from "next/navigation";
import { recordAuditEvent } from "@/lib/audit/record";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { ROLES, findUserByUsername } from "@/lib/users/service";
import { Forbidden } from "@/app/ui/forbidden";
import { changeRoles, resetUserPassword, setActive } from "./actions";
import { PasswordForm, RolesForm, StatusForm } from "./manage-forms";
import { noticeText } from "./notices";
import "../users.css";

export const dynamic = "force-dynamic";
export const metadata = { title: "Manage user" };

export default async function ManageUserPage({
  params,
  searchParams,
}: {
  params: Promise<{ username: string }>;
  searchParams: Promise<Record<string, string | string[] | undefined>>;
}) {
  const [{ username: encoded }, query] = await Promise.all([params, searchParams]);
  const username = decodeURIComponent(encoded);
  const path = `/admin/users/${encodeURIComponent(username)}`;
  const notice = typeof query.notice === "string" ? query.notice : undefined;
  const guard = await requireAdminPage(path, notice ? new URLSearchParams({ notice }).toString() : "");
  if (!guard) return <Forbidden />;
  const db = await getDb();
  const user = await findUserByUsername(db, username);
  if (!user) notFound();
  // The same record as an admin's GET /auth/users/{username} of someone else's profile.
  if (user.id !== guard.user.id) {
    await recordAuditEvent(db, {
      ...guard.audit,
      eventType: "authz.access.granted",
      resourceType: "user",
      resourceId: user.id,
      namespace: user.namespace,
      action: "read",
      metadata: { reason: "admin", view: "manage_user" },
    });
  }
  const message = noticeText(notice, user);

  return (
    <main className="page users-panel">
      <p>
        <Link href="/admin/users">← All users</Link>
      </p>
      <h1>Manage {user.username}</h1>
      {message && (
        <p role="status" className="card notice">
          {message}
        </p>
      )}
      <section className="card" aria-labelledby="profile">
        <h2 id="profile">Profile</h2>
        <dl className="status">
          <dt>Username</dt>
          <dd>{user.username}</dd>
          <dt>E-mail</dt>
          <dd>{user.email}</dd>
          <dt>Full name</dt>
          <dd>{user.fullName ?? "—"}</dd>
          <dt>Roles</dt>
          <dd data-testid="roles">{user.roles.join(", ")}</dd>
          <dt>Active</dt>
          <dd data-testid="active">{user.isActive ? "yes" : "no"}</dd>
          <dt>Created</dt>
          <dd>{user.createdAt.toISOString().replace("T", " ").slice(0, 19)}</dd>
          <dt>Last login</dt>
          <dd>{user.lastLoginAt?.toISOString().replace("T", " ").slice(0, 19) ?? "never"}</dd>
        </dl>
        <p>
          <Link href={`/admin/audit/users/${encodeURIComponent(user.id)}`}>Timeline of {user.username}</Link>
        </p>
      </section>
      {/* Keyed by the last change, so a saved form starts afresh and drops an earlier error. */}
      <div className="panel-forms" key={user.updatedAt.toISOString()}>
        <section className="card" aria-labelledby="roles-heading">
          <h2 id="roles-heading">Change roles</h2>
          <RolesForm action={changeRoles.bind(null, user.username)} roles={user.roles} options={ROLES} />
        </section>
        <section className="card" aria-labelledby="status-heading">
          <h2 id="status-heading">Account status</h2>
          <StatusForm action={setActive.bind(null, user.username)} isActive={user.isActive} />
        </section>
        <section className="card" aria-labelledby="password-heading">
          <h2 id="password-heading">Reset password</h2>
          <PasswordForm action={resetUserPassword.bind(null, user.username)} />
        </section>
      </div>
    </main>
  );
}
