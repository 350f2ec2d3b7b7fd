// Request shapes of the /memories routes, and the field rules the cluster and policy routes share.
import { z } from "zod";

export const TIERS = ["short_term", "mid_term", "long_term"] as const;
export type Tier = (typeof TIERS)[number];

export const MAX_CONTENT_CHARS = 100_000;

const NUL = "\u0000";

/**
 * A string of min–max characters. PostgreSQL cannot store NUL, so it is refused here rather than
 * failing in the database; a lone surrogate (which no UTF-8 can hold) becomes U+FFFD.
 */
export const boundedText = (min: number, max: number) =>
  z
    .string()
    .min(min, min === 1 ? "must not be empty" : `must be at least ${min} characters`)
    .max(max, `must be at most ${max} characters`)
    .refine((s) => !s.includes(NUL), "must not contain NUL characters")
    .transform((s) => s.toWellFormed());

/** Whether any string of a JSON value, keys included, holds a NUL (which jsonb refuses). */
function containsNul(value: unknown): boolean {
  if (typeof value === "string") return value.includes(NUL);
  if (Array.isArray(value)) return value.some(containsNul);
  if (value !== null && typeof value === "object") {
    return Object.entries(value).some(([k, v]) => k.includes(NUL) || containsNul(v));
  }
  return false;
}

/** A copy of a JSON value with every string, keys included, made well-formed (see boundedText). */
function wellFormedJson(value: unknown): unknown {
  if (typeof value === "string") return value.toWellFormed();
  if (Array.isArray(value)) return value.map(wellFormedJson);
  if (value !== null && typeof value === "object") {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toWellFormed(), wellFormedJson(v)]));
  }
  return value;
}

/** An id of a user, as the user_id query or body parameter names it. */
export const userIdSchema = boundedText(1, 128);

const contentSchema = boundedText(1, MAX_CONTENT_CHARS).refine((s) => s.trim() !== "", "must not be blank");
const labelSchema = boundedText(1, 128);
const tierSchema = z.enum(TIERS, { error: `must be one of ${TIERS.join(", ")}` });
const scoreSchema = z
  .number({ error: "must be a number" })
  .int("must be a whole number")
  .min(0, "must be at least 0")
  .max(100, "must be at most 100");
const metadataSchema = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object" })
  .refine((m) => !containsNul(m), "must not contain NUL characters")
  .transform((m) => wellFormedJson(m) as Record<string, unknown>);

/** A whole-number query parameter in [min, max]; out of range is a 422, never clamped. */
export const intParam = (min: number, max: number, fallback: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(min, `must be at least ${min}`)
    .max(max, `must be at most ${max}`)
    .default(fallback);

export const createMemorySchema = z.object({
  content: contentSchema,
  thread_id: labelSchema.nullish(),
  namespace: labelSchema.nullish(),
  metadata: metadataSchema.nullish(),
  tier: tierSchema.default("short_term"),
  score: scoreSchema.default(50),
  /** Admins may create a memory for another user. */
  user_id: userIdSchema.optional(),
});

export const updateMemorySchema = z
  .object({
    content: contentSchema.optional(),
    // null clears a thread or namespace.
    thread_id: labelSchema.nullish(),
    namespace: labelSchema.nullish(),
    // Replaces the whole object.
    metadata: metadataSchema.optional(),
    tier: tierSchema.optional(),
    score: scoreSchema.optional(),
  })
  .refine((v) => Object.values(v).some((x) => x !== undefined), "must change at least one field");

export const listMemoriesQuery = z.object({
  user_id: userIdSchema.optional(),
  thread_id: labelSchema.optional(),
  namespace: labelSchema.optional(),
  tier: tierSchema.optional(),
  top_k: intParam(1, 100, 20),
});

export const searchMemoriesQuery = z.object({
  q: boundedText(1, 1000).refine((s) => s.trim() !== "", "must not be blank"),
  user_id: userIdSchema.optional(),
  thread_id: labelSchema.optional(),
  namespace: labelSchema.optional(),
  top_k: intParam(1, 100, 20),
});

export const memoryIdParams = z.object({
  id: z
    .string()
    .regex(/^\d+$/, "must be a positive whole number")
    .transform(Number)
    .refine((n) => n >= 1 && Number.isSafeInteger(n), `must be between 1 and ${Number.MAX_SAFE_INTEGER}`),
});

export type CreateMemoryInput = z.output<typeof createMemorySchema>;
export type UpdateMemoryInput = z.output<typeof updateMemorySchema>;
export type ListMemoriesQuery = z.output<typeof listMemoriesQuery>;
export type SearchMemoriesQuery = z.output<typeof searchMemoriesQuery>;
