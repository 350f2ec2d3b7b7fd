// The memory form's text fields to and from the API's request shapes: the page fills the form
// from a memory, and the server actions turn what was submitted into the input that
// createMemorySchema or updateMemorySchema validates, exactly as POST and PATCH /memories do.
import { createHash } from "node:crypto";
import type { z } from "zod";
import { createMemorySchema, updateMemorySchema, type CreateMemoryInput, type UpdateMemoryInput } from "@/lib/memories/schemas";
import type { MemoryJson } from "@/lib/memories/service";
import { fieldErrorsOf, formText, type FieldErrors } from "@/app/ui/form-state";

export const MEMORY_FIELDS = ["content", "thread_id", "namespace", "tier", "score", "metadata"] as const;
type MemoryField = (typeof MEMORY_FIELDS)[number];
export type MemoryFormValues = Record<MemoryField, string>;

export const NEW_MEMORY_VALUES: MemoryFormValues = { content: "", thread_id: "", namespace: "", tier: "short_term", score: "50", metadata: "" };

/** A memory as its edit form shows it. */
export function memoryFormValues(memory: MemoryJson): MemoryFormValues {
  return {
    content: memory.content,
    thread_id: memory.thread_id ?? "",
    namespace: memory.namespace ?? "",
    tier: memory.tier,
    score: String(memory.score),
    metadata: Object.keys(memory.metadata).length > 0 ? JSON.stringify(memory.metadata, null, 2) : "",
  };
}

export function readMemoryForm(form: FormData): MemoryFormValues {
  return Object.fromEntries(MEMORY_FIELDS.map((field) => [field, formText(form, field)])) as MemoryFormValues;
}

const digest = (text: string) => createHash("sha256").update(text).digest("base64url").slice(0, 22);

/**
 * Digests of the values an edit form started with. Submitted back with the form, they tell which
 * fields were changed, so that the PATCH (and its memory.updated event) names only those.
 */
export function formBaseline(values: MemoryFormValues): string {
  return JSON.stringify(Object.fromEntries(MEMORY_FIELDS.map((field) => [field, digest(values[field])])));
}

function changedFields(values: MemoryFormValues, baseline: string): MemoryField[] {
  let before: Record<string, unknown> = {};
  try {
    const parsed: unknown = JSON.parse(baseline);
    if (parsed && typeof parsed === "object") before = parsed as Record<string, unknown>;
  } catch {
    // No usable baseline: every field counts as changed.
  }
  return MEMORY_FIELDS.filter((field) => before[field] !== digest(values[field]));
}

type Parsed<T> = { ok: true; input: T } | { ok: false; errors: FieldErrors };

/** The metadata textarea as JSON; empty is `empty` (nothing on create, `{}` on edit). */
function parseMetadata(text: string, empty: undefined | Record<string, never>): { value: unknown } | { error: string } {
  if (text.trim() === "") return { value: empty };
  try {
    return { value: JSON.parse(text) };
  } catch {
    return { error: 'must be valid JSON, e.g. {"topic": "travel"}' };
  }
}

/** The score field as a number; empty is `empty` (the default on create, refused on edit). */
const scoreOf = (text: string, empty: undefined | null) => (text.trim() === "" ? empty : Number(text));

function validate<S extends z.ZodType>(schema: S, raw: Record<string, unknown>, metadataError: string | undefined): Parsed<z.output<S>> {
  const parsed = schema.safeParse(raw);
  const errors: FieldErrors = parsed.success ? {} : fieldErrorsOf(parsed.error);
  if (metadataError) errors.metadata = metadataError;
  return parsed.success && !metadataError ? { ok: true, input: parsed.data } : { ok: false, errors };
}

/** POST /memories from the form: an empty thread or metadata is none; an empty namespace is the owner's. */
export function parseNewMemory(values: MemoryFormValues): Parsed<CreateMemoryInput> {
  const metadata = parseMetadata(values.metadata, undefined);
  return validate(
    createMemorySchema,
    {
      content: values.content,
      thread_id: values.thread_id || undefined,
      namespace: values.namespace || undefined,
      tier: values.tier || undefined,
      score: scoreOf(values.score, undefined),
      metadata: "value" in metadata ? metadata.value : undefined,
    },
    "error" in metadata ? metadata.error : undefined,
  );
}

/**
 * PATCH /memories/{id} from the form, with only the fields changed since `baseline`: an emptied
 * thread or namespace is cleared (null), emptied metadata becomes `{}`, an emptied score is refused.
 */
export function parseMemoryChanges(values: MemoryFormValues, baseline: string): Parsed<UpdateMemoryInput> | { ok: false; unchanged: true } {
  const changed = new Set(changedFields(values, baseline));
  if (changed.size === 0) return { ok: false, unchanged: true };
  const pick = <T>(field: MemoryField, value: T) => (changed.has(field) ? value : undefined);
  const metadata = changed.has("metadata") ? parseMetadata(values.metadata, {}) : { value: undefined };
  return validate(
    updateMemorySchema,
    {
      content: pick("content", values.content),
      thread_id: pick("thread_id", values.thread_id || null),
      namespace: pick("namespace", values.namespace || null),
      tier: pick("tier", values.tier),
      score: pick("score", scoreOf(values.score, null)),
      metadata: "value" in metadata ? metadata.value : undefined,
    },
    "error" in metadata ? metadata.error : undefined,
  );
}
