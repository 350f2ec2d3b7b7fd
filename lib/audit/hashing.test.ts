// The fast paths of verification (canonical JSON of known fields, one-shot hashing, the HMAC by
// its definition, Merkle nodes from kept buffers) must give byte for byte what the general code
// gave before them, or logs written before them would stop verifying.
import { createHash, createHmac, randomBytes } from "node:crypto";
import { describe, expect, it } from "vitest";
import {
  PERSONAL_FIELDS,
  auditLeafHash,
  auditLeafHashOfKnownFields,
  canonicalJson,
  personalDataProblem,
  personalDigest,
  sha256Hex,
  type AuditLeafContent,
} from "./canonical";
import { rowMac, type AuditKeys } from "./keys";
import { appendLeaf, appendSubtree, frontierRoot, innerNodeHash, leafNodeHash, RangeSubtrees, type Frontier } from "./merkle";
import { buildAuditRow } from "./record";

// ----- The code as it was before the fast paths -----
function referenceCanonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  switch (typeof value) {
    case "number":
      if (!Number.isFinite(value)) throw new TypeError("non-finite");
      return JSON.stringify(value);
    case "boolean":
    case "string":
      return JSON.stringify(value);
    case "bigint":
      return value.toString();
    case "object": {
      if (Array.isArray(value)) return `[${value.map(referenceCanonicalJson).join(",")}]`;
      const entries = Object.entries(value as Record<string, unknown>)
        .filter(([, v]) => v !== undefined)
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
      return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${referenceCanonicalJson(v)}`).join(",")}}`;
    }
    default:
      throw new TypeError(typeof value);
  }
}
const referenceSha256 = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
function referenceLeafHash(content: AuditLeafContent): string {
  const covered: Record<string, unknown> = { ...content };
  for (const field of PERSONAL_FIELDS) delete covered[field];
  delete covered.personal_salt;
  return referenceSha256(`memoric.audit.leaf.v2\n${referenceCanonicalJson(covered)}`);
}
const referencePersonalDigest = (salt: string, content: AuditLeafContent) =>
  referenceSha256(`memoric.audit.personal.v1\n${salt}\n${referenceCanonicalJson(Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, content[f]])))}`);
const referenceNode = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest("hex");

// ----- Varied values from a seeded generator, so a failure reproduces -----
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    return state / 2 ** 31;
  };
  const pick = <T>(list: readonly T[]): T => list[Math.floor(next() * list.length)]!;
  const pieces = ["a", "Z", "memory", " ", "é", "ß", "日本", "🦄", "\ud800", "\udfff", "\u202e", "\u2028", "\u2029", "\u007f", '"', "\\", "/", "\n", "\t", "\u0000", "\u001f", "\b", "\f", "\r", "'", "<", "{}"];
  const text = () => Array.from({ length: Math.floor(next() * 6) }, () => pick(pieces)).join("");
  const keys = ["", "a", "B", "b", "10", "9", "é", "🦄", "\ud800", "key\u0000", 'q"', "__proto__", "content", "z", "aa", "a b"];
  const numbers = [0, -0, 0.1, 1e21, 1e-7, -1.5e300, 2 ** 53 + 2, Number.MAX_VALUE, Number.MIN_VALUE, 123456789, -42, 3.14159];
  const value = (depth: number): unknown => {
    const kind = Math.floor(next() * (depth > 2 ? 5 : 8));
    if (kind === 0) return null;
    if (kind === 1) return next() < 0.5;
    if (kind === 2) return pick(numbers);
    if (kind === 3 || kind === 4) return text();
    if (kind === 5) return Array.from({ length: Math.floor(next() * 4) }, () => value(depth + 1));
    if (kind === 6) return new Date(Math.floor(next() * 4e12));
    return object(depth + 1);
  };
  const object = (depth: number): Record<string, unknown> =>
    Object.fromEntries(Array.from({ length: Math.floor(next() * 5) }, () => [pick(keys), next() < 0.1 ? undefined : value(depth)]));
  const maybe = <T>(make: () => T): T | null => (next() < 0.3 ? null : make());
  const content = (): AuditLeafContent => ({
    event_type: pick(["memory.created", "auth.login.failed", "custom.x.y"]),
    severity: pick(["info", "warning", "critical"]),
    description: maybe(text),
    user_id: maybe(text),
    username: maybe(text),
    session_id: maybe(text),
    ip_address: maybe(text),
    user_agent: maybe(text),
    resource_type: maybe(text),
    resource_id: maybe(text),
    namespace: maybe(text),
    action: maybe(text),
    before_state: maybe(() => object(0)),
    after_state: maybe(() => object(0)),
    request_method: maybe(text),
    request_path: maybe(text),
    request_params: maybe(() => object(0)),
    success: next() < 0.8,
    error_message: maybe(text),
    status_code: maybe(() => pick([200, 201, 401, 500, 0, -1])),
    metadata: maybe(() => object(0)),
    tags: maybe(() => Array.from({ length: Math.floor(next() * 3) }, text)),
    compliance_tags: maybe(() => Array.from({ length: Math.floor(next() * 3) }, text)),
    retention_policy: pick(["standard", "security"]),
    timestamp: new Date(Math.floor(next() * 4e12)).toISOString(),
    personal_digest: randomBytes(32).toString("hex"),
    personal_salt: next() < 0.2 ? null : randomBytes(16).toString("hex"),
  });
  return { value, content, next };
}

describe("canonical JSON and leaf hashes", () => {
  it("canonicalJson writes what it wrote before for varied values: unicode, escapes, nesting, 1e21, -0, 0.1", () => {
    const { value } = generator(1);
    for (let i = 0; i < 20_000; i++) {
      const v = value(0);
      expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
    }
    for (const v of [1e21, -0, 0.1, "\ud800", { b: 1, a: [1, { d: undefined, c: null }] }, [undefined], Object.fromEntries([["__proto__", 1]])]) {
      expect(canonicalJson(v)).toBe(referenceCanonicalJson(v));
    }
  });

  it("the leaf hash of known fields, the personal digest and its check equal the general ones over varied contents", () => {
    const { content, next } = generator(2);
    for (let i = 0; i < 5000; i++) {
      const c = content();
      // Fields left undefined are left out by both forms.
      if (next() < 0.1) (c as unknown as Record<string, unknown>)[PERSONAL_FIELDS[i % PERSONAL_FIELDS.length]!] = undefined;
      if (next() < 0.1) (c as unknown as Record<string, unknown>).description = undefined;
      expect(auditLeafHashOfKnownFields(c)).toBe(referenceLeafHash(c));
      expect(auditLeafHash(c)).toBe(referenceLeafHash(c));
      const salt = c.personal_salt ?? "";
      expect(personalDigest(salt, c)).toBe(referencePersonalDigest(salt, c));
      c.personal_digest = next() < 0.5 ? referencePersonalDigest(salt, c) : c.personal_digest;
      const expected =
        c.personal_salt === null
          ? PERSONAL_FIELDS.some((f) => c[f] !== null)
            ? "personal data present on an erased event"
            : null
          : referencePersonalDigest(c.personal_salt, c) === c.personal_digest
            ? null
            : "personal data changed (digest does not match)";
      expect(personalDataProblem(c)).toBe(expected);
    }
  });

  it("rows the writer builds hash as before", () => {
    for (let i = 0; i < 500; i++) {
      const row = buildAuditRow({
        eventType: (["memory.created", "auth.login.failed", "cluster.updated", "custom.bench.event"] as const)[i % 4]!,
        userId: i % 9 ? `user-${i}` : null,
        username: `name ${i} é`,
        sessionId: `s-${i}`,
        ipAddress: `10.0.${i % 256}.1`,
        userAgent: "memoric-test/1.0",
        resourceType: "memory",
        resourceId: i,
        requestMethod: "POST",
        requestPath: `/memories/${i}`,
        success: i % 11 !== 0,
        statusCode: i % 11 ? 200 : 500,
        errorMessage: i % 11 ? null : "failed \u0001",
        metadata: i % 2 ? { n: i, note: `note ${i}`, ratio: i / 7, list: [i, -0, 1e21] } : null,
        timestamp: new Date(Date.UTC(2026, 0, 1) + i * 1234),
        description: i % 7 ? undefined : "quote \" backslash \\ tab \t 🦄 \u202e",
        beforeState: i % 5 ? null : { content: "x".repeat(i), nested: { list: [1, "two", null, true, 1e21, 0.1] } },
        tags: i % 3 ? null : ["b", "a"],
      });
      const content: AuditLeafContent = {
        event_type: row.eventType,
        severity: row.severity!,
        description: row.description ?? null,
        user_id: row.userId ?? null,
        username: row.username ?? null,
        session_id: row.sessionId ?? null,
        ip_address: row.ipAddress ?? null,
        user_agent: row.userAgent ?? null,
        resource_type: row.resourceType ?? null,
        resource_id: row.resourceId ?? null,
        namespace: row.namespace ?? null,
        action: row.action ?? null,
        before_state: row.beforeState ?? null,
        after_state: row.afterState ?? null,
        request_method: row.requestMethod ?? null,
        request_path: row.requestPath ?? null,
        request_params: row.requestParams ?? null,
        success: row.success!,
        error_message: row.errorMessage ?? null,
        status_code: row.statusCode ?? null,
        metadata: row.metadata ?? null,
        tags: row.tags ?? null,
        compliance_tags: row.complianceTags ?? null,
        retention_policy: row.retentionPolicy!,
        timestamp: row.timestamp.toISOString(),
        personal_digest: row.personalDigest!,
        personal_salt: row.personalSalt ?? null,
      };
      expect(row.leafHash).toBe(referenceLeafHash(content));
      expect(auditLeafHashOfKnownFields(content)).toBe(row.leafHash);
      expect(row.personalDigest).toBe(referencePersonalDigest(row.personalSalt!, content));
    }
  });

  it("sha256Hex equals createHash, lone surrogates included", () => {
    const { value } = generator(3);
    for (let i = 0; i < 2000; i++) {
      const text = JSON.stringify(value(0)) ?? "";
      expect(sha256Hex(text)).toBe(referenceSha256(text));
    }
    for (const text of ["", "\ud800", "a\udfffb", "🦄", "x".repeat(100_000)]) expect(sha256Hex(text)).toBe(referenceSha256(text));
  });
});

describe("writer MAC and Merkle nodes", () => {
  it("rowMac equals createHmac for leaf hashes and anything else, with keys of every length", () => {
    const inputs = [
      ...Array.from({ length: 200 }, () => randomBytes(32).toString("hex")),
      randomBytes(32).toString("hex").toUpperCase(),
      "é".repeat(64),
      `${"a".repeat(63)}é`,
      `${"a".repeat(63)}\ud800`,
      "a".repeat(63),
      "a".repeat(65),
      "",
    ];
    for (const length of [32, 1, 63, 64, 65, 100]) {
      const keys = { macKey: randomBytes(length) } as AuditKeys;
      for (const input of inputs) expect(rowMac(input, keys), `key ${length}, ${input}`).toBe(createHmac("sha256", keys.macKey).update(input).digest("hex"));
    }
  });

  it("leaf and inner node hashes equal hashing the decoded hex, malformed hex included", () => {
    const hexes = [
      ...Array.from({ length: 100 }, () => randomBytes(32).toString("hex")),
      randomBytes(32).toString("hex").toUpperCase(),
      `zz${randomBytes(31).toString("hex")}`,
      `${randomBytes(31).toString("hex")}zz`,
      randomBytes(33).toString("hex"),
      randomBytes(31).toString("hex"),
      `${randomBytes(32).toString("hex")}a`,
      "",
    ];
    for (const [i, hex] of hexes.entries()) {
      expect(leafNodeHash(hex)).toBe(referenceNode(Buffer.from([0]), Buffer.from(hex, "hex")));
      const other = hexes[(i * 7 + 3) % hexes.length]!;
      expect(innerNodeHash(hex, other)).toBe(referenceNode(Buffer.from([1]), Buffer.from(hex, "hex"), Buffer.from(other, "hex")));
      expect(innerNodeHash(other, hex)).toBe(referenceNode(Buffer.from([1]), Buffer.from(other, "hex"), Buffer.from(hex, "hex")));
    }
  });

  it("the subtrees of any ranges, joined in turn, make the frontier leaf by leaf appends make", () => {
    // Ranges that start and end anywhere, split at arbitrary points (as batches and checkpoints split them).
    for (const [total, cuts] of [
      [1, [1]],
      [13, [7, 13]],
      [64, [1, 2, 3, 32, 33, 64]],
      [100, [7, 14, 21, 28, 35, 42, 49, 56, 63, 70, 77, 84, 91, 98, 100]],
      [300, [5, 128, 129, 255, 256, 257, 299, 300]],
    ] as const) {
      const leaves = Array.from({ length: total }, (_, i) => leafNodeHash(createHash("sha256").update(String(i)).digest("hex")));
      const expected: Frontier = [];
      const joined: Frontier = [];
      let from = 0;
      for (const cut of cuts) {
        const range = new RangeSubtrees(from);
        for (let i = from; i < cut; i++) {
          appendLeaf(expected, i, leaves[i]!);
          range.push(leaves[i]!);
          // A take in the middle of a range still covers it.
          if (i === from + 2) for (const node of range.take()) appendSubtree(joined, node.level, node.hash);
        }
        const nodes = range.take();
        // Aligned perfect subtrees: never more than two of a level in a range.
        for (const node of nodes) expect(nodes.filter((n) => n.level === node.level).length).toBeLessThanOrEqual(2);
        for (const node of nodes) appendSubtree(joined, node.level, node.hash);
        expect(joined).toEqual(expected);
        expect(frontierRoot(joined)).toBe(frontierRoot(expected));
        from = cut;
      }
    }
  });
});
