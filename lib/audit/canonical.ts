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

/**
 * Columns that hold personal data. They enter the leaf hash only through a salted digest, so an
 * erasure can clear them (and the salt) without breaking verification.
 */
export const PERSONAL_FIELDS = [
  "username",
  "session_id",
  "ip_address",
  "user_agent",
  "before_state",
  "after_state",
  "request_params",
  "error_message",
  "metadata",
] as const;

export type PersonalField = (typeof PERSONAL_FIELDS)[number];

/** The content of an audit event, by column name: what a log shows, less its id and hashes. */
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
  /** Digest of the personal fields (see personalDigest). */
  personal_digest: string;
  /** The digest's salt; null once the personal data is erased. */
  personal_salt: string | null;
}

export function personalPart(content: Pick<AuditLeafContent, PersonalField>): Record<PersonalField, unknown> {
  return Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, content[f]])) as Record<PersonalField, unknown>;
}

/** SHA-256 over the salt and the canonical JSON of the personal fields. */
export function personalDigest(salt: string, content: Pick<AuditLeafContent, PersonalField>): string {
  return sha256Hex(`memoric.audit.personal.v1\n${salt}\n${canonicalJson(personalPart(content))}`);
}

/**
 * SHA-256 of the domain-separated canonical JSON of an event's content without its personal
 * fields and salt: those are covered by `personal_digest`, which the leaf does include.
 */
export function auditLeafHash(content: AuditLeafContent): string {
  const covered: Record<string, unknown> = { ...content };
  for (const field of PERSONAL_FIELDS) delete covered[field];
  delete covered.personal_salt;
  return sha256Hex(`memoric.audit.leaf.v2\n${canonicalJson(covered)}`);
}

/** Checks an event's personal data against its digest: null when consistent, else why not. */
export function personalDataProblem(content: AuditLeafContent): string | null {
  if (content.personal_salt === null) {
    return PERSONAL_FIELDS.some((f) => content[f] !== null) ? "personal data present on an erased event" : null;
  }
  return personalDigest(content.personal_salt, content) === content.personal_digest ? null : "personal data changed (digest does not match)";
}
