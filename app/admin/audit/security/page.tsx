// Security events: warning and above, or failed, with brute-force detections and breach attempts
// called out, and quick filters for the usual questions.
import Link from "next/link";
import { recordAuditRead } from "@/lib/audit/access";
import { AuditLogger } from "@/lib/audit/logger";
import { auditLogSummary, auditLogToJson } from "@/lib/audit/query";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { Forbidden } from "@/app/ui/forbidden";
import { AuditTable } from "../audit-table";

export const dynamic = "force-dynamic";
export const metadata = { title: "Security events" };

const RANGES = [1, 24, 168, 720];

export default async function SecurityEventsPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = await searchParams;
  const requested = Number(Array.isArray(raw.hours) ? raw.hours[0] : raw.hours);
  const hours = RANGES.includes(requested) ? requested : 24;
  const guard = await requireAdminPage("/admin/audit/security", `hours=${hours}`);
  if (!guard) return <Forbidden />;
  const db = await getDb();
  const startTime = new Date(Date.now() - hours * 3_600_000);
  const page = await new AuditLogger(db).getSecurityEvents({ startTime }, { limit: 500 });
  await recordAuditRead(db, { ...guard.audit, requestParams: { hours } }, "read", { view: "security", total: page.total });
  const logs = page.logs.map(auditLogToJson);
  const detections = logs.filter((l) => l.event_type === "security.suspicious.activity" || l.event_type === "security.breach.attempt");
  const quick = [
    { label: "Failed logins", href: `/admin/audit?event_type=auth.login.failed&hours=${hours}` },
    { label: "Brute force", href: `/admin/audit?event_type=security.suspicious.activity&hours=${hours}` },
    { label: "Breach attempts", href: `/admin/audit?event_type=security.breach.attempt&hours=${hours}` },
    { label: "Access denied", href: `/admin/audit?event_type=authz.access.denied&hours=${hours}` },
    { label: "Rate limited", href: `/admin/audit?event_type=security.rate_limit.exceeded&hours=${hours}` },
  ];
  return (
    <main className="page wide">
      <h1>Security events</h1>
      <nav aria-label="Time range" className="pagination">
        {RANGES.map((h) => (
          <Link key={h} href={`/admin/audit/security?hours=${h}`} aria-current={h === hours ? "page" : undefined}>
            {h === 1 ? "Last hour" : h === 24 ? "Last 24 hours" : h === 168 ? "Last 7 days" : "Last 30 days"}
          </Link>
        ))}
      </nav>
      <p>
        Quick filters:{" "}
        {quick.map((q, i) => (
          <span key={q.label}>
            {i > 0 && " · "}
            <Link href={q.href}>{q.label}</Link>
          </span>
        ))}
      </p>
      {detections.length > 0 && (
        <section className="card alert-card" aria-labelledby="detections">
          <h2 id="detections">Detections ({detections.length})</h2>
          <ul>
            {detections.map((d) => (
              <li key={d.id}>
                <Link href={`/admin/audit/${d.id}`}>{d.event_type}</Link> {d.timestamp.replace("T", " ").slice(0, 19)} — {d.error_message ?? d.description}
              </li>
            ))}
          </ul>
        </section>
      )}
      <p className="summary">
        <strong data-testid="total">{page.total}</strong> security events (warning and above, or failed).
      </p>
      {logs.length ? <AuditTable logs={page.logs.map(auditLogSummary)} /> : <p className="card empty">No security events in this range.</p>}
    </main>
  );
}
