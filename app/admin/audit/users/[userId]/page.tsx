// One user's timeline: their profile, failed logins, and their events grouped by day.
import Link from "next/link";
import { eq } from "drizzle-orm";
import { recordAuditRead } from "@/lib/audit/access";
import { AuditLogger } from "@/lib/audit/logger";
import { auditLogToJson, queryAuditLogs } from "@/lib/audit/query";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { users } from "@/lib/db/schema";
import { Forbidden } from "@/app/ui/forbidden";

export const dynamic = "force-dynamic";
export const metadata = { title: "User timeline" };

export default async function UserTimelinePage({ params }: { params: Promise<{ userId: string }> }) {
  const { userId: encoded } = await params;
  const userId = decodeURIComponent(encoded);
  const guard = await requireAdminPage(`/admin/audit/users/${encoded}`);
  if (!guard) return <Forbidden />;
  const db = await getDb();
  const [profile] = await db.select().from(users).where(eq(users.id, userId)).limit(1);
  const startTime = new Date(Date.now() - 720 * 3_600_000);
  const activity = await new AuditLogger(db).getUserActivity(userId, { startTime }, { limit: 1000 });
  const failedLogins = profile
    ? (await queryAuditLogs(db, { eventTypes: ["auth.login.failed"], username: profile.username, startTime }, { limit: 1 })).total
    : 0;
  await recordAuditRead(db, guard.audit, "read", { view: "timeline", user_id: userId });
  const days = new Map<string, ReturnType<typeof auditLogToJson>[]>();
  for (const log of activity.logs.map(auditLogToJson)) {
    const day = log.timestamp.slice(0, 10);
    days.set(day, [...(days.get(day) ?? []), log]);
  }
  return (
    <main className="page wide">
      <h1>Timeline of {profile?.username ?? userId}</h1>
      <section className="card" aria-labelledby="profile">
        <h2 id="profile">Profile</h2>
        {profile ? (
          <dl className="status">
            <dt>Username</dt>
            <dd>{profile.username}</dd>
            <dt>E-mail</dt>
            <dd>{profile.email}</dd>
            <dt>Roles</dt>
            <dd>{profile.roles.join(", ")}</dd>
            <dt>Active</dt>
            <dd>{profile.isActive ? "yes" : "no"}</dd>
            <dt>Last login</dt>
            <dd>{profile.lastLoginAt?.toISOString() ?? "never"}</dd>
            <dt>Failed logins (30 days)</dt>
            <dd data-testid="failed-logins">{failedLogins}</dd>
          </dl>
        ) : (
          <p className="empty">No account has this id (it may have been deleted); its events remain.</p>
        )}
      </section>
      <p className="summary">
        <strong data-testid="total">{activity.total}</strong> events in the last 30 days.{" "}
        <Link href={`/admin/audit?user_id=${encodeURIComponent(userId)}&hours=720`}>Open in the explorer</Link>
      </p>
      {[...days.entries()].map(([day, logs]) => (
        <section key={day} className="card" aria-label={day}>
          <h2>{day}</h2>
          <ol className="timeline">
            {logs.map((log) => (
              <li key={log.id}>
                <time dateTime={log.timestamp}>{log.timestamp.slice(11, 19)}</time>{" "}
                <Link href={`/admin/audit/${log.id}`}>{log.event_type}</Link>
                {log.success ? "" : <span className="bad"> failed</span>} {log.resource_type ? `· ${log.resource_type} ${log.resource_id ?? ""}` : ""}
              </li>
            ))}
          </ol>
        </section>
      ))}
      {activity.total === 0 && <p className="card empty">No events by this user in the last 30 days.</p>}
    </main>
  );
}
