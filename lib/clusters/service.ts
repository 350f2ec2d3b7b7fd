// Clusters: a user's memories grouped by lower-cased metadata.topic and metadata.category
// (default "general"). A rebuild plans the groups in memory, then creates, updates and deletes
// cluster rows with one audit event each, all in one transaction.
import { createHash } from "node:crypto";
import { and, asc, eq, inArray, sql, type SQL } from "drizzle-orm";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditEvents, type AuditEventInput } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/authenticate";
import type { Database } from "@/lib/db/client";
import { memories, memoryClusters } from "@/lib/db/schema";
import { notFound } from "@/lib/http/errors";
import {
  adminAccessEvents,
  assertOwnedBy,
  findUserById,
  firstSentence,
  fitPieces,
  memoryColumns,
  requireWriter,
  resolveOwner,
  type MemoryRow,
} from "@/lib/memories/service";
import type { ListClustersQuery, UpdateClusterInput } from "./schemas";

export type ClusterRow = typeof memoryClusters.$inferSelect;

export const DEFAULT_GROUP = "general";
/** A generated cluster summary is at most this long. */
export const CLUSTER_SUMMARY_CHARS = 500;
/** Each memory contributes its first sentence, at most this long, to a cluster summary. */
const SUMMARY_PIECE_CHARS = 200;
/** metadata.kind of the thread summaries the policy run writes: derived text, never clustered. */
export const THREAD_SUMMARY_KIND = "thread_summary";

export function clusterToJson(cluster: ClusterRow) {
  return {
    cluster_id: cluster.clusterId,
    user_id: cluster.userId,
    topic: cluster.topic,
    category: cluster.category,
    memory_ids: cluster.memoryIds,
    memory_count: cluster.memoryCount,
    summary: cluster.summary,
    created_at: cluster.createdAt.toISOString(),
    last_built_at: cluster.lastBuiltAt.toISOString(),
  };
}

export type ClusterJson = ReturnType<typeof clusterToJson>;

function groupLabel(value: unknown): string {
  const label = typeof value === "string" ? value.trim().toLowerCase().slice(0, 128) : "";
  return label === "" ? DEFAULT_GROUP : label;
}

/** The topic and category a memory belongs to. */
export function clusterGroupOf(metadata: Record<string, unknown>): { topic: string; category: string } {
  return { topic: groupLabel(metadata.topic), category: groupLabel(metadata.category) };
}

export function isThreadSummary(memory: Pick<MemoryRow, "metadata">): boolean {
  return memory.metadata.kind === THREAD_SUMMARY_KIND;
}

/** Deterministic, so a rebuild finds the same cluster again: a hash of user, topic and category. */
export function clusterIdFor(userId: string, topic: string, category: string): string {
  return `c_${createHash("sha256").update(`${userId}\u0000${topic}\u0000${category}`).digest("hex").slice(0, 32)}`;
}

/** The opening sentence of each member, newest first, as much as fits in CLUSTER_SUMMARY_CHARS. */
export function clusterSummary(members: MemoryRow[]): string {
  const newestFirst = [...members].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || b.id - a.id);
  return fitPieces(
    newestFirst.map((m) => firstSentence(m.content, SUMMARY_PIECE_CHARS)),
    CLUSTER_SUMMARY_CHARS,
  );
}

type ClusterValues = Pick<ClusterRow, "clusterId" | "userId" | "topic" | "category" | "memoryIds" | "memoryCount" | "summary">;

export interface ClusterPlan {
  create: ClusterValues[];
  update: { before: ClusterRow; values: ClusterValues }[];
  delete: ClusterRow[];
  /** Clusters left as they are. */
  unchanged: ClusterRow[];
}

/**
 * What a rebuild of one user's clusters changes, from their memories and current clusters.
 *
 * A cluster is rewritten (memory ids, count, generated summary, last_built_at) only when its
 * members changed since it was last built: a memory joined or left, or one was edited after
 * `last_built_at`, or it has no summary. Otherwise it is left alone, so a summary set by PATCH
 * stays until the cluster's memories change; then the generated summary replaces it.
 * Clusters whose group has no memories any more are deleted; a cluster deleted by an admin
 * comes back on the next rebuild while its memories exist.
 */
export function planClusters(userId: string, userMemories: MemoryRow[], existing: ClusterRow[]): ClusterPlan {
  const groups = new Map<string, { topic: string; category: string; members: MemoryRow[] }>();
  for (const memory of userMemories) {
    if (isThreadSummary(memory)) continue;
    const { topic, category } = clusterGroupOf(memory.metadata);
    const key = JSON.stringify([topic, category]);
    const group = groups.get(key) ?? { topic, category, members: [] };
    group.members.push(memory);
    groups.set(key, group);
  }
  const current = new Map(existing.map((c) => [JSON.stringify([c.topic, c.category]), c]));
  const plan: ClusterPlan = { create: [], update: [], delete: [], unchanged: [] };
  const sortedKeys = [...groups.keys()].sort();
  for (const key of sortedKeys) {
    const { topic, category, members } = groups.get(key)!;
    const memoryIds = members.map((m) => m.id).sort((a, b) => a - b);
    const values: ClusterValues = {
      clusterId: clusterIdFor(userId, topic, category),
      userId,
      topic,
      category,
      memoryIds,
      memoryCount: memoryIds.length,
      summary: clusterSummary(members),
    };
    const before = current.get(key);
    if (!before) {
      plan.create.push(values);
      continue;
    }
    const sameMembers = before.memoryIds.length === memoryIds.length && before.memoryIds.every((id, i) => id === memoryIds[i]);
    const editedSince = members.some((m) => m.updatedAt > before.lastBuiltAt);
    if (sameMembers && !editedSince && before.summary !== null) plan.unchanged.push(before);
    else plan.update.push({ before, values: { ...values, clusterId: before.clusterId } });
  }
  for (const [key, cluster] of current) if (!groups.has(key)) plan.delete.push(cluster);
  plan.delete.sort((a, b) => (a.clusterId < b.clusterId ? -1 : 1));
  return plan;
}

// Transaction-scoped advisory locks keep rebuilds from racing (two at once would both insert the
// same new cluster): a rebuild of one user holds the shared lock of all clusters and that user's
// exclusive lock; a policy run over every user holds the exclusive lock of all clusters.
const ALL_CLUSTERS_LOCK = "memoric:clusters";

export async function lockUserClusters(tx: Database, userId: string): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock_shared(hashtext(${ALL_CLUSTERS_LOCK}))`);
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${`${ALL_CLUSTERS_LOCK}:${userId}`}))`);
}

export async function lockAllClusters(tx: Database): Promise<void> {
  await tx.execute(sql`select pg_advisory_xact_lock(hashtext(${ALL_CLUSTERS_LOCK}))`);
}

export async function loadClusters(db: Database, userIds: string[] | null): Promise<ClusterRow[]> {
  return db
    .select()
    .from(memoryClusters)
    .where(userIds ? inArray(memoryClusters.userId, userIds) : undefined)
    .orderBy(asc(memoryClusters.userId), asc(memoryClusters.topic), asc(memoryClusters.category));
}

export interface ClusterCounts {
  created: number;
  updated: number;
  deleted: number;
}

export const countPlan = (plan: ClusterPlan): ClusterCounts => ({
  created: plan.create.length,
  updated: plan.update.length,
  deleted: plan.delete.length,
});

/** Writes a plan on a transaction and returns the audit events of its changes. `action` is "rebuild" or the policy run's. */
export async function applyClusterPlan(
  tx: Database,
  plan: ClusterPlan,
  audit: ActorContext,
  extra: { action: string; metadata?: Record<string, unknown> },
): Promise<AuditEventInput[]> {
  const events: AuditEventInput[] = [];
  const event = (cluster: ClusterRow) => ({
    ...audit,
    resourceType: "cluster",
    resourceId: cluster.clusterId,
    action: extra.action,
    metadata: { owner_id: cluster.userId, topic: cluster.topic, category: cluster.category, ...extra.metadata },
  });
  if (plan.create.length > 0) {
    const created = await tx
      .insert(memoryClusters)
      .values(plan.create.map((v) => ({ ...v, createdAt: sql`now()`, lastBuiltAt: sql`now()` })))
      .returning();
    for (const row of created) events.push({ ...event(row), eventType: "cluster.created", afterState: clusterToJson(row) });
  }
  for (const { before, values } of plan.update) {
    const [after] = await tx
      .update(memoryClusters)
      .set({ memoryIds: values.memoryIds, memoryCount: values.memoryCount, summary: values.summary, lastBuiltAt: sql`now()` })
      .where(eq(memoryClusters.clusterId, before.clusterId))
      .returning();
    events.push({ ...event(after!), eventType: "cluster.updated", beforeState: clusterToJson(before), afterState: clusterToJson(after!) });
  }
  if (plan.delete.length > 0) {
    await tx.delete(memoryClusters).where(inArray(memoryClusters.clusterId, plan.delete.map((c) => c.clusterId)));
    for (const row of plan.delete) events.push({ ...event(row), eventType: "cluster.deleted", beforeState: clusterToJson(row) });
  }
  return events;
}

/** Regroups a user's memories into clusters: POST /clusters/rebuild. */
export async function rebuildClusters(db: Database, actor: Actor, input: { user_id?: string }, audit: ActorContext) {
  requireWriter(actor, "Read-only users cannot rebuild clusters");
  const ownerId = resolveOwner(actor, input.user_id, "clusters");
  if (ownerId !== actor.userId && !(await findUserById(db, ownerId))) throw notFound(`User ${ownerId} not found`);
  return db.transaction(async (tx) => {
    await lockUserClusters(tx, ownerId);
    const userMemories = await tx.select(memoryColumns).from(memories).where(eq(memories.userId, ownerId));
    const plan = planClusters(ownerId, userMemories, await loadClusters(tx, [ownerId]));
    const events = await applyClusterPlan(tx, plan, audit, { action: "rebuild" });
    await recordAuditEvents(tx, [...adminAccessEvents(actor, ownerId, audit, { resourceType: "cluster", action: "rebuild" }), ...events]);
    const clusters = await loadClusters(tx, [ownerId]);
    return { ...countPlan(plan), clusters: clusters.map(clusterToJson) };
  });
}

export async function listClusters(db: Database, actor: Actor, query: ListClustersQuery, audit: ActorContext): Promise<ClusterJson[]> {
  const ownerId = resolveOwner(actor, query.user_id, "clusters");
  const conditions: SQL[] = [eq(memoryClusters.userId, ownerId)];
  if (query.topic) conditions.push(eq(memoryClusters.topic, query.topic));
  const rows = await db
    .select()
    .from(memoryClusters)
    .where(and(...conditions))
    .orderBy(asc(memoryClusters.topic), asc(memoryClusters.category))
    .limit(query.limit);
  await recordAuditEvents(db, [
    ...adminAccessEvents(actor, ownerId, audit, { resourceType: "cluster", action: "list" }),
    {
      ...audit,
      eventType: "cluster.retrieved",
      resourceType: "cluster",
      action: "list",
      metadata: { count: rows.length, owner_id: ownerId, topic: query.topic ?? null, limit: query.limit },
    },
  ]);
  return rows.map(clusterToJson);
}

/** The cluster `id` if the caller may reach it: 404 when missing, 403 when another user's (unless admin). */
async function loadCluster(db: Database, actor: Actor, id: string, options: { lock: boolean }): Promise<ClusterRow> {
  const query = db.select().from(memoryClusters).where(eq(memoryClusters.clusterId, id));
  const [row] = options.lock ? await query.for("update") : await query;
  if (!row) throw notFound(`Cluster ${id} not found`);
  assertOwnedBy(actor, row.userId, "clusters");
  return row;
}

export async function getCluster(db: Database, actor: Actor, id: string, audit: ActorContext): Promise<ClusterJson> {
  const row = await loadCluster(db, actor, id, { lock: false });
  await recordAuditEvents(db, [
    ...adminAccessEvents(actor, row.userId, audit, { resourceType: "cluster", resourceId: row.clusterId, action: "read" }),
    { ...audit, eventType: "cluster.retrieved", resourceType: "cluster", resourceId: row.clusterId, action: "read", metadata: { count: 1 } },
  ]);
  return clusterToJson(row);
}

/** Sets a cluster's summary (admins; the route enforces it) and records cluster.updated. */
export async function updateCluster(db: Database, actor: Actor, id: string, patch: UpdateClusterInput, audit: ActorContext): Promise<ClusterJson> {
  return db.transaction(async (tx) => {
    const before = await loadCluster(tx, actor, id, { lock: true });
    const [after] = await tx
      .update(memoryClusters)
      .set({ summary: patch.summary })
      .where(eq(memoryClusters.clusterId, before.clusterId))
      .returning();
    const cluster = clusterToJson(after!);
    await recordAuditEvents(tx, [
      ...adminAccessEvents(actor, before.userId, audit, { resourceType: "cluster", resourceId: before.clusterId, action: "update" }),
      {
        ...audit,
        eventType: "cluster.updated",
        resourceType: "cluster",
        resourceId: before.clusterId,
        action: "update",
        beforeState: clusterToJson(before),
        afterState: cluster,
        metadata: { owner_id: before.userId, fields: ["summary"] },
      },
    ]);
    return cluster;
  });
}

/** Deletes a cluster (admins; the route enforces it) and records cluster.deleted. Its memories stay. */
export async function deleteCluster(db: Database, actor: Actor, id: string, audit: ActorContext): Promise<void> {
  await db.transaction(async (tx) => {
    const before = await loadCluster(tx, actor, id, { lock: true });
    await tx.delete(memoryClusters).where(eq(memoryClusters.clusterId, before.clusterId));
    await recordAuditEvents(tx, [
      ...adminAccessEvents(actor, before.userId, audit, { resourceType: "cluster", resourceId: before.clusterId, action: "delete" }),
      {
        ...audit,
        eventType: "cluster.deleted",
        resourceType: "cluster",
        resourceId: before.clusterId,
        action: "delete",
        beforeState: clusterToJson(before),
        metadata: { owner_id: before.userId },
      },
    ]);
  });
}
