// The body of POST /audit/events: one event, a JSON array of events, or NDJSON (one event a line),
// every event validated against the catalog before anything is stored.
import { z } from "zod";
import { isCustomEventType, isEventType, SEVERITY_VALUES } from "@/lib/audit/events";
import type { AuditEventInput } from "@/lib/audit/record";
import { ApiError, badRequest } from "@/lib/http/errors";

export const MAX_EVENTS_PER_REQUEST = 1000;
/** How far ahead of the server's clock an event's timestamp may be. */
export const MAX_CLOCK_SKEW_MS = 5 * 60_000;
/** Deeper JSON is refused: the writer and jsonb both walk it recursively. */
const MAX_JSON_DEPTH = 32;
/** Field errors in one answer; a batch of 1000 bad events would otherwise answer megabytes. */
const MAX_DETAILS = 1000;

const JSON_TYPE = /^application\/([\w.+-]+\+)?json\b/i;
const NDJSON_TYPE = /^application\/(x-ndjson|ndjson|jsonl)\b/i;

function depthWithin(value: unknown, remaining: number): boolean {
  if (value === null || typeof value !== "object") return true;
  if (remaining === 0) return false;
  return Object.values(value).every((item) => depthWithin(item, remaining - 1));
}

const text = (max: number) => z.string({ error: "must be a string" }).max(max, `must be at most ${max} characters`).nullish();
const jsonObject = z
  .record(z.string(), z.unknown(), { error: "must be a JSON object" })
  .refine((value) => depthWithin(value, MAX_JSON_DEPTH), `must not be nested more than ${MAX_JSON_DEPTH} levels deep`)
  .nullish();
const labels = z
  .array(z.string().min(1, "must not be empty").max(100, "must be at most 100 characters"), { error: "must be an array of strings" })
  .max(50, "must hold at most 50 items")
  .nullish();

export const ingestEventSchema = z.strictObject({
  event_type: z
    .string({ error: (issue) => (issue.input === undefined ? "is required" : "must be a string") })
    .refine((v) => isEventType(v) || isCustomEventType(v), "must be a catalog event type or custom.<namespace>.<name>"),
  severity: z.enum(SEVERITY_VALUES, { error: `must be one of ${SEVERITY_VALUES.join(", ")}` }).optional(),
  success: z.boolean({ error: "must be true or false" }).optional(),
  description: text(2000),
  user_id: text(255),
  username: text(255),
  session_id: text(255),
  ip_address: text(64),
  user_agent: text(512),
  resource_type: text(100),
  resource_id: text(255),
  namespace: text(255),
  action: text(100),
  error_message: text(4000),
  request_method: text(16),
  request_path: text(2048),
  status_code: z
    .number({ error: "must be a number" })
    .int("must be a whole number")
    .min(100, "must be at least 100")
    .max(599, "must be at most 599")
    .nullish(),
  before_state: jsonObject,
  after_state: jsonObject,
  request_params: jsonObject,
  metadata: jsonObject,
  tags: labels,
  compliance_tags: labels,
  timestamp: z.iso
    .datetime({ offset: true, error: "must be an ISO 8601 date-time with a time zone (such as 2025-01-31T12:00:00Z)" })
    .transform((v) => new Date(v))
    .refine((d) => d.getTime() <= Date.now() + MAX_CLOCK_SKEW_MS, "must not be more than 5 minutes in the future")
    .optional(),
}, { error: "must be a JSON object (an event)" });

export type IngestEvent = z.output<typeof ingestEventSchema>;

/** A validated event as the audit writer takes it. */
export function toAuditEvent(event: IngestEvent): AuditEventInput {
  return {
    eventType: event.event_type as AuditEventInput["eventType"],
    severity: event.severity,
    success: event.success,
    description: event.description,
    userId: event.user_id,
    username: event.username,
    sessionId: event.session_id,
    ipAddress: event.ip_address,
    userAgent: event.user_agent,
    resourceType: event.resource_type,
    resourceId: event.resource_id,
    namespace: event.namespace,
    action: event.action,
    errorMessage: event.error_message,
    requestMethod: event.request_method,
    requestPath: event.request_path,
    statusCode: event.status_code,
    beforeState: event.before_state,
    afterState: event.after_state,
    requestParams: event.request_params,
    metadata: event.metadata,
    tags: event.tags,
    complianceTags: event.compliance_tags,
    timestamp: event.timestamp,
  };
}

export interface EventError {
  location: "body";
  /** Position of the event in the request, from 0. */
  index: number;
  /** NDJSON only: the line of the event, from 1. */
  line?: number;
  field: string;
  message: string;
}

function eventErrors(index: number, line: number | undefined, error: z.ZodError): EventError[] {
  return error.issues.flatMap((issue) => {
    const at = { location: "body" as const, index, ...(line === undefined ? {} : { line }) };
    if (issue.code === "unrecognized_keys") {
      return issue.keys.map((key) => ({ ...at, field: key, message: "is not a field of an event" }));
    }
    return [{ ...at, field: issue.path.map(String).join(".") || "(root)", message: issue.message }];
  });
}

const countError = (count: number) =>
  new ApiError(422, "validation_failed", "Request validation failed", [
    {
      location: "body",
      field: "(root)",
      message:
        count === 0
          ? "must hold at least one event"
          : `must hold at most ${MAX_EVENTS_PER_REQUEST} events (this request has ${count})`,
    },
  ]);

function parseJson(text: string, where: string): unknown {
  try {
    return JSON.parse(text);
  } catch (error) {
    throw badRequest(`Malformed JSON${where}: ${error instanceof Error ? error.message : "cannot parse"}`);
  }
}

/** The raw items of a body with, for NDJSON, the line each came from. */
function bodyItems(contentType: string, text: string): { value: unknown; line?: number }[] {
  if (NDJSON_TYPE.test(contentType)) {
    const lines = text
      .split("\n")
      .map((content, i) => ({ content, line: i + 1 }))
      .filter(({ content }) => content.trim() !== "");
    if (lines.length === 0 || lines.length > MAX_EVENTS_PER_REQUEST) throw countError(lines.length);
    return lines.map(({ content, line }) => ({ value: parseJson(content, ` on line ${line}`), line }));
  }
  if (!JSON_TYPE.test(contentType)) {
    throw new ApiError(
      415,
      "unsupported_media_type",
      "Request body must be JSON (Content-Type: application/json) or NDJSON (Content-Type: application/x-ndjson)",
    );
  }
  if (text.trim() === "") throw badRequest("Request body is empty; send an event, an array of events, or NDJSON");
  const parsed = parseJson(text, "");
  if (Array.isArray(parsed)) {
    if (parsed.length === 0 || parsed.length > MAX_EVENTS_PER_REQUEST) throw countError(parsed.length);
    return parsed.map((value) => ({ value }));
  }
  if (typeof parsed !== "object" || parsed === null) {
    throw badRequest("Request body must be an event (a JSON object) or an array of events");
  }
  return [{ value: parsed }];
}

/**
 * Parses and validates every event of a body. Any invalid event makes the whole request a 422
 * naming each bad event by index, so that a batch is stored whole or not at all.
 */
export function parseIngestBody(contentType: string | null, text: string): AuditEventInput[] {
  const items = bodyItems(contentType ?? "", text);
  const events: AuditEventInput[] = [];
  const errors: EventError[] = [];
  let invalid = 0;
  items.forEach(({ value, line }, index) => {
    const result = ingestEventSchema.safeParse(value);
    if (result.success) {
      events.push(toAuditEvent(result.data));
    } else {
      invalid += 1;
      errors.push(...eventErrors(index, line, result.error));
    }
  });
  if (invalid > 0) {
    throw new ApiError(
      422,
      "validation_failed",
      `Request validation failed: ${invalid} of ${items.length} events ${invalid === 1 ? "is" : "are"} invalid; nothing was stored`,
      errors.slice(0, MAX_DETAILS),
    );
  }
  return events;
}

const IDEMPOTENCY_KEY = /^[\x20-\x7e]{1,200}$/;

/** The Idempotency-Key header: 1–200 printable ASCII characters, or absent. */
export function parseIdempotencyKey(header: string | null): string | undefined {
  if (header === null) return undefined;
  if (!IDEMPOTENCY_KEY.test(header)) {
    throw new ApiError(422, "validation_failed", "Request validation failed", [
      { location: "header", field: "Idempotency-Key", message: "must be 1-200 printable ASCII characters" },
    ]);
  }
  return header;
}
