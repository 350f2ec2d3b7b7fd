// Seeds audit_logs with N realistic events for the benchmark: rows are built by the real writer
// (buildAuditRow: leaf hash, personal digest, writer MAC), streamed in with COPY one batch per
// transaction, sealed into the Merkle tree batch by batch, and rolled up for statistics — so the
// seeded log verifies, and the server starts on a log in the state a busy one would be in.
import { randomInt } from "node:crypto";
import type { Sql } from "postgres";
import { EVENT_TYPES, type EventType } from "@/lib/audit/events";
import { sealPendingEvents } from "@/lib/audit/integrity";
import { buildAuditRow, type AuditEventInput } from "@/lib/audit/record";
import { rollUpAuditSummaries } from "@/lib/audit/stats";
import type { Database } from "@/lib/db/client";
import type { auditLogs } from "@/lib/db/schema";
import { Progress } from "./progress";

export const SEED_USERS = 1000;
/** Seeded memory events name memories 1 to SEED_MEMORY_IDS − 1; new memories take ids after them. */
const SEED_MEMORY_IDS = 2_000_000;
const DAY_MS = 86_400_000;
export const SEED_DAYS = 90;
const BATCH = 20_000;

// What a busy service writes: mostly memory traffic and logins, a tail of everything else.
const COMMON: [EventType, number][] = [
  ["memory.created", 30],
  ["memory.retrieved", 25],
  ["memory.updated", 10],
  ["memory.searched", 8],
  ["auth.login.success", 8],
  ["memory.deleted", 4],
  ["auth.login.failed", 3],
  ["auth.logout", 3],
  ["cluster.updated", 2],
];
const WEIGHTED: EventType[] = [
  ...COMMON.flatMap(([type, weight]) => Array<EventType>(weight).fill(type)),
  ...EVENT_TYPES.map((e) => e.value).filter((v) => !v.startsWith("custom")),
];

const COPY_COLUMNS = [
  "event_type", "severity", "description", "user_id", "username", "session_id", "ip_address", "user_agent",
  "resource_type", "resource_id", "namespace", "action", "before_state", "after_state", "request_method",
  "request_path", "request_params", "success", "error_message", "status_code", "metadata", "tags",
  "compliance_tags", "retention_policy", "timestamp", "leaf_hash", "writer_mac", "personal_digest", "personal_salt",
] as const;

/** What every seeded user id starts with; the ingest baseline (run.ts) builds the same ids in SQL. */
export const SEED_USER_PREFIX = "bench-user-";
export const seedUserId = (n: number) => `${SEED_USER_PREFIX}${n}`;

/** One event at `timestamp`, of a weighted-random type, by one of SEED_USERS users. */
export function seedEvent(timestamp: Date): AuditEventInput {
  const eventType = WEIGHTED[randomInt(WEIGHTED.length)]!;
  const user = randomInt(SEED_USERS);
  const failed = eventType === "auth.login.failed" || randomInt(100) < 3;
  const isMemory = eventType.startsWith("memory.");
  const resourceId = isMemory ? String(randomInt(1, SEED_MEMORY_IDS)) : eventType.startsWith("cluster.") ? `cl-${randomInt(5000)}` : seedUserId(user);
  return {
    eventType,
    userId: seedUserId(user),
    username: `user${user}`,
    sessionId: `s-${user}-${randomInt(50)}`,
    ipAddress: `10.${user % 256}.${randomInt(256)}.${randomInt(1, 255)}`,
    userAgent: "memoric-bench/1.0 (agent)",
    resourceType: isMemory ? "memory" : eventType.split(".")[0],
    resourceId,
    namespace: `ns-${user % 20}`,
    action: eventType.split(".").at(-1),
    requestMethod: isMemory ? "POST" : "GET",
    requestPath: isMemory ? `/memories/${resourceId}` : `/${eventType.split(".")[0]}`,
    success: !failed,
    statusCode: failed ? 401 : 200,
    errorMessage: failed ? "Invalid username or password" : null,
    metadata: isMemory ? { content_preview: `note ${resourceId} about project ${randomInt(300)}`, tier: "short_term" } : null,
    timestamp,
  };
}

/** A value in PostgreSQL's COPY text format. */
function copyValue(value: unknown): string {
  if (value === null || value === undefined) return "\\N";
  const text =
    value instanceof Date ? value.toISOString() : typeof value === "boolean" ? (value ? "t" : "f") : typeof value === "object" ? JSON.stringify(value) : String(value);
  return text.replace(/[\\\n\r\t]/g, (c) => ({ "\\": "\\\\", "\n": "\\n", "\r": "\\r", "\t": "\\t" })[c]!);
}

const columnValue: Record<(typeof COPY_COLUMNS)[number], (r: typeof auditLogs.$inferInsert) => unknown> = {
  event_type: (r) => r.eventType, severity: (r) => r.severity, description: (r) => r.description, user_id: (r) => r.userId,
  username: (r) => r.username, session_id: (r) => r.sessionId, ip_address: (r) => r.ipAddress, user_agent: (r) => r.userAgent,
  resource_type: (r) => r.resourceType, resource_id: (r) => r.resourceId, namespace: (r) => r.namespace, action: (r) => r.action,
  before_state: (r) => r.beforeState, after_state: (r) => r.afterState, request_method: (r) => r.requestMethod,
  request_path: (r) => r.requestPath, request_params: (r) => r.requestParams, success: (r) => r.success,
  error_message: (r) => r.errorMessage, status_code: (r) => r.statusCode, metadata: (r) => r.metadata, tags: (r) => r.tags,
  compliance_tags: (r) => r.complianceTags, retention_policy: (r) => r.retentionPolicy, timestamp: (r) => r.timestamp,
  leaf_hash: (r) => r.leafHash, writer_mac: (r) => r.writerMac, personal_digest: (r) => r.personalDigest, personal_salt: (r) => r.personalSalt,
};

export function copyLine(row: typeof auditLogs.$inferInsert): string {
  return `${COPY_COLUMNS.map((c) => copyValue(columnValue[c](row))).join("\t")}\n`;
}

/**
 * Seeds `count` events spread over the last SEED_DAYS days, oldest first (ids follow time, as in a
 * real log). `sql` is a postgres.js client for COPY; `db` the drizzle database on the same server.
 */
export async function seedAuditLog(sql: Sql, db: Database, count: number): Promise<{ seconds: number }> {
  const started = performance.now();
  const end = Date.now() - 60_000;
  const start = end - SEED_DAYS * DAY_MS;
  const progress = new Progress("seed", count, "events");
  for (let done = 0; done < count; done += BATCH) {
    const size = Math.min(BATCH, count - done);
    const lines: string[] = [];
    for (let i = 0; i < size; i++) {
      const at = new Date(start + Math.floor(((done + i) / count) * (end - start)));
      lines.push(copyLine(buildAuditRow(seedEvent(at))));
    }
    const writable = await sql`copy audit_logs (${sql.unsafe(COPY_COLUMNS.join(", "))}) from stdin`.writable();
    await new Promise<void>((resolve, reject) => {
      writable.on("error", reject);
      writable.on("finish", resolve);
      writable.end(lines.join(""));
    });
    await sealPendingEvents(db);
    progress.update(done + size);
  }
  progress.done();
  const rollUp = new Progress("roll up statistics", 1, "step");
  await rollUpAuditSummaries(db);
  rollUp.done();
  return { seconds: (performance.now() - started) / 1000 };
}

/**
 * Sets `memories`' id sequence past the seeded events' memory ids, as a log of that size would find
 * it: a new memory's events then name an id no earlier event named, whose entries go next to the
 * newest memories' in the resource index. From id 1 they went to a different page of that index for
 * each memory (text order puts "1234" between "1233999" and "12340"), one a page PostgreSQL had to
 * read and write back at 10M events (0.23 of the 0.57 blocks a POST read with audit on).
 * Never moves the sequence back, so a reused database keeps counting from where it is.
 */
export async function continueMemoryIds(sql: Sql): Promise<void> {
  await sql`select setval(pg_get_serial_sequence('memories', 'id'), greatest(${SEED_MEMORY_IDS}, (select coalesce(max(id), 0) from memories)))`;
}
