// One audit event: every column, its before/after states as a diff, the request, and its
// integrity (leaf hash check, personal-data digest, place in the tree and inclusion proof).
import Link from "next/link";
import { notFound } from "next/navigation";
import { recordAuditRead } from "@/lib/audit/access";
import { eventIntegrity } from "@/lib/audit/integrity";
import { auditLogToJson, getAuditLog } from "@/lib/audit/query";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { Forbidden } from "@/app/ui/forbidden";

export const dynamic = "force-dynamic";
export const metadata = { title: "Audit event" };

type Json = Record<string, unknown> | null;

/** Keys of either state, each with its value before and after, marked when it changed. */
function stateDiff(before: Json, after: Json) {
  const keys = [...new Set([...Object.keys(before ?? {}), ...Object.keys(after ?? {})])].sort();
  return keys.map((key) => {
    const b = before && key in before ? JSON.stringify(before[key]) : undefined;
    const a = after && key in after ? JSON.stringify(after[key]) : undefined;
    return { key, before: b, after: a, changed: a !== b };
  });
}

export default async function AuditEventPage({ params }: { params: Promise<{ id: string }> }) {
  const { id } = await params;
  const guard = await requireAdminPage(`/admin/audit/${id}`);
  if (!guard) return <Forbidden />;
  if (!/^[1-9]\d{0,15}$/.test(id)) notFound();
  const db = await getDb();
  const row = await getAuditLog(db, Number(id));
  if (!row) notFound();
  const log = auditLogToJson(row);
  const proof = await eventIntegrity(db, row);
  await recordAuditRead(db, guard.audit, "read", { view: "event", id: row.id });
  const diff = stateDiff(log.before_state, log.after_state);
  const fields: [string, unknown][] = [
    ["Time", log.timestamp], ["Event", log.event_type], ["Severity", log.severity], ["Description", log.description],
    ["Success", log.success ? "yes" : "no"], ["Status code", log.status_code], ["Error", log.error_message],
    ["User", log.username ? `${log.username} (${log.user_id})` : log.user_id], ["Session", log.session_id],
    ["Resource", [log.resource_type, log.resource_id].filter(Boolean).join(" ")], ["Namespace", log.namespace], ["Action", log.action],
    ["Compliance tags", (log.compliance_tags ?? []).join(", ")], ["Retention", log.retention_policy], ["Erased", log.erased_at],
  ];

  return (
    <main className="page wide">
      <p>
        <Link href="/admin/audit">← Audit log</Link>
      </p>
      <h1>
        Event {log.id}: {log.event_type}
      </h1>
      <section className="card" aria-labelledby="details">
        <h2 id="details">Details</h2>
        <dl className="status">
          {fields.map(([label, value]) => (
            <div key={label} style={{ display: "contents" }}>
              <dt>{label}</dt>
              <dd>{value === null || value === undefined || value === "" ? "—" : String(value)}</dd>
            </div>
          ))}
        </dl>
      </section>
      <section className="card" aria-labelledby="changes">
        <h2 id="changes">Before and after</h2>
        {diff.length === 0 ? (
          <p className="empty">This event records no state change.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Field</th>
                <th scope="col">Before</th>
                <th scope="col">After</th>
              </tr>
            </thead>
            <tbody>
              {diff.map((d) => (
                <tr key={d.key} className={d.changed ? "changed" : undefined}>
                  <td>{d.key}</td>
                  <td>{d.before ?? "—"}</td>
                  <td>{d.after ?? "—"}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
      <section className="card" aria-labelledby="request">
        <h2 id="request">Request</h2>
        <dl className="status">
          <dt>Method and path</dt>
          <dd>{log.request_method ? `${log.request_method} ${log.request_path}` : "—"}</dd>
          <dt>Parameters</dt>
          <dd>{log.request_params ? JSON.stringify(log.request_params) : "—"}</dd>
          <dt>IP address</dt>
          <dd>{log.ip_address ?? "—"}</dd>
          <dt>User agent</dt>
          <dd>{log.user_agent ?? "—"}</dd>
          <dt>Metadata</dt>
          <dd>{log.metadata ? JSON.stringify(log.metadata) : "—"}</dd>
        </dl>
      </section>
      <section className="card" aria-labelledby="integrity">
        <h2 id="integrity">Integrity</h2>
        <dl className="status">
          <dt>Leaf hash</dt>
          <dd>
            <code>{log.leaf_hash}</code> — {proof.leaf_hash_valid ? <span className="ok">matches the content</span> : <span className="bad">does not match the content</span>}
          </dd>
          <dt>Personal data</dt>
          <dd>{proof.personal_data}</dd>
          <dt>Sealed</dt>
          <dd data-testid="sealed">{proof.status}</dd>
          {"checkpoint" in proof && proof.checkpoint && (
            <>
              <dt>Leaf index</dt>
              <dd>{proof.leaf_index}</dd>
              <dt>Checkpoint</dt>
              <dd>
                #{proof.checkpoint.id}, tree size {proof.checkpoint.tree_size}, root <code>{proof.checkpoint.root_hash}</code>, signed {proof.checkpoint.created_at}
              </dd>
              <dt>Inclusion proof</dt>
              <dd>
                <ol>
                  {(proof.inclusion_proof ?? []).map((h) => (
                    <li key={h}>
                      <code>{h}</code>
                    </li>
                  ))}
                </ol>
              </dd>
            </>
          )}
        </dl>
      </section>
    </main>
  );
}
