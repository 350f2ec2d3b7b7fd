// Checking a batch of sealed leaves, the whole of verification's work per event: reading each
// sealed leaf's row, recomputing its leaf hash, writer MAC and personal digest, and hashing the
// batch's part of the tree. verifyAuditLog (integrity.ts) runs it on its own thread or in worker
// threads (verify-worker.ts); it imports no more than it needs (no settings, no ORM), so that a
// worker starts in a third to a half of the time the whole audit module took (see verify-worker.ts).
import { auditLeafHashOfKnownFields, personalDataProblem, type AuditLeafContent } from "./canonical";
import { leafNodeHash, RangeSubtrees, type Frontier } from "./merkle";
import { writerMac } from "./writer-mac";

/**
 * Runs the statement `text` with `params` and hands each row to `onRow` as its column values in
 * select order, as they arrive (forEachRow in lib/db/client.ts, or a worker's own connection).
 */
export type RowReader = (text: string, params: unknown[], onRow: (values: unknown[]) => void) => Promise<void>;

/**
 * The sealed leaves of [$1, $2) in sealed order, each with its event's columns (null when the
 * row is gone) and the retention run that removed it. The lateral subquery with `limit 1` keeps
 * each lookup a primary-key probe: as a plain join PostgreSQL was seen to pick a parallel plan, or
 * to scan the whole table for every batch, at three to five times the cost. The event's id where
 * its row is gone, and the sealed leaf hash where it differs from the row's, are all that is read
 * of the seal beside its seq: columns cost PostgreSQL and Node alike, every row.
 */
export const SEALED_LEAVES_SQL = `
  select s.seq, case when l.id is null then s.log_id end as missing_log_id,
         nullif(s.leaf_hash, l.leaf_hash) as sealed_leaf_hash_if_other, r.run_id as removed_by,
         l.id, l.event_type, l.severity, l.description, l.user_id, l.username, l.session_id, l.ip_address, l.user_agent,
         l.resource_type, l.resource_id, l.namespace, l.action, l.before_state, l.after_state, l.request_method,
         l.request_path, l.request_params, l.success, l.error_message, l.status_code, l.metadata, l.tags,
         l.compliance_tags, l.retention_policy, l.timestamp, l.leaf_hash, l.writer_mac, l.personal_digest,
         l.personal_salt, l.erased_at
    from audit_seal s
    left join lateral (select * from audit_logs where id = s.log_id limit 1) l on true
    left join audit_removed r on r.log_id = s.log_id
   where s.seq >= $1 and s.seq < $2
   order by s.seq`;

/** A jsonb value as drizzle maps it: a JSON string that itself parses is parsed again. */
function jsonbValue(value: unknown): unknown {
  if (typeof value !== "string") return value;
  try {
    return JSON.parse(value);
  } catch {
    return value;
  }
}

const UTC_TIMESTAMP = /^([1-9]\d{3}-\d\d-\d\d) (\d\d:\d\d:\d\d)(?:\.(\d{1,6}))?\+00$/;

/**
 * A timestamptz as drizzle maps it, in ISO 8601: `new Date(text).toISOString()`, which throws on
 * what is not a date. PostgreSQL's UTC form is rewritten directly (Date parsing costs a
 * microsecond); years before 1000 and other zones take the general path, since the Date parser
 * reads a year like 0050 as 1950.
 */
export function isoTimestamp(value: unknown): string {
  if (value instanceof Date) return value.toISOString();
  const utc = typeof value === "string" ? UTC_TIMESTAMP.exec(value) : null;
  if (utc) return `${utc[1]}T${utc[2]}.${(utc[3] ?? "").padEnd(3, "0").slice(0, 3)}Z`;
  return new Date(value as string).toISOString();
}

/** What verification learns of one sealed leaf on its own: the checks that need no earlier leaf. */
interface SealedLeaf {
  seq: number;
  /** The leaf hash in the seal, which the tree is built from. */
  leafHash: string;
  /** The event's id while its row is present. */
  id: number | null;
  /** Archived and removed by retention: its leaf still counts in the tree. */
  removed: boolean;
  /** Its first failed check, in the order verifyAuditLog has always checked. */
  failure?: { id: number; reason: string };
  /** What reading its content threw: thrown when verification reaches it, as before. */
  error?: { thrown: unknown };
}

/** Checks one row of SEALED_LEAVES_SQL: its content against its leaf hash, the seal, its writer MAC and its personal data. */
function checkSealedLeaf(values: unknown[], macKey: Buffer): SealedLeaf {
  const [
    seq, missingLogId, sealedLeafHashIfOther, removedBy, id, event_type, severity, description, user_id, username, session_id, ip_address,
    user_agent, resource_type, resource_id, namespace, action, before_state, after_state, request_method, request_path,
    request_params, success, error_message, status_code, metadata, tags, compliance_tags, retention_policy, timestamp,
    leafHash, storedMac, personal_digest, personal_salt, erasedAt,
  ] = values;
  const sealedLeafHash = sealedLeafHashIfOther ?? leafHash;
  const leaf: SealedLeaf = { seq: Number(seq), leafHash: sealedLeafHash as string, id: null, removed: false };
  if (id === null) {
    if (removedBy === null) leaf.failure = { id: Number(missingLogId), reason: "event deleted (its sealed leaf has no row)" };
    else leaf.removed = true;
    return leaf;
  }
  leaf.id = Number(id);
  if (removedBy !== null) {
    leaf.failure = { id: leaf.id, reason: "event listed as removed by retention is still present" };
    return leaf;
  }
  try {
    // Every field of AuditLeafContent, and no other (satisfies), from the row's values (as).
    const content = ({
      event_type,
      severity,
      description,
      user_id,
      username,
      session_id,
      ip_address,
      user_agent,
      resource_type,
      resource_id,
      namespace,
      action,
      before_state: jsonbValue(before_state),
      after_state: jsonbValue(after_state),
      request_method,
      request_path,
      request_params: jsonbValue(request_params),
      success,
      error_message,
      status_code,
      metadata: jsonbValue(metadata),
      tags: jsonbValue(tags),
      compliance_tags: jsonbValue(compliance_tags),
      retention_policy,
      timestamp: isoTimestamp(timestamp),
      personal_digest,
      personal_salt,
    } satisfies Record<keyof AuditLeafContent, unknown>) as AuditLeafContent;
    if (erasedAt !== null) isoTimestamp(erasedAt);
    const reason =
      auditLeafHashOfKnownFields(content) !== leafHash
        ? "event content changed (leaf hash does not match its content)"
        : leafHash !== sealedLeafHash
          ? "event replaced or reordered (leaf hash differs from the sealed one)"
          : storedMac !== writerMac(leafHash as string, macKey)
            ? "event not written by this server (writer MAC)"
            : personalDataProblem(content);
    if (reason) leaf.failure = { id: leaf.id, reason };
  } catch (thrown) {
    leaf.error = { thrown };
  }
  return leaf;
}

/** A run of a batch's leaves that ends where a checkpoint's tree ends, or where the batch (or its checking) ends. */
export interface CheckedSegment {
  /** The tree size after its last leaf. */
  end: number;
  /** Its leaves as aligned perfect subtrees (RangeSubtrees), to be joined to the frontier in turn. */
  subtrees: Frontier;
  checked: number;
  removed: number;
  /** The id of its last leaf's event, unless retention removed it: a checkpoint that fails there names it. */
  lastId: number | null;
}

/** What checking a batch of sealed leaves found: its segments up to its first problem, and that problem. */
export interface CheckedBatch {
  segments: CheckedSegment[];
  problem?: { missing: number } | { failure: { id: number; reason: string } } | { thrown: unknown };
}

/**
 * Reads and checks the sealed leaves of [start, end) (checkSealedLeaf) as they arrive, and hashes
 * the tree over them, in segments cut at `cuts`: the checkpoint sizes inside (start, end), ascending. Whoever walks the batches in
 * sealed order then joins a few subtrees a segment instead of hashing every leaf, so that worker
 * threads can do all of a batch's hashing.
 */
export async function checkSealedBatch(read: RowReader, start: number, end: number, cuts: readonly number[], macKey: Buffer): Promise<CheckedBatch> {
  const batch: CheckedBatch = { segments: [] };
  const tree = new RangeSubtrees(start);
  const pendingCuts = [...cuts];
  let segment = { from: start, checked: 0, removed: 0, lastId: null as number | null };
  let expected = start;
  const closeSegment = () => {
    if (expected === segment.from) return;
    batch.segments.push({ end: expected, subtrees: tree.take(), checked: segment.checked, removed: segment.removed, lastId: segment.lastId });
    segment = { from: expected, checked: 0, removed: 0, lastId: null };
  };
  await read(SEALED_LEAVES_SQL, [start, end], (values) => {
    if (batch.problem) return;
    const leaf = checkSealedLeaf(values, macKey);
    if (leaf.seq !== expected) batch.problem = { missing: expected };
    else if (leaf.error) batch.problem = { thrown: leaf.error.thrown };
    else if (leaf.failure) batch.problem = { failure: leaf.failure };
    if (batch.problem) return;
    tree.push(leafNodeHash(leaf.leafHash));
    expected += 1;
    if (leaf.removed) segment.removed += 1;
    else segment.checked += 1;
    segment.lastId = leaf.removed ? null : leaf.id;
    if (expected === pendingCuts[0]) {
      pendingCuts.shift();
      closeSegment();
    }
  });
  if (!batch.problem && expected !== end) batch.problem = { missing: expected };
  closeSegment();
  return batch;
}
