// The one route wrapper: it authenticates (bearer token or Auth.js session), checks the role,
// applies the rate limit, parses path, query and body with zod, maps every error once to the JSON
// error contract, and builds the request context the audit writer records. Handlers then read
// parse → call a lib service → respond.
import { randomUUID } from "node:crypto";
import type { z } from "zod";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvent, type AuditEventInput } from "@/lib/audit/record";
import type { ApiKeyScope } from "@/lib/auth/api-keys";
import { authenticate, type Actor } from "@/lib/auth/authenticate";
import { InvalidCursorError } from "@/lib/audit/query";
import { databaseError, getDb, type Database } from "@/lib/db/client";
import { env } from "@/lib/env";
import {
  ApiError,
  badRequest,
  errorResponse,
  forbidden,
  payloadTooLarge,
  serviceUnavailable,
  tooManyRequests,
  unauthorized,
  unsupportedMediaType,
  validationFailed,
  type FieldError,
} from "./errors";
import { requestContext, type RequestContext } from "./context";
import { requestLimiter } from "./rate-limit";

export const MAX_BODY_BYTES = 1024 * 1024;

type Access = "public" | "authenticated" | "admin";

export interface RouteContext<P, Q, B> {
  request: Request;
  db: Database;
  /** The authenticated user (null only on public routes without credentials). */
  actor: Actor | null;
  params: P;
  query: Q;
  body: B;
  /** ip, user agent, method, path, params and session: spread into audit events. */
  audit: ActorContext;
  context: RequestContext;
}

export interface RouteOptions<P extends z.ZodType, Q extends z.ZodType, B extends z.ZodType> {
  access: Access;
  params?: P;
  query?: Q;
  body?: B;
  /** Resource named in authz.access.denied when this route answers 403. */
  resourceType?: string;
  /**
   * An API key with this scope may call the route in place of `access`. Without it, API keys
   * are refused with 403: they exist only to send events.
   */
  apiKeyScope?: ApiKeyScope;
}

type AuthedContext<P, Q, B, A extends Access> = Omit<RouteContext<P, Q, B>, "actor"> & {
  actor: A extends "public" ? Actor | null : Actor;
};

type NextRouteArgs = { params: Promise<Record<string, string | string[]>> };

function fieldErrors(location: FieldError["location"], error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    location,
    // A query parameter is named alone, even when the issue is with one item of its list.
    field: (location === "body" ? issue.path : issue.path.slice(0, 1)).map(String).join(".") || "(root)",
    message: issue.message,
  }));
}

function parsePart<T extends z.ZodType>(schema: T | undefined, value: unknown, location: FieldError["location"]): z.output<T> {
  if (!schema) return undefined as z.output<T>;
  const result = schema.safeParse(value);
  if (!result.success) throw validationFailed(fieldErrors(location, result.error));
  return result.data;
}

/** Reads a body of at most 1 MiB as text (413 beyond). */
export async function readBodyText(request: Request): Promise<string> {
  const declared = Number(request.headers.get("content-length") ?? "0");
  if (declared > MAX_BODY_BYTES) throw payloadTooLarge(MAX_BODY_BYTES);
  const reader = request.body?.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  if (reader) {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      size += value.byteLength;
      if (size > MAX_BODY_BYTES) {
        await reader.cancel();
        throw payloadTooLarge(MAX_BODY_BYTES);
      }
      chunks.push(value);
    }
  }
  return Buffer.concat(chunks).toString("utf8");
}

/** Reads a JSON object body of at most 1 MiB; an empty body is `{}`. */
async function readJsonBody(request: Request): Promise<unknown> {
  const text = await readBodyText(request);
  if (text.trim() === "") return {};
  const type = request.headers.get("content-type") ?? "";
  if (!/^application\/([\w.+-]+\+)?json\b/i.test(type)) throw unsupportedMediaType();
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (error) {
    throw badRequest(`Malformed JSON: ${error instanceof Error ? error.message : "cannot parse"}`);
  }
  if (typeof parsed !== "object" || parsed === null || Array.isArray(parsed)) {
    throw badRequest("Request body must be a JSON object");
  }
  return parsed;
}

function isUnavailable(error: unknown): boolean {
  const code = databaseError(error)?.code;
  if (code && (code.startsWith("08") || code.startsWith("57P") || code === "3D000" || code === "53300")) return true;
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    const errno = (e as { code?: unknown }).code;
    if (typeof errno === "string" && /^(ECONNREFUSED|ECONNRESET|ETIMEDOUT|CONNECTION_\w+|CONNECT_TIMEOUT)$/.test(errno)) return true;
  }
  return false;
}

/** Maps any thrown value to an ApiError; unexpected ones get an error id. */
function toApiError(error: unknown): { apiError: ApiError; unexpected?: { id: string; error: unknown } } {
  if (error instanceof ApiError) return { apiError: error };
  if (error instanceof InvalidCursorError) {
    return { apiError: validationFailed([{ location: "query", field: "cursor", message: error.message }]) };
  }
  const sqlState = databaseError(error)?.code;
  if (sqlState === "23505") return { apiError: new ApiError(409, "conflict", "Conflicts with an existing record") };
  // Class 22 is a value the database cannot take (a NUL character, a number out of range): the
  // client's input, so a 4xx, and the failed statement changed nothing.
  if (sqlState?.startsWith("22")) {
    return { apiError: new ApiError(422, "validation_failed", "Request contains a value that cannot be stored (such as a NUL character or an out-of-range number)") };
  }
  if (isUnavailable(error)) return { apiError: serviceUnavailable() };
  const id = randomUUID();
  return {
    apiError: new ApiError(500, "internal_error", `Internal server error (error id ${id})`, { error_id: id }),
    unexpected: { id, error },
  };
}

async function recordQuietly(event: AuditEventInput): Promise<void> {
  try {
    await recordAuditEvent(await getDb(), event);
  } catch (error) {
    console.error("[memoric] could not record audit event", event.eventType, error instanceof Error ? error.message : error);
  }
}

/** Audit events for a request that ended in an error, written outside its failed transaction. */
async function recordFailure(
  apiError: ApiError,
  unexpected: { id: string; error: unknown } | undefined,
  audit: ActorContext,
  resourceType: string | undefined,
  resourceId: string | undefined,
): Promise<void> {
  const common = { ...audit, ...apiError.auditColumns, statusCode: apiError.status, success: false, errorMessage: apiError.message };
  if (apiError.status === 403) {
    await recordQuietly({ ...common, eventType: "authz.access.denied", resourceType, resourceId, action: audit.requestMethod });
  } else if (apiError.status === 429) {
    await recordQuietly({ ...common, eventType: "security.rate_limit.exceeded", metadata: { limit: apiError.details } });
  } else if (unexpected) {
    const { error } = unexpected;
    console.error(`[memoric] error ${unexpected.id} on ${audit.requestMethod} ${audit.requestPath}:`, error);
    await recordQuietly({
      ...common,
      eventType: "system.error",
      errorMessage: `Unexpected ${error instanceof Error ? error.name : "error"} (error id ${unexpected.id})`,
      metadata: { error_id: unexpected.id },
    });
  }
}

/** Builds a Next.js route handler from options and a handler body. */
export function apiRoute<
  A extends Access,
  P extends z.ZodType = z.ZodUndefined,
  Q extends z.ZodType = z.ZodUndefined,
  B extends z.ZodType = z.ZodUndefined,
>(
  options: RouteOptions<P, Q, B> & { access: A },
  handler: (ctx: AuthedContext<z.output<P>, z.output<Q>, z.output<B>, A>) => Promise<Response | object>,
): (request: Request, args: NextRouteArgs) => Promise<Response> {
  return async (request, args) => {
    const context = requestContext(request);
    let audit: ActorContext = context.audit;
    let rawParams: Record<string, string> = {};
    try {
      const routeParams = (await args?.params) ?? {};
      rawParams = Object.fromEntries(
        Object.entries(routeParams).map(([k, v]) => [k, Array.isArray(v) ? v.join("/") : v]),
      );
      const db = await getDb();
      const actor = await authenticate(db, request, context);
      if (actor) audit = { ...audit, userId: actor.userId, username: actor.username, sessionId: actor.sessionId };

      const limit = env().MEMORIC_RATE_LIMIT_PER_MINUTE;
      if (limit > 0) {
        const key = actor?.apiKey ? `api_key:${actor.apiKey.id}` : actor ? `user:${actor.userId}` : `ip:${context.ipAddress ?? "unknown"}`;
        const verdict = requestLimiter.hit(key, limit);
        if (!verdict.allowed) {
          throw tooManyRequests(`Rate limit of ${limit} requests per minute exceeded`, verdict.retryAfterSeconds);
        }
      }

      if (actor?.apiKey) {
        const scope = options.apiKeyScope;
        if (!scope) throw forbidden("API keys may only send events");
        if (!actor.apiKey.scopes.includes(scope)) throw forbidden(`API key lacks the ${scope} scope`);
      } else {
        if (options.access !== "public" && !actor) throw unauthorized();
        if (options.access === "admin" && !actor?.isAdmin) throw forbidden("Admin access required");
      }

      const params = parsePart(options.params, rawParams, "path");
      const query = parsePart(options.query, context.query, "query");
      const body = options.body ? parsePart(options.body, await readJsonBody(request), "body") : undefined;

      const result = await handler({
        request,
        db,
        actor: actor as AuthedContext<z.output<P>, z.output<Q>, z.output<B>, A>["actor"],
        params,
        query,
        body: body as z.output<B>,
        audit,
        context,
      });
      return result instanceof Response ? result : Response.json(result);
    } catch (error) {
      const { apiError, unexpected } = toApiError(error);
      const resourceId = Object.values(rawParams)[0];
      await recordFailure(apiError, unexpected, audit, options.resourceType, resourceId);
      return errorResponse(apiError);
    }
  };
}

/** A JSON response with a status other than 200. */
export function json(data: unknown, status: number, headers: Record<string, string> = {}): Response {
  return Response.json(data, { status, headers });
}

export const noContent = () => new Response(null, { status: 204 });

/** Handlers for the methods a path does not offer: 405 with Allow, as JSON. */
export function methodNotAllowed(allowed: string[]) {
  const answer = () =>
    Promise.resolve(
      Response.json(
        { error: { code: "method_not_allowed", message: `Method not allowed; use ${allowed.join(", ")}` } },
        { status: 405, headers: { Allow: allowed.join(", ") } },
      ),
    );
  return { GET: answer, POST: answer, PUT: answer, PATCH: answer, DELETE: answer };
}
