// Memories: create, list, search, read, edit and delete, each with its audit events (the change and
// its event in one transaction). Also the ownership rules the cluster service shares, and the
// deterministic text summaries that clusters and policies build from memory content.
import { and, desc, eq, getTableColumns, sql, type SQL } from "drizzle-orm";
import type { ActorContext } from "@/lib/audit/logger";
import { changeWithAuditEvents, recordAuditEvents, type AuditEventInput } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/authenticate";
import { nextIdentity, type Database } from "@/lib/db/client";
import { memories, users, type Memory, type User } from "@/lib/db/schema";
import { forbidden, notFound } from "@/lib/http/errors";
import type { CreateMemoryInput, ListMemoriesQuery, SearchMemoriesQuery, UpdateMemoryInput } from "./schemas";

/** A memory as stored, without the generated search vector. */
export type MemoryRow = Omit<Memory, "search">;

const { search: _search, ...columns } = getTableColumns(memories);
/** The columns every memory query selects (the tsvector stays in the database). */
export const memoryColumns = columns;

export function memoryToJson(memory: MemoryRow) {
  return {
    id: memory.id,
    user_id: memory.userId,
    namespace: memory.namespace,
    thread_id: memory.threadId,
    content: memory.content,
    tier: memory.tier,
    score: memory.score,
    metadata: memory.metadata,
    summarized: memory.summarized,
    created_at: memory.createdAt.toISOString(),
    updated_at: memory.updatedAt.toISOString(),
  };
}

export type MemoryJson = ReturnType<typeof memoryToJson>;

// ---------------------------------------------------------------------------------------------
// Who may touch whose data (API.md "Permissions"): admins everything; `user` reads and writes
// their own memories and rebuilds their own clusters; `readonly` only reads their own.

type OwnedResource = "memories" | "clusters";

/** Roles that may change data; a `readonly`-only account may not. */
export function canWrite(actor: Actor): boolean {
  return actor.isAdmin || actor.roles.includes("user");
}

export function requireWriter(actor: Actor, message: string): void {
  if (!canWrite(actor)) throw forbidden(message);
}

export function ownOnlyMessage(resource: OwnedResource): string {
  return `Can only access your own ${resource}`;
}

/** The user whose data a request is about: `user_id` defaults to the caller; only admins may name another. */
export function resolveOwner(actor: Actor, requested: string | undefined, resource: OwnedResource): string {
  const owner = requested ?? actor.userId;
  if (owner !== actor.userId && !actor.isAdmin) throw forbidden(ownOnlyMessage(resource));
  return owner;
}

/** A resource of `ownerId` that the caller may reach: 403 for another user's, unless an admin. */
export function assertOwnedBy(actor: Actor, ownerId: string, resource: OwnedResource): void {
  if (ownerId !== actor.userId && !actor.isAdmin) throw forbidden(ownOnlyMessage(resource));
}

/** The authz.access.granted event of an admin reaching another user's data, or none. */
export function adminAccessEvents(
  actor: Actor,
  ownerId: string,
  audit: ActorContext,
  target: { resourceType: string; resourceId?: string | number | null; action: string; namespace?: string | null },
): AuditEventInput[] {
  if (ownerId === actor.userId) return [];
  return [{ ...audit, ...target, eventType: "authz.access.granted", metadata: { reason: "admin", owner_id: ownerId } }];
}

export async function findUserById(db: Database, id: string): Promise<User | null> {
  const [user] = await db.select().from(users).where(eq(users.id, id)).limit(1);
  return user ?? null;
}

// ---------------------------------------------------------------------------------------------
// Deterministic extractive summaries: whole leading sentences, never a model.

/** Cuts `text` to at most `maxChars` characters, ending in "…", without splitting a surrogate pair. */
export function truncateText(text: string, maxChars: number): string {
  if (text.length <= maxChars) return text;
  let cut = Math.max(0, maxChars - 1);
  const last = text.charCodeAt(cut - 1);
  if (last >= 0xd800 && last <= 0xdbff) cut -= 1;
  return `${text.slice(0, cut).trimEnd()}…`;
}

/** The sentences of `text`, whitespace collapsed: split after ., ! or ? (or …) followed by a space. */
export function sentencesOf(text: string): string[] {
  return text
    .replace(/\s+/g, " ")
    .trim()
    .split(/(?<=[.!?…])\s+/)
    .filter((s) => s !== "");
}

/**
 * As many leading pieces, joined by spaces, as fit in `maxChars`; when not even the first one
 * fits, the first one cut to `maxChars`.
 */
export function fitPieces(pieces: string[], maxChars: number): string {
  let out = "";
  for (const piece of pieces) {
    const next = out === "" ? piece : `${out} ${piece}`;
    if (next.length > maxChars) break;
    out = next;
  }
  return out === "" && pieces.length > 0 ? truncateText(pieces[0]!, maxChars) : out;
}

/** The leading sentences of `text` that fit in `maxChars`. */
export function leadingSentences(text: string, maxChars: number): string {
  return fitPieces(sentencesOf(text), maxChars);
}

/** The first sentence of `text`, cut to `maxChars`. */
export function firstSentence(text: string, maxChars: number): string {
  return truncateText(sentencesOf(text)[0] ?? "", maxChars);
}

// ---------------------------------------------------------------------------------------------
// The memory API.

function memoryEvent(memory: MemoryRow, audit: ActorContext) {
  return { ...audit, resourceType: "memory", resourceId: memory.id, namespace: memory.namespace };
}

/**
 * Creates a memory for the caller (or, for an admin, for `user_id`) and records memory.created,
 * both in one statement: the memory's id and times are taken before the insert so its event can
 * describe it (changeWithAuditEvents).
 */
export async function createMemory(db: Database, actor: Actor, input: CreateMemoryInput, audit: ActorContext): Promise<MemoryJson> {
  requireWriter(actor, "Read-only users cannot create memories");
  const ownerId = resolveOwner(actor, input.user_id, "memories");
  const owner = ownerId === actor.userId ? actor.user : await findUserById(db, ownerId);
  if (!owner) throw notFound(`User ${ownerId} not found`);
  const id = await nextIdentity(db, memories);
  const now = new Date();
  const row: MemoryRow = {
    id,
    userId: owner.id,
    // A memory lives in its owner's namespace unless the request names one.
    namespace: input.namespace === undefined ? owner.namespace : input.namespace,
    threadId: input.thread_id ?? null,
    content: input.content,
    tier: input.tier,
    score: input.score,
    metadata: input.metadata ?? {},
    summarized: false,
    createdAt: now,
    updatedAt: now,
  };
  const memory = memoryToJson(row);
  await changeWithAuditEvents(db, db.insert(memories).overridingSystemValue().values(row), [
    ...adminAccessEvents(actor, owner.id, audit, { resourceType: "memory", resourceId: row.id, action: "create", namespace: row.namespace }),
    { ...memoryEvent(row, audit), eventType: "memory.created", action: "create", afterState: memory, timestamp: now },
  ]);
  return memory;
}

/**
 * The query of a user's memories, newest first and then by id, filtered as `query` asks. The order
 * is spelled like the indexes (DESC NULLS LAST): a plain `desc` (NULLS FIRST) does not match them
 * even on NOT NULL columns, and PostgreSQL then read and sorted every memory of the user or thread.
 */
export function memoryList(db: Database, ownerId: string, query: Pick<ListMemoriesQuery, "thread_id" | "namespace" | "tier" | "top_k">) {
  const conditions: SQL[] = [eq(memories.userId, ownerId)];
  if (query.thread_id) conditions.push(eq(memories.threadId, query.thread_id));
  if (query.namespace) conditions.push(eq(memories.namespace, query.namespace));
  if (query.tier) conditions.push(eq(memories.tier, query.tier));
  return db
    .select(memoryColumns)
    .from(memories)
    .where(and(...conditions))
    .orderBy(sql`${memories.createdAt} desc nulls last`, sql`${memories.id} desc nulls last`)
    .limit(query.top_k);
}

/** A user's memories, newest first; records memory.retrieved with the count. */
export async function listMemories(db: Database, actor: Actor, query: ListMemoriesQuery, audit: ActorContext): Promise<MemoryJson[]> {
  const ownerId = resolveOwner(actor, query.user_id, "memories");
  const rows = await memoryList(db, ownerId, query);
  await recordAuditEvents(db, [
    ...adminAccessEvents(actor, ownerId, audit, { resourceType: "memory", action: "list" }),
    {
      ...audit,
      eventType: "memory.retrieved",
      resourceType: "memory",
      action: "list",
      metadata: { count: rows.length, owner_id: ownerId, thread_id: query.thread_id ?? null, namespace: query.namespace ?? null, tier: query.tier ?? null, top_k: query.top_k },
    },
  ]);
  return rows.map(memoryToJson);
}

/**
 * Full-text search over a user's memories: the generated `search` tsvector (english, GIN index)
 * matched by websearch_to_tsquery (quotes, `or`, `-word` work; it never fails on odd input) and
 * ranked by ts_rank, most relevant first, newer first among equals.
 */
export async function searchMemories(db: Database, actor: Actor, query: SearchMemoriesQuery, audit: ActorContext): Promise<MemoryJson[]> {
  const ownerId = resolveOwner(actor, query.user_id, "memories");
  const tsquery = sql`websearch_to_tsquery('english', ${query.q})`;
  const conditions: SQL[] = [eq(memories.userId, ownerId), sql`${memories.search} @@ ${tsquery}`];
  if (query.thread_id) conditions.push(eq(memories.threadId, query.thread_id));
  if (query.namespace) conditions.push(eq(memories.namespace, query.namespace));
  const rows = await db
    .select(memoryColumns)
    .from(memories)
    .where(and(...conditions))
    .orderBy(desc(sql`ts_rank(${memories.search}, ${tsquery})`), desc(memories.createdAt), desc(memories.id))
    .limit(query.top_k);
  await recordAuditEvents(db, [
    ...adminAccessEvents(actor, ownerId, audit, { resourceType: "memory", action: "search" }),
    {
      ...audit,
      eventType: "memory.searched",
      resourceType: "memory",
      action: "search",
      metadata: {
        query: query.q,
        result_count: rows.length,
        owner_id: ownerId,
        thread_id: query.thread_id ?? null,
        namespace: query.namespace ?? null,
        top_k: query.top_k,
      },
    },
  ]);
  return rows.map(memoryToJson);
}

/** The memory `id` if the caller may reach it: 404 when missing, 403 when another user's (unless admin). */
async function loadMemory(db: Database, actor: Actor, id: number, options: { lock: boolean }): Promise<MemoryRow> {
  const query = db.select(memoryColumns).from(memories).where(eq(memories.id, id));
  const [row] = options.lock ? await query.for("update") : await query;
  if (!row) throw notFound(`Memory ${id} not found`);
  assertOwnedBy(actor, row.userId, "memories");
  return row;
}

export async function getMemory(db: Database, actor: Actor, id: number, audit: ActorContext): Promise<MemoryJson> {
  const row = await loadMemory(db, actor, id, { lock: false });
  await recordAuditEvents(db, [
    ...adminAccessEvents(actor, row.userId, audit, { resourceType: "memory", resourceId: row.id, action: "read", namespace: row.namespace }),
    { ...memoryEvent(row, audit), eventType: "memory.retrieved", action: "read", metadata: { count: 1 } },
  ]);
  return memoryToJson(row);
}

/** Applies a PATCH and records memory.updated with the states before and after. */
export async function updateMemory(
  db: Database,
  actor: Actor,
  id: number,
  patch: UpdateMemoryInput,
  audit: ActorContext,
): Promise<MemoryJson> {
  requireWriter(actor, "Read-only users cannot modify memories");
  return db.transaction(async (tx) => {
    const before = await loadMemory(tx, actor, id, { lock: true });
    const values: Partial<typeof memories.$inferInsert> = {};
    if (patch.content !== undefined) values.content = patch.content;
    if (patch.thread_id !== undefined) values.threadId = patch.thread_id;
    if (patch.namespace !== undefined) values.namespace = patch.namespace;
    if (patch.metadata !== undefined) values.metadata = patch.metadata;
    if (patch.tier !== undefined) values.tier = patch.tier;
    if (patch.score !== undefined) values.score = patch.score;
    const [after] = await tx
      .update(memories)
      .set({ ...values, updatedAt: sql`now()` })
      .where(eq(memories.id, before.id))
      .returning(memoryColumns);
    const memory = memoryToJson(after!);
    await recordAuditEvents(tx, [
      ...adminAccessEvents(actor, before.userId, audit, { resourceType: "memory", resourceId: before.id, action: "update", namespace: before.namespace }),
      {
        ...memoryEvent(after!, audit),
        eventType: "memory.updated",
        action: "update",
        beforeState: memoryToJson(before),
        afterState: memory,
        metadata: { fields: Object.keys(patch).filter((k) => patch[k as keyof UpdateMemoryInput] !== undefined) },
      },
    ]);
    return memory;
  });
}

/**
 * Deletes a memory and records memory.deleted with its last state. Clusters keep the id until
 * their next rebuild (a cluster is a snapshot as of its last_built_at).
 */
export async function deleteMemory(db: Database, actor: Actor, id: number, audit: ActorContext): Promise<void> {
  requireWriter(actor, "Read-only users cannot delete memories");
  await db.transaction(async (tx) => {
    const before = await loadMemory(tx, actor, id, { lock: true });
    await tx.delete(memories).where(eq(memories.id, before.id));
    await recordAuditEvents(tx, [
      ...adminAccessEvents(actor, before.userId, audit, { resourceType: "memory", resourceId: before.id, action: "delete", namespace: before.namespace }),
      { ...memoryEvent(before, audit), eventType: "memory.deleted", action: "delete", beforeState: memoryToJson(before) },
    ]);
  });
}
