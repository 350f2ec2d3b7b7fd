// The day of a text search's words: UTC days since 2000-01-01. Migration 0010's
// audit_search_document prefixes each indexed word with it ('~9833~user42'), and
// audit_summary_words (0012) counts the words by it. This is the one place the TypeScript spells it.

const DAY_MS = 86_400_000;
const DAY_ZERO = Date.UTC(2000, 0, 1);

/** The search day of a time. */
export const searchDayOf = (at: Date): number => Math.floor((at.getTime() - DAY_ZERO) / DAY_MS);

/** The start (00:00 UTC) of search day `day`. */
export const searchDayStart = (day: number): Date => new Date(DAY_ZERO + day * DAY_MS);

/** SQL text of the search day of a timestamptz expression, as the migrations spell it. */
export const searchDaySql = (timestamp: string): string => `((${timestamp} at time zone 'UTC')::date - date '2000-01-01')`;
