// A user's clusters (GET /clusters): their memories grouped by metadata topic and category, and a
// button to regroup them (POST /clusters/rebuild).
import Link from "next/link";
import { requireUserPage } from "@/lib/auth/pages";
import { listClustersQuery } from "@/lib/clusters/schemas";
import { listClusters } from "@/lib/clusters/service";
import { getDb } from "@/lib/db/client";
import { canWrite } from "@/lib/memories/service";
import { formatTime } from "../format";
import { rebuildClustersAction } from "./actions";
import { RebuildForm } from "./rebuild-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Your clusters" };

// The most GET /clusters returns at once.
const query = listClustersQuery.parse({ limit: 200 });

export default async function ClustersPage() {
  const { actor, audit } = await requireUserPage("/dashboard/clusters");
  const clusters = await listClusters(await getDb(), actor, query, audit);

  return (
    <main className="page wide">
      <h1>Your clusters</h1>
      <p className="muted">
        A cluster groups your memories by the <code>topic</code> and <code>category</code> in their metadata (<code>general</code> when
        missing). Clusters are a snapshot: rebuild them after adding, editing or deleting memories.
      </p>
      {canWrite(actor) ? (
        <RebuildForm action={rebuildClustersAction} />
      ) : (
        <p>Your account is read-only: you can see your clusters but not rebuild them.</p>
      )}
      {clusters.length === 0 ? (
        <div className="card empty" role="status">
          <p>
            No clusters yet. <Link href="/dashboard/memories/new">Add memories</Link> (with a topic in their metadata to group them), then rebuild.
          </p>
        </div>
      ) : (
        <div className="table-wrap">
          <table className="data-table cluster-table stack-on-mobile">
            <thead>
              <tr>
                <th scope="col">Topic</th>
                <th scope="col">Category</th>
                <th scope="col">Memories</th>
                <th scope="col">Summary</th>
                <th scope="col">Last built</th>
              </tr>
            </thead>
            <tbody>
              {clusters.map((cluster) => (
                <tr key={cluster.cluster_id} data-cluster-id={cluster.cluster_id}>
                  <td data-label="Topic">{cluster.topic}</td>
                  <td data-label="Category">{cluster.category}</td>
                  <td data-label="Memories">
                    <span data-testid="member-count">{cluster.memory_count}</span>:{" "}
                    {cluster.memory_ids.map((id, i) => (
                      <span key={id}>
                        {i > 0 && ", "}
                        <Link href={`/dashboard/memories/${id}`}>#{id}</Link>
                      </span>
                    ))}
                  </td>
                  <td data-label="Summary" className="cluster-summary">
                    {cluster.summary ?? "—"}
                  </td>
                  <td data-label="Last built">
                    <time dateTime={cluster.last_built_at}>{formatTime(cluster.last_built_at)}</time>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
      {clusters.length === query.limit && <p className="muted">Showing the first {query.limit} clusters.</p>}
    </main>
  );
}
