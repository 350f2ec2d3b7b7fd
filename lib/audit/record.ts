// The one audit writer. Services call it inside the transaction of the change it records, or hand
// it the change itself (changeWithAuditEvents), so the change and its audit row commit together or
// not at all.
import { sql, type SQL, type SQLWrapper } from "drizzle-orm";
import { executeOnPostgresJs, genericPlanSessions, insertJsonStatement, queryText, selectRows, type Database } from "@/lib/db/client";
import { auditLogs, type AuditLogRow } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { randomBytes } from "node:crypto";
import {
  auditLeafHashOfJson,
  leafJson,
  LEAF_FIELDS,
  PERSONAL_FIELDS,
  personalDigestOfJson,
  personalJson,
  sha256Hex,
  type AuditLeafContent,
} from "./canonical";
import { rowMac } from "./keys";
import { onePerPool, SharedAuditInsert, SharedStatement, type AssignedIds } from "./shared-insert";
import {
  COMPLIANCE_TAGS_BY_CATEGORY,
  eventDefinition,
  maxSeverity,
  type CustomEventType,
  type EventType,
  type Severity,
} from "./events";

type JsonObject = Record<string, unknown>;

/** What a caller knows of an event; the writer fills in the rest. */
export interface AuditEventInput {
  /** A catalog event, or `custom.<namespace>.<name>` from another service. */
  eventType: EventType | CustomEventType;
  severity?: Severity;
  description?: string | null;
  userId?: string | null;
  username?: string | null;
  sessionId?: string | null;
  ipAddress?: string | null;
  userAgent?: string | null;
  resourceType?: string | null;
  resourceId?: string | number | null;
  namespace?: string | null;
  action?: string | null;
  beforeState?: JsonObject | null;
  afterState?: JsonObject | null;
  requestMethod?: string | null;
  requestPath?: string | null;
  requestParams?: JsonObject | null;
  success?: boolean;
  errorMessage?: string | null;
  statusCode?: number | null;
  metadata?: JsonObject | null;
  tags?: string[] | null;
  /** Added to the tags of the event's category. */
  complianceTags?: string[] | null;
  retentionPolicy?: string | null;
  timestamp?: Date;
}

export interface RecordOptions {
  /** Defaults to MEMORIC_AUDIT_ENABLED. */
  enabled?: boolean;
}

export function isAuditEnabled(): boolean {
  return env().MEMORIC_AUDIT_ENABLED;
}

/**
 * Keys whose values are secrets, removed wherever they appear in a logged object: password,
 * old_password, password_hash, token, access_token, client_secret, api_key, x-api-key,
 * Authorization, Cookie, passwordHash, accessToken… but not token_type or tokens_used.
 */
const SECRET_WORD = "(pass(word|wd|phrase)?|secret|token|api[-_]?key|authorization|cookie|credentials?|private[-_]?key|session[-_]?token)";
const SECRET_KEY = new RegExp(`^([a-z0-9]*[-_])?${SECRET_WORD}([-_]hash)?$`, "i");
const SECRET_CAMEL_KEY = /^([a-z]*(Password|Passwd|Secret|Token|ApiKey|Cookie|Credentials?|PrivateKey)|password|passwd|secret|token)(Hash)?$/;
const testSecretKey = (key: string) => SECRET_KEY.test(key) || SECRET_CAMEL_KEY.test(key) || /^(set-)?cookie$/i.test(key);

// The keys of logged objects are mostly the same few (a memory's, a request's): their answers are
// kept, up to a bound. Three regular expressions a key took ~1 µs of the 13 µs of building the
// row of a created memory.
const secretKeyAnswers = new Map<string, boolean>();
const SECRET_KEY_ANSWERS_KEPT = 10_000;

function isSecretKey(key: string): boolean {
  let answer = secretKeyAnswers.get(key);
  if (answer === undefined) {
    answer = testSecretKey(key);
    if (secretKeyAnswers.size < SECRET_KEY_ANSWERS_KEPT) secretKeyAnswers.set(key, answer);
  }
  return answer;
}

/** Memory content kept in a logged state: the first characters, then only a hash of the rest. */
export const CONTENT_PREVIEW_CHARS = 100;

/** Text PostgreSQL can store: well-formed Unicode without NUL characters. */
function storableText(value: string): string {
  // Testing first is a quarter of the time of rewriting a string that needs nothing, as most do.
  if (value.isWellFormed() && !value.includes("\u0000")) return value;
  return value.toWellFormed().replaceAll("\u0000", "\uFFFD");
}

function optionalText(value: string | number | null | undefined): string | null {
  if (value === null || value === undefined) return null;
  return storableText(String(value));
}

/** A deep copy with secrets removed and every string made storable; drops what JSON cannot hold. */
export function redactSecrets(value: unknown): unknown {
  if (typeof value === "string") return storableText(value);
  if (typeof value === "number") return Number.isFinite(value) ? value : null;
  if (typeof value === "bigint") return value.toString();
  if (value === null || typeof value === "boolean") return value;
  if (value instanceof Date) return value.toISOString();
  if (Array.isArray(value)) return value.map((item) => redactSecrets(item) ?? null);
  if (typeof value === "object") {
    const out: JsonObject = {};
    for (const [key, item] of Object.entries(value as JsonObject)) {
      if (isSecretKey(key)) continue;
      const cleaned = redactSecrets(item);
      if (cleaned !== undefined) out[storableText(key)] = cleaned;
    }
    return out;
  }
  return undefined;
}

function cleanObject(value: JsonObject | null | undefined): JsonObject | null {
  if (!value) return null;
  return redactSecrets(value) as JsonObject;
}

/** A state with secrets removed and memory content cut to a preview plus its SHA-256. */
function cleanState(state: JsonObject | null | undefined): JsonObject | null {
  const cleaned = cleanObject(state);
  if (cleaned && typeof cleaned.content === "string") {
    const content = cleaned.content;
    cleaned.content = content.slice(0, CONTENT_PREVIEW_CHARS);
    cleaned.content_sha256 = sha256Hex(content);
    cleaned.content_length = content.length;
  }
  return cleaned;
}

/** Security-relevant events (by their compliance tags, or critical) are kept for the security period. */
function defaultRetention(complianceTags: string[], severity: Severity): string {
  return complianceTags.includes("security") || severity === "critical" ? "security" : "standard";
}

// Salts come from a pool of random bytes filled 256 salts at a time: one randomBytes call per event
// took a third of the writer's time on batches (as crypto.randomUUID pools its bytes).
const SALT_BYTES = 16;
let saltPool = Buffer.alloc(0);
let saltOffset = 0;

/** 16 random bytes in hex, fresh for each event. */
function personalSalt(): string {
  if (saltOffset + SALT_BYTES > saltPool.length) {
    saltPool = randomBytes(SALT_BYTES * 256);
    saltOffset = 0;
  }
  saltOffset += SALT_BYTES;
  return saltPool.toString("hex", saltOffset - SALT_BYTES, saltOffset);
}

type AuditRowValues = Omit<AuditLogRow, "id" | "txId">;

/** An event ready to store: its row, and the JSON the INSERT carries it in (see auditInsert). */
interface BuiltAuditEvent {
  row: AuditRowValues;
  json: string;
}

/** The row the writer stores for an event: defaults filled, secrets removed, leaf hash computed. */
export function buildAuditRow(event: AuditEventInput): AuditRowValues {
  return buildAuditEvent(event).row;
}

/**
 * The columns of an event's JSON in the INSERT: the content's fields (by column name), its leaf
 * hash, writer MAC and salt. erased_at, id and tx_id take their defaults.
 */
const STORED_COLUMNS = sql.raw([...LEAF_FIELDS, ...PERSONAL_FIELDS, "leaf_hash", "writer_mac", "personal_salt"].map((c) => `"${c}"`).join(", "));

/**
 * buildAuditRow, and the row's JSON for the INSERT. The JSON is put together from the canonical
 * JSON of the leaf fields and of the personal fields, which the leaf hash and the personal digest
 * are taken over anyway (their keys are the column names): writing every value's JSON again took
 * 11.5 µs of the ~33 µs that preparing a created memory's audited statement cost (a warm loop).
 */
function buildAuditEvent(event: AuditEventInput): BuiltAuditEvent {
  const definition = eventDefinition(event.eventType);
  if (!definition) throw new TypeError(`Unknown audit event type: ${event.eventType}`);
  const success = event.success ?? true;
  let severity = event.severity ?? definition.severity;
  if (!success) severity = maxSeverity(severity, "warning");
  const categoryTags = COMPLIANCE_TAGS_BY_CATEGORY[definition.category] ?? [];
  const complianceTags = event.complianceTags?.length ? [...new Set([...categoryTags, ...event.complianceTags])].map(storableText) : [...categoryTags];
  const timestamp = event.timestamp ?? new Date();

  // The content is built once: its personal fields are digested, then the digest and salt are set on it.
  const content: AuditLeafContent = {
    event_type: definition.value,
    severity,
    description: optionalText(event.description ?? definition.description),
    user_id: optionalText(event.userId),
    username: optionalText(event.username),
    session_id: optionalText(event.sessionId),
    ip_address: optionalText(event.ipAddress),
    user_agent: optionalText(event.userAgent),
    resource_type: optionalText(event.resourceType),
    resource_id: optionalText(event.resourceId),
    namespace: optionalText(event.namespace),
    action: optionalText(event.action),
    before_state: cleanState(event.beforeState),
    after_state: cleanState(event.afterState),
    request_method: optionalText(event.requestMethod),
    request_path: optionalText(event.requestPath),
    request_params: cleanObject(event.requestParams),
    success,
    error_message: optionalText(event.errorMessage),
    status_code: event.statusCode ?? null,
    metadata: cleanObject(event.metadata),
    tags: event.tags ? event.tags.map(storableText) : null,
    compliance_tags: complianceTags,
    retention_policy: optionalText(event.retentionPolicy) ?? defaultRetention(complianceTags, severity),
    timestamp: timestamp.toISOString(),
    personal_digest: "",
    personal_salt: personalSalt(),
  };
  const personal = personalJson(content);
  content.personal_digest = personalDigestOfJson(content.personal_salt!, personal);
  const leaf = leafJson(content);
  const leafHash = auditLeafHashOfJson(leaf);
  const writerMac = rowMac(leafHash);
  // Both texts are objects with at least one field (every field is present, null or not).
  const json = `${leaf.slice(0, -1)},${personal.slice(1, -1)},"leaf_hash":"${leafHash}","writer_mac":"${writerMac}","personal_salt":"${content.personal_salt}"}`;
  const row: AuditRowValues = {
    eventType: content.event_type,
    severity: content.severity,
    description: content.description,
    userId: content.user_id,
    username: content.username,
    sessionId: content.session_id,
    ipAddress: content.ip_address,
    userAgent: content.user_agent,
    resourceType: content.resource_type,
    resourceId: content.resource_id,
    namespace: content.namespace,
    action: content.action,
    beforeState: content.before_state,
    afterState: content.after_state,
    requestMethod: content.request_method,
    requestPath: content.request_path,
    requestParams: content.request_params,
    success: content.success,
    errorMessage: content.error_message,
    statusCode: content.status_code,
    metadata: content.metadata,
    tags: content.tags,
    complianceTags: content.compliance_tags,
    retentionPolicy: content.retention_policy,
    timestamp,
    leafHash,
    writerMac,
    personalDigest: content.personal_digest,
    personalSalt: content.personal_salt,
    erasedAt: null,
  };
  return { row, json };
}

/** The JSON array of built events, in their order (identity values are taken in that order). */
function auditRowsJson(events: BuiltAuditEvent[]): string {
  let json = "[";
  for (let i = 0; i < events.length; i++) json += (i === 0 ? "" : ",") + events[i]!.json;
  return `${json}]`;
}

/** The INSERT of built events. */
function auditInsert(events: BuiltAuditEvent[], returning?: SQL): SQL {
  return insertJsonStatement(auditLogs, STORED_COLUMNS, auditRowsJson(events), returning);
}

/** auditInsert's text, with the rows' JSON as parameter $n (drizzle numbers it $1: it is the only one). */
const auditInsertTexts = new Map<number, string>();

function auditInsertText(n: number): string {
  let text = auditInsertTexts.get(n);
  if (text === undefined) auditInsertTexts.set(n, (text = queryText(auditInsert([])).sql.replace("$1", `$${n}`)));
  return text;
}

/**
 * Records events in one INSERT on `db`, which should be the transaction of the change they
 * record. Returns the stored rows, or an empty list when audit logging is disabled.
 *
 * The rows go as one JSON parameter (auditInsert) and only the values the database assigns
 * come back: building and reading 30 columns through the ORM cost more CPU than the insert itself
 * on every audited request. Outside a transaction (a read's event, a failed login) the INSERT is a
 * statement of its own, so it runs on genericPlanSessions(db), whose plan PostgreSQL keeps, and
 * on PostgreSQL it is shared with the rows recorded meanwhile (SharedAuditInsert): the promise
 * settles once the rows have committed.
 */
export async function recordAuditEvents(
  db: Database,
  events: AuditEventInput[],
  options: RecordOptions = {},
): Promise<AuditLogRow[]> {
  if (!(options.enabled ?? isAuditEnabled()) || events.length === 0) return [];
  const built = events.map(buildAuditEvent);
  const writes = genericPlanSessions(db);
  // On its own (not in a transaction of PostgreSQL's), the INSERT is shared with the rows other
  // requests record meanwhile.
  const ids = writes === db ? await insertAuditRows(db, built) : await sharedInsertOn(writes).write(built);
  return built.map(({ row }, i) => ({ ...row, ...ids[i]! }));
}

/** Stores built events in one INSERT; answers their ids in the events' order. */
async function insertAuditRows(db: Database, events: BuiltAuditEvent[]): Promise<AssignedIds[]> {
  const assigned = await selectRows<{ id: string | number; tx_id: string | number }>(db, auditInsert(events, sql`id, tx_id`));
  // Identity values are taken in the order the rows are read, which is the array's.
  return assigned.map((r) => ({ id: Number(r.id), txId: Number(r.tx_id) })).sort((a, b) => a.id - b.id);
}

const sharedInsertOn = onePerPool("SharedAuditInserts", (writes) => new SharedAuditInsert<BuiltAuditEvent>((rows) => insertAuditRows(writes, rows)));

/**
 * Records many events in one INSERT, for batches (ingest, policy runs): auditInsert, several
 * times faster than INSERT … VALUES with 29 parameters a row. Returns each event's id and leaf hash
 * in input order.
 */
export async function recordAuditBatch(
  db: Database,
  events: AuditEventInput[],
  options: RecordOptions = {},
): Promise<{ id: number; leafHash: string }[]> {
  if (!(options.enabled ?? isAuditEnabled()) || events.length === 0) return [];
  const inserted = await selectRows<{ id: string | number; leaf_hash: string }>(db, auditInsert(events.map(buildAuditEvent), sql`id, leaf_hash`));
  // Identity values are taken in the order the rows are read, which is the array's.
  return inserted.map((r) => ({ id: Number(r.id), leafHash: r.leaf_hash })).sort((a, b) => a.id - b.id);
}

/**
 * Runs `change` (an INSERT) and records `events` in the same statement, the audit rows inserted
 * by a data-modifying WITH beside it: one statement commits or fails whole, so no transaction is
 * needed, and a request makes one round trip where BEGIN, change, audit insert and COMMIT took
 * four. The events are built before the change runs, so the values the database would assign must
 * be taken beforehand (nextIdentity for ids, a Date for times). With audit logging disabled only
 * the change runs. On PostgreSQL it runs on genericPlanSessions(db), and the changes asked for
 * meanwhile, audited or not, share the statement (sharedChangesOn): the promise settles once it
 * has committed. The rows are written whatever the change matched: an UPDATE or DELETE that may
 * find nothing belongs in a transaction with recordAuditEvents.
 */
export async function changeWithAuditEvents(db: Database, change: SQLWrapper, events: AuditEventInput[], options: RecordOptions = {}): Promise<void> {
  const writes = genericPlanSessions(db);
  const built = (options.enabled ?? isAuditEnabled()) ? events.map(buildAuditEvent) : [];
  if (writes === db) {
    // PGlite, or a transaction: the statement on its own, built by drizzle.
    await db.execute(built.length === 0 ? change.getSQL() : sql.join([sql.raw(changePart(0)), change.getSQL(), sql.raw(AUDIT_PART), auditInsert(built), sql.raw(LAST_PART)]));
    return;
  }
  // drizzle builds the change's text; the audit part is kept text (building it through drizzle
  // again took ~10 µs a request).
  const { sql: text, params } = queryText(change.getSQL());
  await sharedChangesOn(writes).write({ text, params, events: built });
}

/** A change and its audit rows (none with audit logging off), waiting to share a statement. */
interface ChangeWithEvents {
  /** The change's text, its parameters numbered from $1 (drizzle's: no other `$` in it). */
  text: string;
  params: unknown[];
  events: BuiltAuditEvent[];
}

/**
 * The most changes one statement takes. Each number of changes is a statement text of its own,
 * kept here and prepared on each connection, so the number stays small: under the benchmark's
 * load of 10 connections a statement held ~3 writes; 64 at a time commit 10,000 writes a second at
 * 6 ms a statement. (A change's parameters and audit rows stay far below PostgreSQL's 65,535
 * parameters: one row of a few columns, a few events.)
 */
export const SHARED_CHANGES_MAX = 64;

/**
 * The text of a statement doing `changes` and their audit INSERT: `with c0 as (change), c1 as
 * (change), …, audit as (insert) select 1`, each change's parameters numbered on from the one
 * before, the audit rows' JSON last; without audit rows, `with c0 as (…), … select 1`, or a lone
 * change's own text. Kept per list of texts (up to a bound): concurrent requests ask the same few
 * changes, in groups of up to SHARED_CHANGES_MAX.
 */
const changePart = (i: number) => `${i === 0 ? "with" : "),"} c${i} as (`;
const AUDIT_PART = "), audit as (";
const LAST_PART = ") select 1";

const sharedChangeTexts = new Map<string, string>();
const SHARED_CHANGE_TEXTS_KEPT = 256;

function sharedChangeText(changes: ChangeWithEvents[], audited: boolean): string {
  const key = `${audited ? "audited" : "bare"}\u0000${changes.map((c) => c.text).join("\u0000")}`;
  let text = sharedChangeTexts.get(key);
  if (text !== undefined) return text;
  if (!audited && changes.length === 1) {
    text = changes[0]!.text;
  } else {
    let offset = 0;
    text = "";
    changes.forEach((change, i) => {
      const from = offset;
      text += changePart(i) + change.text.replace(/\$(\d+)/g, (_, n: string) => `$${Number(n) + from}`);
      offset += change.params.length;
    });
    text += audited ? `${AUDIT_PART}${auditInsertText(offset + 1)}${LAST_PART}` : LAST_PART;
  }
  if (sharedChangeTexts.size >= SHARED_CHANGE_TEXTS_KEPT) sharedChangeTexts.clear();
  sharedChangeTexts.set(key, text);
  return text;
}

/** Runs changes and their audit rows in one statement on postgres.js (`writes`, the generic-plan pool). */
async function runSharedChanges(writes: Database, changes: ChangeWithEvents[]): Promise<void[]> {
  const params = changes.flatMap((c) => c.params);
  const events = changes.flatMap((c) => c.events);
  if (events.length > 0) params.push(auditRowsJson(events));
  const ran = executeOnPostgresJs(writes, sharedChangeText(changes, events.length > 0), params);
  if (!ran) throw new Error("Shared changes run on a postgres.js pool only");
  await ran;
  return changes.map(() => undefined);
}

const sharedChangesOn = onePerPool("SharedChanges", (writes) => new SharedStatement((changes: ChangeWithEvents[]) => runSharedChanges(writes, changes), () => 1, SHARED_CHANGES_MAX));

/** Records one event on `db` (a transaction, normally). Returns null when logging is disabled. */
export async function recordAuditEvent(
  db: Database,
  event: AuditEventInput,
  options: RecordOptions = {},
): Promise<AuditLogRow | null> {
  const [row] = await recordAuditEvents(db, [event], options);
  return row ?? null;
}
