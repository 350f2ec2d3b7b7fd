"use client";
// The create and edit form of a memory. Each control has its label and, after a refused submit,
// its message beside it; the form keeps what was typed.
import Link from "next/link";
import { useActionState } from "react";
import { TIERS } from "@/lib/memories/schemas";
import { describedBy, FieldError } from "@/app/ui/field-error";
import type { FormState } from "@/app/ui/form-state";
import { TIER_LABELS } from "../format";
import type { MemoryFormValues } from "./memory-form-data";

type Action = (previous: FormState | null, form: FormData) => Promise<FormState>;

const LABELS = {
  content: "Content",
  thread_id: "Thread",
  namespace: "Namespace",
  tier: "Tier",
  score: "Importance score",
  metadata: "Metadata",
} as const;

export function MemoryForm({
  action,
  initial,
  baseline,
  submitLabel,
  cancelHref,
  namespaceHint,
}: {
  action: Action;
  initial: MemoryFormValues;
  /** For an edit: digests of `initial`, so the action sends only the changed fields. */
  baseline?: string;
  submitLabel: string;
  cancelHref?: string;
  namespaceHint: string;
}) {
  const [state, formAction, pending] = useActionState(action, null);
  const values = { ...initial, ...state?.values };
  const errors = state?.errors ?? {};
  const formMessage = state?.message ?? errors.form;

  return (
    <form action={formAction} className="form memory-form" noValidate aria-describedby={formMessage ? "memory-form-message" : undefined}>
      {baseline && <input type="hidden" name="baseline" value={baseline} />}
      {formMessage && (
        <p id="memory-form-message" role="alert" className="bad">
          {formMessage}
        </p>
      )}
      <div className="field">
        <label htmlFor="content">{LABELS.content}</label>
        <textarea id="content" name="content" rows={8} required defaultValue={values.content} {...describedBy("content", errors.content)} />
        <FieldError name="content" label={LABELS.content} error={errors.content} />
      </div>
      <div className="form-row">
        <div className="field">
          <label htmlFor="thread_id">{LABELS.thread_id}</label>
          <input id="thread_id" name="thread_id" defaultValue={values.thread_id} {...describedBy("thread_id", errors.thread_id, "thread_id-hint")} />
          <p id="thread_id-hint" className="hint">
            Optional; e.g. a conversation id.
          </p>
          <FieldError name="thread_id" label={LABELS.thread_id} error={errors.thread_id} />
        </div>
        <div className="field">
          <label htmlFor="namespace">{LABELS.namespace}</label>
          <input id="namespace" name="namespace" defaultValue={values.namespace} {...describedBy("namespace", errors.namespace, "namespace-hint")} />
          <p id="namespace-hint" className="hint">
            {namespaceHint}
          </p>
          <FieldError name="namespace" label={LABELS.namespace} error={errors.namespace} />
        </div>
        <div className="field">
          <label htmlFor="tier">{LABELS.tier}</label>
          {/* A select's default is set once when it mounts: keyed so that a refused form shows the tier that was sent. */}
          <select key={values.tier} id="tier" name="tier" defaultValue={values.tier} {...describedBy("tier", errors.tier)}>
            {TIERS.map((tier) => (
              <option key={tier} value={tier}>
                {TIER_LABELS[tier]}
              </option>
            ))}
          </select>
          <FieldError name="tier" label={LABELS.tier} error={errors.tier} />
        </div>
        <div className="field">
          <label htmlFor="score">{LABELS.score}</label>
          <input
            id="score"
            name="score"
            type="number"
            inputMode="numeric"
            min={0}
            max={100}
            step={1}
            defaultValue={values.score}
            {...describedBy("score", errors.score, "score-hint")}
          />
          <p id="score-hint" className="hint">
            A whole number from 0 to 100.
          </p>
          <FieldError name="score" label={LABELS.score} error={errors.score} />
        </div>
      </div>
      <div className="field">
        <label htmlFor="metadata">{LABELS.metadata}</label>
        <textarea
          id="metadata"
          name="metadata"
          rows={4}
          className="mono"
          spellCheck={false}
          placeholder='{"topic": "travel", "category": "personal"}'
          defaultValue={values.metadata}
          {...describedBy("metadata", errors.metadata, "metadata-hint")}
        />
        <p id="metadata-hint" className="hint">
          Optional JSON object. Clusters group memories by its <code>topic</code> and <code>category</code>.
        </p>
        <FieldError name="metadata" label={LABELS.metadata} error={errors.metadata} />
      </div>
      <div className="actions">
        <button type="submit" disabled={pending}>
          {pending ? "Saving…" : submitLabel}
        </button>
        {cancelHref && <Link href={cancelHref}>Cancel</Link>}
      </div>
    </form>
  );
}
