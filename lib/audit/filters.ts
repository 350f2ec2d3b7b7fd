// The query-string shape of audit filters, shared by the API and the admin pages (so a URL
// of the log explorer and an API call mean the same thing).
import { z } from "zod";
import { EVENT_TYPE_VALUES, isCustomEventType, SEVERITY_VALUES } from "./events";
import { MAX_PAGE_SIZE, type AuditLogFilters } from "./query";

const HOUR_MS = 3_600_000;
export const MAX_HOURS = 720;

const text = (max = 256) => z.string().min(1, "must not be empty").max(max, `must be at most ${max} characters`);

/** A comma-separated list whose every item is one of `values`. */
const csvOf = <T extends string>(values: readonly [T, ...T[]], what: string) =>
  z
    .string()
    .transform((s) => [...new Set(s.split(",").map((v) => v.trim()).filter(Boolean))])
    .pipe(
      z
        .array(z.enum(values, { error: (issue) => `unknown ${what}: ${String(issue.input)}` }))
        .min(1, `must name at least one ${what}`),
    );

const isoTime = z.iso
  .datetime({ offset: true, error: "must be an ISO 8601 date-time, e.g. 2026-01-31T12:00:00Z" })
  .transform((s) => new Date(s));

const hours = z.coerce
  .number({ error: "must be a number" })
  .int("must be a whole number of hours")
  .min(1, "must be at least 1")
  .max(MAX_HOURS, `must be at most ${MAX_HOURS}`);

const timeFields = z.object({ hours: hours.optional(), start_time: isoTime.optional(), end_time: isoTime.optional() });

function checkRange(v: { start_time?: Date; end_time?: Date }, ctx: z.RefinementCtx): void {
  if (v.start_time && v.end_time && v.start_time > v.end_time) {
    ctx.addIssue({ code: "custom", path: ["end_time"], message: "must not be before start_time" });
  }
}

/** `start_time`/`end_time`, else the last `hours` (default 24) before `end_time` or now. */
function resolveRange(v: z.output<typeof timeFields>): { startTime: Date; endTime: Date } {
  const endTime = v.end_time ?? new Date();
  const startTime = v.start_time ?? new Date(endTime.getTime() - (v.hours ?? 24) * HOUR_MS);
  return { startTime, endTime };
}

/** The time range of GET /audit/statistics. */
export const timeRangeQuery = timeFields.superRefine(checkRange).transform(resolveRange);

const filterFields = z.object({
  event_type: z
    .string()
    .transform((v) => [...new Set(v.split(",").map((x) => x.trim()).filter(Boolean))])
    .pipe(
      z
        .array(
          z.string().refine((v) => (EVENT_TYPE_VALUES as readonly string[]).includes(v) || isCustomEventType(v), {
            error: (issue) => `unknown event type: ${String(issue.input)} (catalog values, or custom.<namespace>.<name>)`,
          }),
        )
        .min(1, "must name at least one event type"),
    )
    .optional(),
  severity: csvOf(SEVERITY_VALUES, "severity").optional(),
  user_id: text().optional(),
  username: text().optional(),
  resource_type: text(64).optional(),
  resource_id: text().optional(),
  namespace: text(128).optional(),
  session_id: text().optional(),
  ip_address: text(64).optional(),
  success: z.enum(["true", "false"], { error: "must be true or false" }).transform((v) => v === "true").optional(),
  q: text(500).optional(),
});

const limitField = (fallback: number) =>
  z.coerce
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(1, "must be at least 1")
    .max(MAX_PAGE_SIZE, `must be at most ${MAX_PAGE_SIZE}`)
    .default(fallback);

const pageFields = z.object({
  limit: limitField(100),
  offset: z.coerce.number({ error: "must be a number" }).int("must be a whole number").min(0, "must be ≥ 0").default(0),
  cursor: text(200).optional(),
  order: z.enum(["desc", "asc"], { error: "must be desc (newest first) or asc (oldest first)" }).default("desc"),
});

function toFilters(v: z.output<typeof filterFields>, range: { startTime: Date; endTime: Date }): AuditLogFilters {
  return {
    eventTypes: v.event_type,
    severities: v.severity,
    userId: v.user_id,
    username: v.username,
    resourceType: v.resource_type,
    resourceId: v.resource_id,
    namespace: v.namespace,
    sessionId: v.session_id,
    ipAddress: v.ip_address,
    success: v.success,
    q: v.q,
    startTime: range.startTime,
    endTime: range.endTime,
  };
}

/** Filters of /audit/export and /audit/stream. */
export const auditFilterQuery = z
  .object({ ...filterFields.shape, ...timeFields.shape })
  .superRefine(checkRange)
  .transform((v) => toFilters(v, resolveRange(v)));

/** GET /audit/logs: filters plus paging. */
export const auditLogsQuery = z
  .object({ ...filterFields.shape, ...timeFields.shape, ...pageFields.shape })
  .superRefine(checkRange)
  .transform((v) => ({
    filters: toFilters(v, resolveRange(v)),
    page: { limit: v.limit, offset: v.offset, cursor: v.cursor, order: v.order },
  }));

/** `hours` (default 24) and `limit` of the user-activity and security-event routes. */
export const recentQuery = z.object({
  hours: hours.default(24),
  limit: limitField(100),
});

/** GET /audit/export: filters plus `format` (csv, ndjson, or bundle: NDJSON with proofs; default ndjson). */
export const auditExportQuery = z
  .object({
    ...filterFields.shape,
    ...timeFields.shape,
    format: z.enum(["csv", "ndjson", "bundle"], { error: "must be csv, ndjson or bundle" }).default("ndjson"),
  })
  .superRefine(checkRange)
  .transform((v) => ({ format: v.format, filters: toFilters(v, resolveRange(v)) }));
