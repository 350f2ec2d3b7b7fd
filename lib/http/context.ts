// What the audit log records about a request: client ip, user agent, method, path and params.
import type { ActorContext } from "@/lib/audit/logger";
import { env } from "@/lib/env";

/** Set by server.mjs from the socket on every request, replacing anything a client sent. */
export const PEER_IP_HEADER = "x-memoric-peer-ip";

export interface RequestContext {
  ipAddress: string | null;
  userAgent: string | null;
  method: string;
  path: string;
  query: Record<string, string>;
  audit: ActorContext;
}

function normalizeIp(ip: string | null | undefined): string | null {
  if (!ip) return null;
  const trimmed = ip.trim();
  return (trimmed.startsWith("::ffff:") ? trimmed.slice(7) : trimmed).slice(0, 64) || null;
}

/** The client's address: from X-Forwarded-For only when MEMORIC_TRUST_PROXY=true. */
export function clientIp(headers: Headers): string | null {
  if (env().MEMORIC_TRUST_PROXY) {
    const forwarded = headers.get("x-forwarded-for")?.split(",")[0];
    if (forwarded?.trim()) return normalizeIp(forwarded);
  }
  return normalizeIp(headers.get(PEER_IP_HEADER));
}

export function requestContext(request: Request): RequestContext {
  const url = new URL(request.url);
  // A repeated key (`?event_type=a&event_type=b`, as an HTML form sends a multi-select) means the
  // list `a,b`, as the admin pages read it; it must not silently keep only the last value.
  const query: Record<string, string> = {};
  for (const [key, value] of url.searchParams) query[key] = key in query ? `${query[key]},${value}` : value;
  const ipAddress = clientIp(request.headers);
  const userAgent = request.headers.get("user-agent")?.slice(0, 512) ?? null;
  return {
    ipAddress,
    userAgent,
    method: request.method,
    path: url.pathname,
    query,
    audit: {
      ipAddress,
      userAgent,
      requestMethod: request.method,
      requestPath: url.pathname,
      requestParams: Object.keys(query).length ? query : null,
    },
  };
}
