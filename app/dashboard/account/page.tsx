// The signed-in user's account: their profile as GET /auth/me shows it, and a password change.
import { requireUserPage } from "@/lib/auth/pages";
import { formatTime } from "../format";
import { changePasswordAction } from "./actions";
import { PasswordForm } from "./password-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Your account" };

export default async function AccountPage() {
  const { actor } = await requireUserPage("/dashboard/account");
  const user = actor.user;
  return (
    <main className="page">
      <h1>Your account</h1>
      <section className="card" aria-labelledby="profile-heading">
        <h2 id="profile-heading">Profile</h2>
        <dl className="status">
          <dt>Username</dt>
          <dd data-testid="username">{user.username}</dd>
          <dt>E-mail</dt>
          <dd data-testid="email">{user.email}</dd>
          <dt>Full name</dt>
          <dd>{user.fullName ?? "—"}</dd>
          <dt>Namespace</dt>
          <dd>{user.namespace ?? "—"}</dd>
          <dt>Roles</dt>
          <dd data-testid="roles">{user.roles.join(", ")}</dd>
          <dt>Member since</dt>
          <dd>
            <time dateTime={user.createdAt.toISOString()}>{formatTime(user.createdAt.toISOString())}</time>
          </dd>
          <dt>Last sign-in</dt>
          <dd>{user.lastLoginAt ? <time dateTime={user.lastLoginAt.toISOString()}>{formatTime(user.lastLoginAt.toISOString())}</time> : "never"}</dd>
        </dl>
        <p className="muted">To change your e-mail, name or roles, ask an administrator.</p>
      </section>
      <section className="card" aria-labelledby="password-heading">
        <h2 id="password-heading">Change password</h2>
        <PasswordForm action={changePasswordAction} />
      </section>
    </main>
  );
}
