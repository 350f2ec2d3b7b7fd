// One memory: what it holds, its edit form (PATCH /memories/{id}) and deletion in two steps, the
// second one (?confirm=delete) in the URL so that it works with the keyboard and without dialogs.
import Form from "next/form";
import Link from "next/link";
import { notFound } from "next/navigation";
import { requireUserPage } from "@/lib/auth/pages";
import { getDb } from "@/lib/db/client";
import { ApiError } from "@/lib/http/errors";
import { memoryIdParams } from "@/lib/memories/schemas";
import { canWrite, getMemory, type MemoryJson } from "@/lib/memories/service";
import type { SearchParams } from "@/app/ui/search-params";
import { formatTime, tierLabel } from "../../format";
import { recordRefusal } from "../../refusals";
import { deleteMemoryAction, updateMemoryAction } from "../actions";
import { formBaseline, memoryFormValues } from "../memory-form-data";
import { MemoryForm } from "../memory-form";
import { DeleteMemoryForm } from "./delete-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "Memory" };

const NOTICES: Record<string, string> = {
  created: "Memory created.",
  updated: "Changes saved.",
};

export default async function MemoryPage({ params, searchParams }: { params: Promise<{ id: string }>; searchParams: SearchParams }) {
  const [{ id: rawId }, query] = await Promise.all([params, searchParams]);
  const parsedId = memoryIdParams.safeParse({ id: rawId });
  if (!parsedId.success) notFound();
  const id = parsedId.data.id;
  const path = `/dashboard/memories/${id}`;
  const confirming = query.confirm === "delete";
  const { actor, audit } = await requireUserPage(path, confirming ? "confirm=delete" : "");

  let memory: MemoryJson;
  try {
    memory = await getMemory(await getDb(), actor, id, audit);
  } catch (error) {
    if (!(error instanceof ApiError) || (error.status !== 404 && error.status !== 403)) throw error;
    // Someone else's memory is "not found" too: its existence is not revealed (the 403 is recorded).
    await recordRefusal(error, audit, { resourceType: "memory", resourceId: id });
    notFound();
  }
  const notice = typeof query.notice === "string" ? NOTICES[query.notice] : undefined;
  const values = memoryFormValues(memory);
  const writable = canWrite(actor);

  return (
    <main className="page">
      <p>
        <Link href="/dashboard/memories">← Your memories</Link>
      </p>
      <h1>Memory #{memory.id}</h1>
      {notice && (
        <p role="status" className="card notice">
          {notice}
        </p>
      )}
      <section className="card" aria-labelledby="stored-heading">
        <h2 id="stored-heading">Stored memory</h2>
        <p className="memory-text" data-testid="memory-content">
          {memory.content}
        </p>
        <dl className="status">
          <dt>Thread</dt>
          <dd>{memory.thread_id ?? "—"}</dd>
          <dt>Namespace</dt>
          <dd>{memory.namespace ?? "—"}</dd>
          <dt>Tier</dt>
          <dd>{tierLabel(memory.tier)}</dd>
          <dt>Importance score</dt>
          <dd>{memory.score}</dd>
          <dt>Metadata</dt>
          <dd>{Object.keys(memory.metadata).length > 0 ? <pre className="mono">{JSON.stringify(memory.metadata, null, 2)}</pre> : "—"}</dd>
          <dt>Summarized</dt>
          <dd>{memory.summarized ? "yes, by a policy run" : "no"}</dd>
          <dt>Created</dt>
          <dd>
            <time dateTime={memory.created_at}>{formatTime(memory.created_at)}</time>
          </dd>
          <dt>Updated</dt>
          <dd>
            <time dateTime={memory.updated_at}>{formatTime(memory.updated_at)}</time>
          </dd>
        </dl>
      </section>
      {writable ? (
        <>
          <section className="card" aria-labelledby="edit-heading">
            <h2 id="edit-heading">Edit</h2>
            {/* Keyed by the last change, so a saved form starts again from the stored values. */}
            <MemoryForm
              key={memory.updated_at}
              action={updateMemoryAction.bind(null, memory.id)}
              initial={values}
              baseline={formBaseline(values)}
              submitLabel="Save changes"
              namespaceHint="Empty means none."
            />
          </section>
          <section className="card danger-zone" aria-label="Delete">
            {confirming ? (
              <DeleteMemoryForm action={deleteMemoryAction.bind(null, memory.id)} memoryId={memory.id} cancelHref={path} />
            ) : (
              <Form action={path} scroll={false} className="actions">
                <input type="hidden" name="confirm" value="delete" />
                <button type="submit" className="danger-outline">
                  Delete…
                </button>
                <span className="muted">You will be asked to confirm.</span>
              </Form>
            )}
          </section>
        </>
      ) : (
        <p className="card">Your account is read-only: you can read this memory but not change or delete it.</p>
      )}
    </main>
  );
}
