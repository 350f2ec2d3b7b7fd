// The database schema. drizzle-kit generates the migrations in drizzle/ from this file; the
// same SQL runs on embedded PGlite and on a PostgreSQL server.
import { sql, type SQL } from "drizzle-orm";
import {
  bigint,
  boolean,
  customType,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  text,
  timestamp,
  uniqueIndex,
} from "drizzle-orm/pg-core";

const tsvector = customType<{ data: string }>({ dataType: () => "tsvector" });
/** Text compared byte by byte (collation "C"), whatever the database's collation: prefixes are ranges. */
const byteOrderedText = customType<{ data: string }>({ dataType: () => 'text COLLATE "C"' });

const createdAt = () => timestamp("created_at", { withTimezone: true }).notNull().defaultNow();

export const users = pgTable("users", {
  id: text("id").primaryKey(),
  username: text("username").notNull().unique(),
  email: text("email").notNull().unique(),
  passwordHash: text("password_hash").notNull(),
  fullName: text("full_name"),
  namespace: text("namespace"),
  roles: jsonb("roles").$type<string[]>().notNull().default(["user"]),
  isActive: boolean("is_active").notNull().default(true),
  isVerified: boolean("is_verified").notNull().default(false),
  createdAt: createdAt(),
  updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
  lastLoginAt: timestamp("last_login_at", { withTimezone: true }),
});

export const revokedTokens = pgTable(
  "revoked_tokens",
  {
    jti: text("jti").primaryKey(),
    userId: text("user_id"),
    expiresAt: timestamp("expires_at", { withTimezone: true }).notNull(),
    revokedAt: timestamp("revoked_at", { withTimezone: true }).notNull().defaultNow(),
  },
  // Lets a clean-up job drop entries whose token would have expired anyway.
  (t) => [index("revoked_tokens_expires_at_idx").on(t.expiresAt)],
);

export const memories = pgTable(
  "memories",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    userId: text("user_id").notNull(),
    namespace: text("namespace"),
    threadId: text("thread_id"),
    content: text("content").notNull(),
    tier: text("tier").notNull().default("short_term"),
    score: integer("score").notNull().default(50),
    metadata: jsonb("metadata").$type<Record<string, unknown>>().notNull().default({}),
    summarized: boolean("summarized").notNull().default(false),
    createdAt: createdAt(),
    updatedAt: timestamp("updated_at", { withTimezone: true }).notNull().defaultNow(),
    search: tsvector("search").generatedAlwaysAs((): SQL => sql`to_tsvector('english', ${memories.content})`),
  },
  (t) => [
    // GET /memories lists a user's memories newest first (then by id), optionally within a thread:
    // both read in that order and stop at the page (memoryList in lib/memories/service.ts).
    index("memories_user_created_id_idx").on(t.userId, t.createdAt.desc(), t.id.desc()),
    index("memories_user_thread_created_id_idx").on(t.userId, t.threadId, t.createdAt.desc(), t.id.desc()),
    index("memories_search_idx").using("gin", t.search),
  ],
);

export const memoryClusters = pgTable(
  "memory_clusters",
  {
    clusterId: text("cluster_id").primaryKey(),
    userId: text("user_id").notNull(),
    topic: text("topic").notNull(),
    category: text("category").notNull().default("general"),
    memoryIds: jsonb("memory_ids").$type<number[]>().notNull().default([]),
    memoryCount: integer("memory_count").notNull().default(0),
    summary: text("summary"),
    createdAt: createdAt(),
    lastBuiltAt: timestamp("last_built_at", { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [uniqueIndex("memory_clusters_user_topic_category_idx").on(t.userId, t.topic, t.category)],
);

/**
 * The text `q` searches in audit logs: the words of description, error message, username and
 * resource id, each stored with the UTC day of its event as `~<day>~<word>` (day = days since
 * 2000-01-01; audit_search_document, a function migration 0010 creates). A search over a time range
 * then asks the GIN index for the words of those days only, so it reads the matches of the range
 * and not every match in the log (each match read costs a table row to count and order it). The
 * expression index below is only used when a query repeats this expression exactly, so queries
 * import it from here.
 */
export const auditSearchDocument = sql.raw(`audit_search_document(description, error_message, username, resource_id, "timestamp")`);

/**
 * The audit log. Append-only: a migration adds triggers that refuse UPDATE, DELETE and TRUNCATE.
 *
 * Indexes follow the queries admins run, not one per column (each extra index slows every insert:
 * eight single-column indexes cut PostgreSQL's bulk insert rate from about 65k to 20k rows/s):
 * - (timestamp): the unfiltered explorer, time ranges, exports and the newest-first order of all queries;
 * - (user_id, timestamp): user activity and the timeline;
 * - (username, timestamp), (ip_address, timestamp), (session_id, timestamp): "everything this
 *   person / address / token did", the forensic filters; over a long range the time index would
 *   read every event of the range for the few that match, and PostgreSQL scans the whole table;
 * - (event_type, timestamp): "failed logins in the last 24 h" and the faceted type filter;
 * - (resource_type, resource_id, timestamp): the history of one memory or cluster;
 * - a GIN index on the text `q` searches (words of description, error message, username and resource id, by day);
 * - a partial (timestamp) index over security events (warning+ or failed), a small slice of the log;
 * - (tx_id): the statistics roll-up reads the events of transactions that finished since its last run.
 * Namespace and severity (low cardinality; warning and above use the security index) combine with
 * the time range and ride on the time index. The indexes hold timestamp DESC NULLS LAST, so queries
 * order by `timestamp desc nulls last` (see queryAuditLogs) for a page to stop after its rows.
 * lib/audit/query-plans.test.ts fails when a hot query reads audit_logs with a sequential scan.
 */
export const auditLogs = pgTable(
  "audit_logs",
  {
    id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
    eventType: text("event_type").notNull(),
    severity: text("severity").notNull().default("info"),
    description: text("description"),
    userId: text("user_id"),
    username: text("username"),
    sessionId: text("session_id"),
    ipAddress: text("ip_address"),
    userAgent: text("user_agent"),
    resourceType: text("resource_type"),
    resourceId: text("resource_id"),
    namespace: text("namespace"),
    action: text("action"),
    beforeState: jsonb("before_state").$type<Record<string, unknown>>(),
    afterState: jsonb("after_state").$type<Record<string, unknown>>(),
    requestMethod: text("request_method"),
    requestPath: text("request_path"),
    requestParams: jsonb("request_params").$type<Record<string, unknown>>(),
    success: boolean("success").notNull().default(true),
    errorMessage: text("error_message"),
    statusCode: integer("status_code"),
    metadata: jsonb("metadata").$type<Record<string, unknown>>(),
    tags: jsonb("tags").$type<string[]>(),
    complianceTags: jsonb("compliance_tags").$type<string[]>(),
    retentionPolicy: text("retention_policy").notNull().default("standard"),
    timestamp: timestamp("timestamp", { withTimezone: true }).notNull(),
    // SHA-256 over the canonical JSON of every column above except id: the row's content hash.
    leafHash: text("leaf_hash").notNull(),
    // HMAC of the leaf hash with the server's audit key: a row written around the server lacks it.
    writerMac: text("writer_mac"),
    // Personal data (username, session, ip, user agent, states, params, error text, metadata) enters
    // the leaf hash only through this digest, salted per event, so erasing the data (and the salt)
    // leaves the leaf, the tree and every checkpoint valid.
    personalDigest: text("personal_digest").notNull().default(""),
    personalSalt: text("personal_salt"),
    erasedAt: timestamp("erased_at", { withTimezone: true }),
    // The writing transaction's id: the roll-up uses it to know which events have committed.
    txId: bigint("tx_id", { mode: "number" })
      .notNull()
      .default(sql`(pg_current_xact_id()::text::bigint)`),
  },
  (t) => [
    index("audit_logs_timestamp_idx").on(t.timestamp.desc()),
    index("audit_logs_user_timestamp_idx").on(t.userId, t.timestamp.desc()),
    index("audit_logs_username_timestamp_idx").on(t.username, t.timestamp.desc()),
    index("audit_logs_ip_address_timestamp_idx").on(t.ipAddress, t.timestamp.desc()),
    index("audit_logs_session_timestamp_idx").on(t.sessionId, t.timestamp.desc()),
    // With id, a page of one event type is read from this index alone (see queryAuditLogs).
    index("audit_logs_event_type_timestamp_idx").on(t.eventType, t.timestamp.desc(), t.id.desc()),
    index("audit_logs_resource_timestamp_idx").on(t.resourceType, t.resourceId, t.timestamp.desc()),
    // A small pending list: GIN queues new entries there until it reaches the limit (4 MB, ~500
    // pages, by default) and every search reads all of it: 38 pending pages made a 30-day search
    // on 1M events 15.5 ms instead of 12.5, and 21 pages still 9.3 ms instead of 6.5. 64 kB is
    // PostgreSQL's minimum (at most 8 pages); inserts measured within this machine's noise (drizzle/0011).
    index("audit_logs_search_idx").using("gin", auditSearchDocument).with({ gin_pending_list_limit: 64 }),
    index("audit_logs_security_timestamp_idx")
      .on(t.timestamp.desc())
      .where(sql`severity in ('warning', 'error', 'critical') or success = false`),
    // Failed operations only: their count is read from this small index alone (the security
    // index holds warnings too, so counting failures through it read every one of them from the table).
    index("audit_logs_failed_timestamp_idx").on(t.timestamp.desc()).where(sql`success = false`),
    index("audit_logs_tx_id_idx").on(t.txId),
  ],
);

/** A roll-up of counts per event type, severity and outcome, one row per bucket (an hour, a day). */
const typeSummary = <N extends string>(name: N) =>
  pgTable(
    name,
    {
      bucket: timestamp("bucket", { withTimezone: true }).notNull(),
      eventType: text("event_type").notNull(),
      severity: text("severity").notNull(),
      success: boolean("success").notNull(),
      count: bigint("count", { mode: "number" }).notNull(),
    },
    (t) => [primaryKey({ columns: [t.bucket, t.eventType, t.severity, t.success] })],
  );

/** A roll-up of counts per user (events and failures), one row per bucket (an hour, a day, a week). */
const userSummary = <N extends string>(name: N) =>
  pgTable(
    name,
    {
      bucket: timestamp("bucket", { withTimezone: true }).notNull(),
      userId: text("user_id").notNull(),
      username: text("username"),
      total: bigint("total", { mode: "number" }).notNull(),
      failed: bigint("failed", { mode: "number" }).notNull(),
    },
    (t) => [primaryKey({ columns: [t.bucket, t.userId] })],
  );

/**
 * Statistics read these roll-ups instead of the events: counts per event type, severity and
 * outcome per UTC hour and day, and per user per hour, day and week (from Monday). Only the
 * roll-up job writes them, all levels in one statement (never a request), so writers of events
 * never queue on a shared counter row; statistics over months read a row per day or week (and type
 * or user) instead of 24 or 168.
 */
export const auditSummaryHourly = typeSummary("audit_summary_hourly");
export const auditSummaryDaily = typeSummary("audit_summary_daily");
export const auditUserSummaryHourly = userSummary("audit_user_summary_hourly");
export const auditUserSummaryDaily = userSummary("audit_user_summary_daily");
export const auditUserSummaryWeekly = userSummary("audit_user_summary_weekly");

/**
 * The number of events per UTC day (days since 2000-01-01, as in auditSearchDocument) that hold a
 * word of their search document, so a text search over whole days counts its matches from a few
 * rows instead of reading every match (a table row each). `lcp` is the length of the prefix the
 * word shares with the event's previous word in byte order (0 for the first): the words of one
 * event that start with a prefix p are consecutive in that order, so counting only the rows with
 * `lcp < length(p)` counts each event once, however many of its words start with p. The roll-up
 * writes it with the other summaries (audit_search_words, migration 0012, splits the words).
 */
export const auditSummaryWords = pgTable(
  "audit_summary_words",
  {
    day: integer("day").notNull(),
    word: byteOrderedText("word").notNull(),
    lcp: integer("lcp").notNull(),
    count: bigint("count", { mode: "number" }).notNull(),
  },
  (t) => [primaryKey({ columns: [t.day, t.word, t.lcp] })],
);

/**
 * One row (id = 1): every event written by a transaction with id below `rolled_up_before_tx`
 * is counted in the summaries; later ones are still read from audit_logs.
 */
export const auditRollupState = pgTable("audit_rollup_state", {
  id: integer("id").primaryKey(),
  rolledUpBeforeTx: bigint("rolled_up_before_tx", { mode: "number" }).notNull(),
  rolledUpAt: timestamp("rolled_up_at", { withTimezone: true }).notNull().defaultNow(),
});

export type User = typeof users.$inferSelect;
export type Memory = typeof memories.$inferSelect;
export type AuditLogRow = typeof auditLogs.$inferSelect;

/**
 * The sealed order of the log: leaf `seq` (0-based) of the Merkle tree is audit event `log_id`.
 * Only the sealer appends here, in commit order; a trigger refuses UPDATE, DELETE and TRUNCATE.
 */
export const auditSeal = pgTable("audit_seal", {
  seq: bigint("seq", { mode: "number" }).primaryKey(),
  logId: bigint("log_id", { mode: "number" }).notNull().unique(),
  leafHash: text("leaf_hash").notNull(),
  sealedAt: timestamp("sealed_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Hashes of complete (perfect) subtrees above the leaves: node (level, idx) covers leaves [idx·2^level, (idx+1)·2^level). */
export const auditMerkleNodes = pgTable(
  "audit_merkle_nodes",
  {
    level: integer("level").notNull(),
    idx: bigint("idx", { mode: "number" }).notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [primaryKey({ columns: [t.level, t.idx] })],
);

/** The sealer's progress (one row, id = 1): what it has sealed and the right edge of the tree. */
export const auditSealState = pgTable("audit_seal_state", {
  id: integer("id").primaryKey(),
  sealedBeforeTx: bigint("sealed_before_tx", { mode: "number" }).notNull(),
  treeSize: bigint("tree_size", { mode: "number" }).notNull(),
  /** Roots of the perfect subtrees that make up the tree, largest first: [{level, hash}]. */
  frontier: jsonb("frontier").$type<{ level: number; hash: string }[]>().notNull(),
  sealedAt: timestamp("sealed_at", { withTimezone: true }).notNull().defaultNow(),
});

/** Signed checkpoints of the tree (RFC 6962 style signed tree heads), chained to the previous one. */
export const auditCheckpoints = pgTable("audit_checkpoints", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  treeSize: bigint("tree_size", { mode: "number" }).notNull(),
  rootHash: text("root_hash").notNull(),
  createdAt: timestamp("created_at", { withTimezone: true }).notNull(),
  previousId: bigint("previous_id", { mode: "number" }),
  keyId: text("key_id").notNull(),
  /** Ed25519 signature (base64) over the canonical JSON of the fields above. */
  signature: text("signature").notNull(),
  reason: text("reason").notNull(),
});

/** Each run of the integrity check, for the admin integrity page. */
export const auditVerifications = pgTable("audit_verifications", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }).notNull(),
  ok: boolean("ok").notNull(),
  checked: bigint("checked", { mode: "number" }).notNull(),
  sealedThrough: bigint("sealed_through", { mode: "number" }).notNull(),
  firstFailure: jsonb("first_failure").$type<{ id: number | null; reason: string } | null>(),
  triggeredBy: text("triggered_by").notNull(),
});

/** API keys of services that send events to POST /audit/events. Only a hash of the secret is kept. */
export const apiKeys = pgTable("api_keys", {
  id: text("id").primaryKey(),
  name: text("name").notNull(),
  /** The first characters of the key, shown in listings to tell keys apart. */
  prefix: text("prefix").notNull(),
  keyHash: text("key_hash").notNull().unique(),
  scopes: jsonb("scopes").$type<string[]>().notNull(),
  createdBy: text("created_by").notNull(),
  createdAt: createdAt(),
  lastUsedAt: timestamp("last_used_at", { withTimezone: true }),
  revokedAt: timestamp("revoked_at", { withTimezone: true }),
});

/** Answers to ingest requests by Idempotency-Key, so a retried batch is not stored twice. */
export const ingestRequests = pgTable(
  "ingest_requests",
  {
    apiKeyId: text("api_key_id").notNull(),
    idempotencyKey: text("idempotency_key").notNull(),
    requestHash: text("request_hash").notNull(),
    response: jsonb("response").$type<Record<string, unknown>>().notNull(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.apiKeyId, t.idempotencyKey] })],
);

/** Each retention run: what it archived (and where), and the checkpoints around it. */
export const auditRetentionRuns = pgTable("audit_retention_runs", {
  id: bigint("id", { mode: "number" }).primaryKey().generatedAlwaysAsIdentity(),
  startedAt: timestamp("started_at", { withTimezone: true }).notNull(),
  finishedAt: timestamp("finished_at", { withTimezone: true }),
  cutoffs: jsonb("cutoffs").$type<Record<string, string>>().notNull(),
  removed: bigint("removed", { mode: "number" }).notNull().default(0),
  archivePath: text("archive_path"),
  archiveSha256: text("archive_sha256"),
  checkpointId: bigint("checkpoint_id", { mode: "number" }),
});

/** Events removed by retention: their sealed leaves stay in the tree, their rows are gone. */
export const auditRemoved = pgTable(
  "audit_removed",
  {
    logId: bigint("log_id", { mode: "number" }).primaryKey(),
    runId: bigint("run_id", { mode: "number" }).notNull(),
  },
  (t) => [index("audit_removed_run_idx").on(t.runId)],
);
