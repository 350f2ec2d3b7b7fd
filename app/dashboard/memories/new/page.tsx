// A new memory: the form of POST /memories.
import Link from "next/link";
import { requireUserPage } from "@/lib/auth/pages";
import { canWrite } from "@/lib/memories/service";
import { createMemoryAction } from "../actions";
import { NEW_MEMORY_VALUES } from "../memory-form-data";
import { MemoryForm } from "../memory-form";

export const dynamic = "force-dynamic";
export const metadata = { title: "New memory" };

export default async function NewMemoryPage() {
  const { actor } = await requireUserPage("/dashboard/memories/new");
  const namespace = actor.user.namespace;
  return (
    <main className="page">
      <p>
        <Link href="/dashboard/memories">← Your memories</Link>
      </p>
      <h1>New memory</h1>
      <section className="card">
        {canWrite(actor) ? (
          <MemoryForm
            action={createMemoryAction}
            initial={NEW_MEMORY_VALUES}
            submitLabel="Create memory"
            cancelHref="/dashboard/memories"
            namespaceHint={namespace ? `Optional; empty means your namespace, ${namespace}.` : "Optional."}
          />
        ) : (
          <p role="alert">Your account is read-only: you can read your memories but not create them.</p>
        )}
      </section>
    </main>
  );
}
