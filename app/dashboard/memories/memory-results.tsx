// The rows of the memory list for one set of filters: GET /memories or GET /memories/search
// through the same services, rendered inside a Suspense boundary keyed by the filters.
import Link from "next/link";
import type { ActorContext } from "@/lib/audit/logger";
import type { Actor } from "@/lib/auth/authenticate";
import { getDb } from "@/lib/db/client";
import { listMemories, searchMemories, truncateText } from "@/lib/memories/service";
import { formatTime, tierLabel } from "../format";
import { PAGE_SIZES, type MemoryFilters } from "./filters";

const PREVIEW_CHARS = 140;

export async function MemoryResults({
  filters,
  actor,
  audit,
  narrowed,
  moreHref,
}: {
  filters: Exclude<MemoryFilters, { kind: "invalid" }>;
  actor: Actor;
  audit: ActorContext;
  narrowed: boolean;
  /** The same view with a larger top_k. */
  moreHref: (topK: string) => string;
}) {
  const db = await getDb();
  const memories = filters.kind === "search" ? await searchMemories(db, actor, filters.query, audit) : await listMemories(db, actor, filters.query, audit);
  const topK = filters.query.top_k;

  if (memories.length === 0) {
    return narrowed ? (
      <div className="card empty" role="status">
        <p>No memories match these filters.</p>
        <p>
          <Link href="/dashboard/memories">Clear the filters</Link> to see all your memories.
        </p>
      </div>
    ) : (
      <div className="card empty" role="status">
        <p>
          No memories yet — <Link href="/dashboard/memories/new">create one</Link>, or store them from your agents through the API.
        </p>
      </div>
    );
  }

  const nextSize = PAGE_SIZES.find((size) => Number(size) > topK);
  return (
    <>
      <p className="summary" role="status" data-testid="result-summary">
        {filters.kind === "search"
          ? `${memories.length} ${memories.length === 1 ? "memory matches" : "memories match"} “${filters.query.q}”, most relevant first.`
          : `${memories.length} ${memories.length === 1 ? "memory" : "memories"}, newest first.`}
      </p>
      <div className="table-wrap">
        <table className="data-table memory-table stack-on-mobile">
          <thead>
            <tr>
              <th scope="col">Memory</th>
              <th scope="col">Thread</th>
              <th scope="col">Namespace</th>
              <th scope="col">Tier</th>
              <th scope="col">Score</th>
              <th scope="col">Updated</th>
            </tr>
          </thead>
          <tbody>
            {memories.map((memory) => (
              <tr key={memory.id} data-memory-id={memory.id}>
                <td data-label="Memory" className="memory-preview">
                  <Link href={`/dashboard/memories/${memory.id}`}>{truncateText(memory.content.replace(/\s+/g, " "), PREVIEW_CHARS)}</Link>
                </td>
                <td data-label="Thread">{memory.thread_id ?? "—"}</td>
                <td data-label="Namespace">{memory.namespace ?? "—"}</td>
                <td data-label="Tier">{tierLabel(memory.tier)}</td>
                <td data-label="Score">{memory.score}</td>
                <td data-label="Updated">
                  <time dateTime={memory.updated_at}>{formatTime(memory.updated_at)}</time>
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      {memories.length === topK && (
        <p className="pagination">
          {nextSize ? (
            <>
              Showing the first {topK}. <Link href={moreHref(nextSize)}>Show up to {nextSize}</Link>
            </>
          ) : (
            `Showing the first ${topK}, the most one view holds; narrow the filters to find others.`
          )}
        </p>
      )}
    </>
  );
}
