"use client";
// The second step of deleting a memory: says what will happen, and offers "Delete permanently"
// or "Cancel" (back to the memory, without the confirm step in the URL).
import Link from "next/link";
import { useActionState, useEffect, useRef } from "react";
import type { FormState } from "@/app/ui/form-state";

export function DeleteMemoryForm({ action, memoryId, cancelHref }: { action: (previous: FormState | null) => Promise<FormState>; memoryId: number; cancelHref: string }) {
  const [state, formAction, pending] = useActionState(action, null);
  const cancel = useRef<HTMLAnchorElement>(null);
  // Keyboard focus moves to the step that just appeared, on its harmless choice.
  useEffect(() => cancel.current?.focus(), []);
  return (
    <form action={formAction} className="form" aria-labelledby="delete-heading" aria-describedby="delete-what">
      <h2 id="delete-heading">Delete memory #{memoryId}?</h2>
      <p id="delete-what">
        The memory is removed for good; it cannot be restored. Clusters keep listing it until they are next rebuilt. The deletion is recorded in
        the audit log.
      </p>
      {state?.message && (
        <p role="alert" className="bad">
          {state.message}
        </p>
      )}
      <div className="actions">
        <button type="submit" className="danger" disabled={pending}>
          {pending ? "Deleting…" : "Delete permanently"}
        </button>
        <Link href={cancelHref} scroll={false} ref={cancel}>
          Cancel
        </Link>
      </div>
    </form>
  );
}
