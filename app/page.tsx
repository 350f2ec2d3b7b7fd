import { checkReadiness } from "@/lib/server/health";

export const dynamic = "force-dynamic";

export default async function HomePage() {
  const readiness = await checkReadiness();
  const ready = readiness.status === "ready";
  return (
    <main className="page">
      <h1>Memoric</h1>
      <p>
        A memory service for AI agents and their users. Every security-relevant action is written to an
        append-only audit log.
      </p>
      <section aria-labelledby="status-heading" className="card">
        <h2 id="status-heading">Server status</h2>
        <dl className="status">
          <dt>Status</dt>
          <dd className={ready ? "ok" : "bad"}>{ready ? "Ready" : "Not ready"}</dd>
          <dt>Database</dt>
          <dd>
            {readiness.details.database}
            {readiness.details.engine ? ` (${readiness.details.engine})` : ""}
          </dd>
          <dt>Migrations</dt>
          <dd>{readiness.details.migrations ?? "unknown"}</dd>
          <dt>Audit logging</dt>
          <dd>{readiness.details.audit_logging}</dd>
        </dl>
        <p>
          Machine-readable: <a href="/health">/health</a> and <a href="/ready">/ready</a>.
        </p>
      </section>
    </main>
  );
}
