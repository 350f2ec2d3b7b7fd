// The memory list's URL: which filters it holds and what they ask for, validated with the query
// schemas of GET /memories and GET /memories/search, so that a link means what the API call would.
import { listMemoriesQuery, searchMemoriesQuery, type ListMemoriesQuery, type SearchMemoriesQuery } from "@/lib/memories/schemas";
import { fieldErrorsOf, type FieldErrors } from "@/app/ui/form-state";

export const FILTER_PARAMS = ["q", "thread_id", "namespace", "tier", "top_k"] as const;
/** The filters that narrow the list (top_k only limits how much of it is shown). */
export const NARROWING_PARAMS = ["q", "thread_id", "namespace", "tier"] as const;
export const PAGE_SIZES = ["20", "50", "100"] as const;

export type MemoryFilters =
  | { kind: "list"; query: ListMemoriesQuery }
  | { kind: "search"; query: SearchMemoriesQuery }
  | { kind: "invalid"; errors: FieldErrors };

/** A text search when `q` is given (GET /memories/search), else the list (GET /memories). */
export function parseMemoryFilters(values: Record<string, string>): MemoryFilters {
  if (values.q === undefined) {
    const parsed = listMemoriesQuery.safeParse(values);
    return parsed.success ? { kind: "list", query: parsed.data } : { kind: "invalid", errors: fieldErrorsOf(parsed.error) };
  }
  const parsed = searchMemoriesQuery.safeParse(values);
  const errors = parsed.success ? {} : fieldErrorsOf(parsed.error);
  // GET /memories/search has no tier filter; quietly dropping it would show rows of other tiers.
  if (values.tier) errors.tier = "cannot be combined with a text search; choose “Any tier” or clear the search";
  return parsed.success && !values.tier ? { kind: "search", query: parsed.data } : { kind: "invalid", errors };
}
