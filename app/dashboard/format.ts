// How the user pages show times and tiers.
import type { Tier } from "@/lib/memories/schemas";

/** "2026-01-31 14:05 UTC": the same for every viewer, as the audit log records times. */
export function formatTime(iso: string): string {
  return `${iso.slice(0, 16).replace("T", " ")} UTC`;
}

export const TIER_LABELS: Record<Tier, string> = {
  short_term: "Short-term",
  mid_term: "Mid-term",
  long_term: "Long-term",
};

/** A stored tier's label (the column is text; an unknown value shows as it is). */
export function tierLabel(tier: string): string {
  return Object.hasOwn(TIER_LABELS, tier) ? TIER_LABELS[tier as Tier] : tier;
}
