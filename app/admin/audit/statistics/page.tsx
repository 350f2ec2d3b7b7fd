// Statistics: the same numbers as GET /audit/statistics for the same range, with charts.
import Link from "next/link";
import { recordAuditRead } from "@/lib/audit/access";
import { timeRangeQuery } from "@/lib/audit/filters";
import { AuditLogger } from "@/lib/audit/logger";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { Forbidden } from "@/app/ui/forbidden";
import { StatisticsCharts } from "./charts";

export const dynamic = "force-dynamic";
export const metadata = { title: "Statistics" };

const RANGES = [
  { hours: "24", label: "Last 24 hours" },
  { hours: "168", label: "Last 7 days" },
  { hours: "720", label: "Last 30 days" },
];

export default async function StatisticsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const values = Object.fromEntries(
    ["hours", "start_time", "end_time"].flatMap((k) => {
      const v = raw[k];
      const s = Array.isArray(v) ? v[0] : v;
      return s ? [[k, s]] : [];
    }),
  );
  const guard = await requireAdminPage("/admin/audit/statistics", new URLSearchParams(values).toString());
  if (!guard) return <Forbidden />;
  const range = timeRangeQuery.safeParse(values);
  const db = await getDb();
  const stats = range.success ? await new AuditLogger(db).getStatistics(range.data) : null;
  await recordAuditRead(db, { ...guard.audit, requestParams: values }, "statistics", { view: "statistics" });
  const rate = stats && stats.total_events ? ((stats.failed_operations / stats.total_events) * 100).toFixed(1) : "0.0";
  return (
    <main className="page wide">
      <h1>Statistics</h1>
      <nav aria-label="Time range" className="pagination">
        {RANGES.map((r) => (
          <Link key={r.hours} href={`/admin/audit/statistics?hours=${r.hours}`} aria-current={values.hours === r.hours || (!values.hours && !values.start_time && r.hours === "24") ? "page" : undefined}>
            {r.label}
          </Link>
        ))}
      </nav>
      {!stats ? (
        <p role="alert" className="bad">
          The time range is not valid: {range.error?.issues.map((i) => `${String(i.path[0] ?? "range")} ${i.message}`).join("; ")}.
        </p>
      ) : (
        <>
          <p className="summary">
            From {stats.start_time} to {stats.end_time}
          </p>
          <dl className="kpis">
            <div><dt>Events</dt><dd data-testid="total-events">{stats.total_events}</dd></div>
            <div><dt>Failed</dt><dd data-testid="failed-operations">{stats.failed_operations}</dd></div>
            <div><dt>Failure rate</dt><dd data-testid="failure-rate">{rate}%</dd></div>
            <div><dt>Users</dt><dd data-testid="unique-users">{stats.unique_users}</dd></div>
          </dl>
          {stats.total_events === 0 ? (
            <p className="card empty">No events in this range. Choose a longer range.</p>
          ) : (
            <>
              <StatisticsCharts stats={stats} />
              <section className="card" aria-labelledby="top-users">
                <h2 id="top-users">Top users</h2>
                <ol>
                  {stats.top_users.map((u) => (
                    <li key={u.user_id}>
                      <Link href={`/admin/audit/users/${encodeURIComponent(u.user_id)}`}>{u.username ?? u.user_id}</Link>: {u.count}
                    </li>
                  ))}
                </ol>
              </section>
            </>
          )}
        </>
      )}
    </main>
  );
}
