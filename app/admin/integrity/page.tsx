// Integrity: the latest signed checkpoint, the public key, verification results and history, and a
// button that verifies now.
import { redirect } from "next/navigation";
import { recordAuditRead } from "@/lib/audit/access";
import { latestCheckpoint, runVerification, verificationHistory } from "@/lib/audit/integrity";
import { publicKeyInfo } from "@/lib/audit/keys";
import { requireAdminPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { Forbidden } from "@/app/ui/forbidden";

export const dynamic = "force-dynamic";
export const metadata = { title: "Integrity" };

async function verifyNow() {
  "use server";
  const guard = await requireAdminPage("/admin/integrity", "", "POST");
  if (!guard) redirect("/admin/integrity");
  const db = await getDb();
  await recordAuditRead(db, guard.audit, "verify");
  await runVerification(db, `admin:${guard.user.username}`);
  redirect("/admin/integrity");
}

export default async function IntegrityPage() {
  const guard = await requireAdminPage("/admin/integrity");
  if (!guard) return <Forbidden />;
  const db = await getDb();
  const [checkpoint, history] = await Promise.all([latestCheckpoint(db), verificationHistory(db, 20)]);
  await recordAuditRead(db, guard.audit, "read", { view: "integrity" });
  const key = publicKeyInfo();
  const last = history[0];
  return (
    <main className="page wide">
      <h1>Integrity</h1>
      <section className="card" aria-labelledby="latest">
        <h2 id="latest">Latest verification</h2>
        {last ? (
          <p data-testid="latest-result" className={last.ok ? "ok" : "bad"}>
            {last.ok
              ? `Intact: ${last.checked} events verified against ${last.sealedThrough} sealed leaves`
              : `FAILED at event ${last.firstFailure?.id ?? "-"}: ${last.firstFailure?.reason}`}{" "}
            ({last.finishedAt.toISOString()}, {last.triggeredBy})
          </p>
        ) : (
          <p data-testid="latest-result" className="empty">The log has not been verified yet. Verify it now.</p>
        )}
        <form action={verifyNow}>
          <button type="submit">Verify now</button>
        </form>
      </section>
      <section className="card" aria-labelledby="checkpoint">
        <h2 id="checkpoint">Latest signed checkpoint</h2>
        {checkpoint ? (
          <dl className="status">
            <dt>Checkpoint</dt>
            <dd>#{checkpoint.id} ({checkpoint.reason})</dd>
            <dt>Tree size</dt>
            <dd>{checkpoint.treeSize}</dd>
            <dt>Root hash</dt>
            <dd><code>{checkpoint.rootHash}</code></dd>
            <dt>Signed at</dt>
            <dd>{checkpoint.createdAt.toISOString()}</dd>
            <dt>Signature (Ed25519)</dt>
            <dd><code>{checkpoint.signature}</code></dd>
          </dl>
        ) : (
          <p className="empty">No checkpoint yet: the server signs one every minute once events exist.</p>
        )}
        <p>
          Public key <code>{key.key_id}</code>, published at <a href="/audit/checkpoints/key">/audit/checkpoints/key</a>.
        </p>
      </section>
      <section className="card" aria-labelledby="history">
        <h2 id="history">Verification history</h2>
        {history.length === 0 ? (
          <p className="empty">No verification has run yet.</p>
        ) : (
          <table className="data-table">
            <thead>
              <tr>
                <th scope="col">Finished</th>
                <th scope="col">Result</th>
                <th scope="col">Checked</th>
                <th scope="col">First failure</th>
                <th scope="col">By</th>
              </tr>
            </thead>
            <tbody>
              {history.map((v) => (
                <tr key={v.id}>
                  <td>{v.finishedAt.toISOString().replace("T", " ").slice(0, 19)}</td>
                  <td className={v.ok ? "ok" : "bad"}>{v.ok ? "intact" : "FAILED"}</td>
                  <td>{v.checked}</td>
                  <td>{v.firstFailure ? `event ${v.firstFailure.id ?? "-"}: ${v.firstFailure.reason}` : "—"}</td>
                  <td>{v.triggeredBy}</td>
                </tr>
              ))}
            </tbody>
          </table>
        )}
      </section>
    </main>
  );
}
