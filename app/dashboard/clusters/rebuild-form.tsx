"use client";
// The rebuild button and what the rebuild changed.
import { useActionState } from "react";
import type { RebuildState } from "./actions";

const plural = (n: number, one: string, many: string) => `${n} ${n === 1 ? one : many}`;

export function RebuildForm({ action }: { action: (previous: RebuildState) => Promise<RebuildState> }) {
  const [state, formAction, pending] = useActionState(action, null);
  return (
    <form action={formAction} className="actions rebuild-form">
      <button type="submit" disabled={pending}>
        {pending ? "Rebuilding…" : "Rebuild clusters"}
      </button>
      <span role="status" data-testid="rebuild-result" className={state && "error" in state ? "bad" : undefined}>
        {state &&
          ("error" in state
            ? state.error
            : `Rebuilt: ${state.created} created, ${state.updated} updated, ${state.deleted} deleted; ${plural(state.total, "cluster", "clusters")} in all.`)}
      </span>
    </form>
  );
}
