// The JSON error contract of API.md: {"error": {"code", "message", "details"?}} with its status.

export interface FieldError {
  location: "body" | "query" | "path";
  field: string;
  message: string;
}

export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly details?: unknown,
    readonly headers: Record<string, string> = {},
    /** Columns for the audit row the failure writes (e.g. the username a throttled login named). */
    readonly auditColumns: Record<string, string | null> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }
}

export const badRequest = (message: string, details?: unknown) => new ApiError(400, "bad_request", message, details);
export const unauthorized = (message = "Authentication required") =>
  new ApiError(401, "unauthorized", message, undefined, { "WWW-Authenticate": 'Bearer realm="memoric"' });
export const forbidden = (message: string) => new ApiError(403, "forbidden", message);
export const notFound = (message: string) => new ApiError(404, "not_found", message);
export const conflict = (message: string) => new ApiError(409, "conflict", message);
export const payloadTooLarge = (limit: number) =>
  new ApiError(413, "payload_too_large", `Request body is larger than ${limit} bytes`);
export const unsupportedMediaType = () =>
  new ApiError(415, "unsupported_media_type", "Request body must be JSON (Content-Type: application/json)");
export const validationFailed = (details: FieldError[]) =>
  new ApiError(422, "validation_failed", "Request validation failed", details);
export const tooManyRequests = (message: string, retryAfterSeconds: number, auditColumns: Record<string, string | null> = {}) =>
  new ApiError(429, "rate_limited", message, { retry_after: retryAfterSeconds }, { "Retry-After": String(retryAfterSeconds) }, auditColumns);
export const serviceUnavailable = () => new ApiError(503, "service_unavailable", "The database is unavailable; try again shortly");

export function errorResponse(error: ApiError): Response {
  const body: { error: { code: string; message: string; details?: unknown } } = {
    error: { code: error.code, message: error.message },
  };
  if (error.details !== undefined) body.error.details = error.details;
  return Response.json(body, { status: error.status, headers: error.headers });
}
