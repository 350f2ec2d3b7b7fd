// Canonical JSON (RFC 8785 style: sorted keys, no white space, ECMAScript number form) and the
// leaf hash of an audit event, so that the same content always hashes the same on any engine.
import { createHash } from "node:crypto";

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON has no form for a non-finite number");
      return JSON.stringify(value);
    case "boolean":
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
}

export function sha256Hex(text: string): string {
  return createHash("sha256").update(text, "utf8").digest("hex");
}

/** The columns of an audit event that its leaf hash covers, by their column names. */
export interface AuditLeafContent {
  event_type: string;
  severity: string;
  description: string | null;
  user_id: string | null;
  username: string | null;
  session_id: string | null;
  ip_address: string | null;
  user_agent: string | null;
  resource_type: string | null;
  resource_id: string | null;
  namespace: string | null;
  action: string | null;
  before_state: Record<string, unknown> | null;
  after_state: Record<string, unknown> | null;
  request_method: string | null;
  request_path: string | null;
  request_params: Record<string, unknown> | null;
  success: boolean;
  error_message: string | null;
  status_code: number | null;
  metadata: Record<string, unknown> | null;
  tags: string[] | null;
  compliance_tags: string[] | null;
  retention_policy: string;
  timestamp: string;
}

/** SHA-256 of the domain-separated canonical JSON of an event's content. */
export function auditLeafHash(content: AuditLeafContent): string {
  return sha256Hex(`memoric.audit.leaf.v1\n${canonicalJson(content)}`);
}
