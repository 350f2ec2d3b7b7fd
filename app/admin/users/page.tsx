// The users list: a search and pages read from the URL and validated with the schema of
// GET /auth/users; each row links to the user's timeline and to their manage panel.
import Link from "next/link";
import { recordAuditEvent } from "@/lib/audit/record";
import { requireAdminPage } from "@/lib/auth/pages";
import { listUsersQuery } from "@/lib/auth/schemas";
import { getDb } from "@/lib/db/client";
import { listUsers } from "@/lib/users/service";
import { Forbidden } from "@/app/ui/forbidden";
import { fieldErrorsOf } from "@/app/ui/form-state";
import { queryValues, type SearchParams } from "@/app/ui/search-params";
import "./users.css";

export const dynamic = "force-dynamic";
export const metadata = { title: "Users" };

const PAGE_SIZES = [25, 50, 100, 250];

export default async function UsersPage({ searchParams }: { searchParams: SearchParams }) {
  const values = queryValues(await searchParams, ["q", "limit", "offset"]);
  const guard = await requireAdminPage("/admin/users", new URLSearchParams(values).toString());
  if (!guard) return <Forbidden />;
  const parsed = listUsersQuery.safeParse(values);
  const errors = parsed.success ? {} : fieldErrorsOf(parsed.error);

  const db = await getDb();
  const result = parsed.success ? await listUsers(db, parsed.data) : null;
  await recordAuditEvent(db, {
    ...guard.audit,
    requestParams: values,
    eventType: "authz.access.granted",
    resourceType: "user",
    action: "list",
    metadata: { reason: "admin", view: "users", returned: result?.users.length ?? 0, total: result?.total ?? 0 },
  });

  const q = parsed.success ? parsed.data.q : values.q;
  const limit = parsed.success ? parsed.data.limit : 50;
  const offset = parsed.success ? parsed.data.offset : 0;
  const link = (changes: Record<string, string | undefined>) => {
    const next = new URLSearchParams(values);
    for (const [k, v] of Object.entries(changes)) if (v === undefined) next.delete(k); else next.set(k, v);
    const query = next.toString();
    return query ? `/admin/users?${query}` : "/admin/users";
  };

  return (
    <main className="page wide">
      <h1>Users</h1>
      <form method="get" action="/admin/users" className="card filters" role="search" aria-label="User search">
        <div className="field">
          <label htmlFor="q">Search users</label>
          <input id="q" name="q" type="search" placeholder="username, e-mail or name" defaultValue={values.q ?? ""} aria-describedby={errors.q ? "q-error" : undefined} />
          {errors.q && <p id="q-error" className="field-error" role="alert">{errors.q}</p>}
        </div>
        <div className="field">
          <label htmlFor="limit">Rows per page</label>
          <select id="limit" name="limit" defaultValue={String(limit)}>
            {[...new Set([...PAGE_SIZES, limit])].sort((a, b) => a - b).map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
          {errors.limit && <p className="field-error" role="alert">limit {errors.limit}</p>}
        </div>
        <div className="actions">
          <button type="submit">Search</button>
          <Link href="/admin/users">Clear</Link>
        </div>
      </form>

      {!result ? (
        <div role="alert" className="card bad">
          <p>This address is not a valid users query:</p>
          <ul>
            {Object.entries(errors).map(([field, message]) => (
              <li key={field}>
                {field}: {message}
              </li>
            ))}
          </ul>
          <p>
            <Link href="/admin/users">Show all users</Link>
          </p>
        </div>
      ) : result.users.length === 0 ? (
        <div className="card empty" data-testid="empty">
          {q ? (
            <p>
              No users match “{q}”. <Link href="/admin/users">Clear the search</Link>
            </p>
          ) : offset > 0 ? (
            <p>
              No users on this page. <Link href={link({ offset: undefined })}>Back to the first page</Link>
            </p>
          ) : (
            <p>There are no users yet.</p>
          )}
        </div>
      ) : (
        <>
          <p className="summary" aria-live="polite">
            <strong data-testid="total">{result.total}</strong> {result.total === 1 ? "user" : "users"}
            {q ? ` matching “${q}”` : ""}, showing {offset + 1}–{offset + result.users.length}.
          </p>
          <div className="table-wrap">
            <table className="data-table users-table">
              <thead>
                <tr>
                  <th scope="col">Username</th>
                  <th scope="col">E-mail</th>
                  <th scope="col">Full name</th>
                  <th scope="col">Roles</th>
                  <th scope="col">Active</th>
                  <th scope="col">Created</th>
                  <th scope="col">Actions</th>
                </tr>
              </thead>
              <tbody>
                {result.users.map((user) => (
                  <tr key={user.id} data-username={user.username}>
                    <th scope="row">
                      <Link href={`/admin/audit/users/${encodeURIComponent(user.id)}`}>{user.username}</Link>
                    </th>
                    <td>{user.email}</td>
                    <td>{user.fullName ?? "—"}</td>
                    <td>{user.roles.join(", ")}</td>
                    <td className={user.isActive ? "ok" : "bad"}>{user.isActive ? "yes" : "no"}</td>
                    <td>
                      <time dateTime={user.createdAt.toISOString()}>{user.createdAt.toISOString().slice(0, 10)}</time>
                    </td>
                    <td>
                      <Link href={`/admin/users/${encodeURIComponent(user.username)}`} aria-label={`Manage ${user.username}`}>
                        Manage
                      </Link>
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      )}
      {result && (offset > 0 || offset + limit < result.total) && (
        <nav className="pagination" aria-label="Pages">
          {offset > 0 && <Link href={link({ offset: offset - limit > 0 ? String(offset - limit) : undefined })}>← Previous</Link>}
          {offset + limit < result.total && <Link href={link({ offset: String(offset + limit) })}>Next →</Link>}
        </nav>
      )}
    </main>
  );
}
