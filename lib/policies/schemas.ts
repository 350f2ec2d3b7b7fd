// The memory lifecycle policy: its configuration (what GET /policies shows) and the request
// shape of POST /policies/run.
import { z } from "zod";
import { userIdSchema, type Tier } from "@/lib/memories/schemas";

interface TierPolicy {
  /** A memory older than this many days (since created_at) moves to `next_tier`; null: it stays. */
  expiry_days: number | null;
  next_tier: Tier | null;
  /** Content longer than this is cut to max_chars, ending in "…". */
  trim: { max_chars: number };
}

/**
 * The numbers are chosen so that each rule acts on its own cases (and a run is idempotent:
 * running it again changes nothing):
 * - a memory moves on by age: short_term after 7 days, mid_term after 30 (a 40-day-old
 *   short_term memory goes straight to long_term, since the tier follows from the age);
 * - mid_term and long_term memories longer than 2500 characters are replaced by their leading
 *   sentences, at most 400 characters, with `summarized` set and the original length kept in
 *   metadata.original_length (recent short_term memories stay verbatim);
 * - what is still longer than its tier's cap (4000 / 2000 / 1000) is trimmed to it, the length
 *   before kept in metadata.trimmed_from;
 * - every thread with at least 2 memories gets one thread summary: a long_term memory in that
 *   thread with metadata.kind = "thread_summary" whose content is the opening sentence of each
 *   memory, oldest first, at most 1000 characters; later runs update it in place. Thread
 *   summaries are derived text: the rules above and the clusters leave them out.
 * Order per memory: migrate, then summarize, then trim. Then the clusters are rebuilt.
 */
export const POLICY_CONFIG = {
  tiers: {
    short_term: { expiry_days: 7, next_tier: "mid_term", trim: { max_chars: 4000 } },
    mid_term: { expiry_days: 30, next_tier: "long_term", trim: { max_chars: 2000 } },
    long_term: { expiry_days: null, next_tier: null, trim: { max_chars: 1000 } },
  } satisfies Record<Tier, TierPolicy>,
  summarization: { tiers: ["mid_term", "long_term"] as Tier[], min_chars: 2500, target_chars: 400 },
  thread_summaries: { min_memories: 2, max_chars: 1000, tier: "long_term" as Tier },
} as const;

export type PolicyConfig = typeof POLICY_CONFIG;

export const runPoliciesSchema = z.object({
  /** Only this user's memories; all users' when absent. */
  user_id: userIdSchema.optional(),
  dry_run: z.boolean({ error: "must be true or false" }).default(false),
});

export type RunPoliciesInput = z.output<typeof runPoliciesSchema>;
