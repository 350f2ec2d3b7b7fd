// Canonical JSON (RFC 8785 style: sorted keys, no white space, ECMAScript number form) and the
// leaf hash of an audit event, so that the same content always hashes the same on any engine.
import crypto from "node:crypto";

/**
 * JSON.stringify of a string, without its cost for the common string that needs no escape: one
 * without a quote, a backslash, a control character or a surrogate is only quoted. (A loop over
 * the code units takes two thirds of the time of a regular expression test on short strings.)
 */
function jsonString(value: string): string {
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    if (c < 0x20 || c === 0x22 || c === 0x5c || (c >= 0xd800 && c <= 0xdfff)) return JSON.stringify(value);
  }
  return `"${value}"`;
}

export function canonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("canonical JSON has no form for a non-finite number");
      return JSON.stringify(value);
    case "boolean":
      return JSON.stringify(value);
    case "string":
      return jsonString(value);
    case "bigint":
      return value.toString();
    case "object": {
      if (Array.isArray(value)) return `[${value.map(canonicalJson).join(",")}]`;
      // sort() without a comparator orders strings by UTF-16 code units, as `<` does.
      const keys = Object.keys(value).sort();
      let out = "{";
      for (const key of keys) {
        const v = (value as Record<string, unknown>)[key];
        if (v === undefined) continue;
        out += `${out.length > 1 ? "," : ""}${jsonString(key)}:${canonicalJson(v)}`;
      }
      return `${out}}`;
    }
    default:
      throw new TypeError(`canonical JSON has no form for a ${typeof value}`);
  }
}

// crypto.hash (Node 20.12+) hashes in one call, about twice as fast as createHash on short input.
const oneShotHash = typeof crypto.hash === "function" ? crypto.hash : undefined;

export function sha256Hex(text: string): string {
  return oneShotHash ? oneShotHash("sha256", text, "hex") : crypto.createHash("sha256").update(text, "utf8").digest("hex");
}

/**
 * canonicalJson of an object whose keys are among `fields`, with the key order worked out once:
 * the same text, without sorting each object's keys again. A key outside `fields` is not written,
 * so use it only on objects whose shape is known.
 */
function fieldsJson<K extends string>(fields: readonly K[]): (value: Record<K, unknown>) => string {
  const sorted = [...fields].sort();
  const prefixes = sorted.map((key) => `${JSON.stringify(key)}:`);
  return (value) => {
    let out = "{";
    for (let i = 0; i < sorted.length; i++) {
      const v = value[sorted[i]!];
      if (v === undefined) continue;
      out += `${out.length > 1 ? "," : ""}${prefixes[i]}${typeof v === "string" ? jsonString(v) : canonicalJson(v)}`;
    }
    return `${out}}`;
  };
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

/** The fields the leaf hash covers directly, beside personal_digest (which covers PERSONAL_FIELDS). */
export const LEAF_FIELDS = [
  "event_type",
  "severity",
  "description",
  "user_id",
  "resource_type",
  "resource_id",
  "namespace",
  "action",
  "request_method",
  "request_path",
  "success",
  "status_code",
  "tags",
  "compliance_tags",
  "retention_policy",
  "timestamp",
  "personal_digest",
] as const satisfies readonly (keyof AuditLeafContent)[];

// Every field of AuditLeafContent is a leaf field, a personal field or the salt.
const _everyFieldPlaced: [Exclude<keyof AuditLeafContent, (typeof LEAF_FIELDS)[number] | PersonalField | "personal_salt">] extends [never] ? true : never = true;

/** canonicalJson of the personal fields of `content`. */
export const personalJson = fieldsJson(PERSONAL_FIELDS);
/** canonicalJson of the fields the leaf hash covers directly (LEAF_FIELDS). */
export const leafJson = fieldsJson(LEAF_FIELDS);

/** personalDigest from the personal fields' canonical JSON (personalJson). */
export function personalDigestOfJson(salt: string, json: string): string {
  return sha256Hex(`memoric.audit.personal.v1\n${salt}\n${json}`);
}

/** SHA-256 over the salt and the canonical JSON of the personal fields. */
export function personalDigest(salt: string, content: Pick<AuditLeafContent, PersonalField>): string {
  return personalDigestOfJson(salt, personalJson(content));
}

/** auditLeafHashOfKnownFields from the leaf fields' canonical JSON (leafJson). */
export function auditLeafHashOfJson(json: string): string {
  return sha256Hex(`memoric.audit.leaf.v2\n${json}`);
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

/**
 * auditLeafHash of content that has exactly the fields of AuditLeafContent, such as the verifier
 * builds from a row: the same hash without copying the content and sorting its keys. A field
 * outside AuditLeafContent would not be hashed, so content from elsewhere (a bundle) goes
 * through auditLeafHash.
 */
export function auditLeafHashOfKnownFields(content: AuditLeafContent): string {
  return auditLeafHashOfJson(leafJson(content));
}

/** Checks an event's personal data against its digest: null when consistent, else why not. */
export function personalDataProblem(content: AuditLeafContent): string | null {
  if (content.personal_salt === null) {
    return PERSONAL_FIELDS.some((f) => content[f] !== null) ? "personal data present on an erased event" : null;
  }
  return personalDigest(content.personal_salt, content) === content.personal_digest ? null : "personal data changed (digest does not match)";
}
