// The memory lifecycle policy run (POST /policies/run): tier migration by age, summarization,
// trimming, thread summaries and a cluster rebuild, planned in memory from one read of the data
// (so a dry run reports exactly what a real run would do) and applied in one transaction.
import { randomUUID } from "node:crypto";
import { asc, eq, sql } from "drizzle-orm";
import type { ActorContext } from "@/lib/audit/logger";
import { recordAuditBatch, recordAuditEvent, type AuditEventInput } from "@/lib/audit/record";
import type { Actor } from "@/lib/auth/authenticate";
import { databaseError, selectRows, type Database } from "@/lib/db/client";
import { memories } from "@/lib/db/schema";
import { forbidden, notFound } from "@/lib/http/errors";
import {
  applyClusterPlan,
  countPlan,
  isThreadSummary,
  loadClusters,
  lockAllClusters,
  lockUserClusters,
  planClusters,
  THREAD_SUMMARY_KIND,
  type ClusterCounts,
  type ClusterPlan,
  type ClusterRow,
} from "@/lib/clusters/service";
import { TIERS, type Tier } from "@/lib/memories/schemas";
import {
  findUserById,
  firstSentence,
  fitPieces,
  leadingSentences,
  memoryColumns,
  memoryToJson,
  truncateText,
  type MemoryRow,
} from "@/lib/memories/service";
import { POLICY_CONFIG, type RunPoliciesInput } from "./schemas";

const DAY_MS = 86_400_000;
/** Each memory contributes its first sentence, at most this long, to its thread's summary. */
const THREAD_PIECE_CHARS = 200;
/** Audit rows per INSERT: well under PostgreSQL's limit of bind parameters per statement. */
const EVENTS_PER_INSERT = 500;

export type PolicyStep = "migrate" | "summarize" | "trim";

export interface MemoryChange {
  before: MemoryRow;
  after: MemoryRow;
  steps: PolicyStep[];
}

export interface ThreadSummaryPlan {
  userId: string;
  threadId: string;
  namespace: string | null;
  content: string;
  memoryCount: number;
  /** The thread's summary memory to update, or null to create one. */
  existing: MemoryRow | null;
}

export interface PolicyPlan {
  changes: MemoryChange[];
  threadSummaries: ThreadSummaryPlan[];
  clusterPlans: ClusterPlan[];
  byTier: Record<Tier, { memories: number; migrated_in: number; summarized: number; trimmed: number }>;
}

const isTier = (value: string): value is Tier => (TIERS as readonly string[]).includes(value);

/** The tier a memory of this age belongs in: it moves on while older than its tier's expiry. */
export function tierForAge(tier: Tier, ageMs: number): Tier {
  let current = tier;
  for (;;) {
    const { expiry_days, next_tier } = POLICY_CONFIG.tiers[current];
    if (expiry_days === null || next_tier === null || ageMs <= expiry_days * DAY_MS) return current;
    current = next_tier;
  }
}

/** What the run does to one memory (migrate, then summarize, then trim), or null for nothing. */
export function planMemoryChange(memory: MemoryRow, now: Date): MemoryChange | null {
  if (isThreadSummary(memory) || !isTier(memory.tier)) return null;
  const steps: PolicyStep[] = [];
  const metadata = { ...memory.metadata };
  let { content, summarized } = memory;

  const tier = tierForAge(memory.tier, now.getTime() - memory.createdAt.getTime());
  if (tier !== memory.tier) steps.push("migrate");

  const { summarization } = POLICY_CONFIG;
  if (summarization.tiers.includes(tier) && content.length > summarization.min_chars) {
    metadata.original_length = content.length;
    content = leadingSentences(content, summarization.target_chars);
    summarized = true;
    steps.push("summarize");
  }

  const { max_chars } = POLICY_CONFIG.tiers[tier].trim;
  if (content.length > max_chars) {
    metadata.trimmed_from = content.length;
    content = truncateText(content, max_chars);
    steps.push("trim");
  }

  if (steps.length === 0) return null;
  return { before: memory, after: { ...memory, tier, content, summarized, metadata, updatedAt: now }, steps };
}

/** The opening sentence of each memory of a thread, oldest first, within the configured length. */
export function threadSummaryText(members: MemoryRow[]): string {
  const oldestFirst = [...members].sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.id - b.id);
  return fitPieces(
    oldestFirst.map((m) => firstSentence(m.content, THREAD_PIECE_CHARS)),
    POLICY_CONFIG.thread_summaries.max_chars,
  );
}

function groupBy<T>(items: T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) {
    const k = key(item);
    const group = groups.get(k);
    if (group) group.push(item);
    else groups.set(k, [item]);
  }
  return groups;
}

/** Keys in code-unit order: the same on every machine, whatever its locale. */
const sortedKeys = <T>(map: Map<string, T>) => [...map.keys()].sort();

/**
 * Everything a run changes, from the memories and clusters in its scope (rows sorted by id, so
 * the plan, and the order of its audit events, is the same for the same data).
 */
export function planPolicyRun(rows: MemoryRow[], clusters: ClusterRow[], now: Date): PolicyPlan {
  const changes: MemoryChange[] = [];
  const after = rows.map((row) => {
    const change = planMemoryChange(row, now);
    if (change) changes.push(change);
    return change?.after ?? row;
  });

  const threadSummaries: ThreadSummaryPlan[] = [];
  const byUser = groupBy(after, (m) => m.userId);
  for (const userId of sortedKeys(byUser)) {
    const threads = groupBy(
      byUser.get(userId)!.filter((m) => m.threadId !== null),
      (m) => m.threadId!,
    );
    for (const threadId of sortedKeys(threads)) {
      const inThread = threads.get(threadId)!;
      const members = inThread.filter((m) => !isThreadSummary(m));
      if (members.length < POLICY_CONFIG.thread_summaries.min_memories) continue;
      const existing = inThread.find(isThreadSummary) ?? null;
      const newest = members.reduce((a, b) => (b.createdAt > a.createdAt || (+b.createdAt === +a.createdAt && b.id > a.id) ? b : a));
      const content = threadSummaryText(members);
      if (existing && existing.content === content && existing.metadata.memory_count === members.length) continue;
      threadSummaries.push({ userId, threadId, namespace: newest.namespace, content, memoryCount: members.length, existing });
    }
  }

  const clustersByUser = groupBy(clusters, (c) => c.userId);
  const owners = [...new Set([...byUser.keys(), ...clustersByUser.keys()])].sort();
  const clusterPlans = owners.map((userId) => planClusters(userId, byUser.get(userId) ?? [], clustersByUser.get(userId) ?? []));

  const byTier = Object.fromEntries(
    TIERS.map((tier) => [tier, { memories: 0, migrated_in: 0, summarized: 0, trimmed: 0 }]),
  ) as PolicyPlan["byTier"];
  for (const memory of after) if (isTier(memory.tier)) byTier[memory.tier].memories += 1;
  byTier[POLICY_CONFIG.thread_summaries.tier].memories += threadSummaries.filter((t) => !t.existing).length;
  for (const { after: changed, steps } of changes) {
    const counts = byTier[changed.tier as Tier];
    if (steps.includes("migrate")) counts.migrated_in += 1;
    if (steps.includes("summarize")) counts.summarized += 1;
    if (steps.includes("trim")) counts.trimmed += 1;
  }
  return { changes, threadSummaries, clusterPlans, byTier };
}

export interface PolicyRunResult {
  run_id: string;
  dry_run: boolean;
  user_id: string | null;
  migrated: number;
  summarized: number;
  trimmed: number;
  thread_summaries: number;
  clusters: ClusterCounts;
  by_tier: PolicyPlan["byTier"];
  ran_at: string;
}

function summarize(plan: PolicyPlan, run: { runId: string; dryRun: boolean; userId: string | null; now: Date }): PolicyRunResult {
  const count = (step: PolicyStep) => plan.changes.filter((c) => c.steps.includes(step)).length;
  const clusters = plan.clusterPlans.map(countPlan).reduce(
    (a, b) => ({ created: a.created + b.created, updated: a.updated + b.updated, deleted: a.deleted + b.deleted }),
    { created: 0, updated: 0, deleted: 0 },
  );
  return {
    run_id: run.runId,
    dry_run: run.dryRun,
    user_id: run.userId,
    migrated: count("migrate"),
    summarized: count("summarize"),
    trimmed: count("trim"),
    thread_summaries: plan.threadSummaries.length,
    clusters,
    by_tier: plan.byTier,
    ran_at: run.now.toISOString(),
  };
}

/** Writes a plan on the run's transaction and returns the audit events of every change. */
async function applyPolicyPlan(tx: Database, plan: PolicyPlan, audit: ActorContext, runId: string): Promise<AuditEventInput[]> {
  const events: AuditEventInput[] = [];
  const memoryEvent = (row: MemoryRow, action: string, metadata: Record<string, unknown>) => ({
    ...audit,
    resourceType: "memory",
    resourceId: row.id,
    namespace: row.namespace,
    action,
    metadata: { run_id: runId, owner_id: row.userId, ...metadata },
  });

  for (const { before, after, steps } of plan.changes) {
    const [row] = await tx
      .update(memories)
      .set({ tier: after.tier, content: after.content, summarized: after.summarized, metadata: after.metadata, updatedAt: sql`now()` })
      .where(eq(memories.id, before.id))
      .returning(memoryColumns);
    events.push({
      ...memoryEvent(row!, `policy.${steps.join("+")}`, { changes: steps }),
      eventType: "memory.updated",
      beforeState: memoryToJson(before),
      afterState: memoryToJson(row!),
    });
  }

  for (const summary of plan.threadSummaries) {
    const values = {
      namespace: summary.namespace,
      content: summary.content,
      metadata: { kind: THREAD_SUMMARY_KIND, memory_count: summary.memoryCount },
    };
    if (summary.existing) {
      const [row] = await tx
        .update(memories)
        .set({ ...values, updatedAt: sql`now()` })
        .where(eq(memories.id, summary.existing.id))
        .returning(memoryColumns);
      events.push({
        ...memoryEvent(row!, "policy.thread_summary", { thread_id: summary.threadId }),
        eventType: "memory.updated",
        beforeState: memoryToJson(summary.existing),
        afterState: memoryToJson(row!),
      });
    } else {
      const [row] = await tx
        .insert(memories)
        .values({ ...values, userId: summary.userId, threadId: summary.threadId, tier: POLICY_CONFIG.thread_summaries.tier })
        .returning(memoryColumns);
      events.push({
        ...memoryEvent(row!, "policy.thread_summary", { thread_id: summary.threadId }),
        eventType: "memory.created",
        afterState: memoryToJson(row!),
      });
    }
  }

  for (const clusterPlan of plan.clusterPlans) {
    events.push(...(await applyClusterPlan(tx, clusterPlan, audit, { action: "policy.rebuild", metadata: { run_id: runId } })));
  }
  return events;
}

async function recordInBatches(tx: Database, events: AuditEventInput[]): Promise<void> {
  for (let i = 0; i < events.length; i += EVENTS_PER_INSERT) await recordAuditBatch(tx, events.slice(i, i + EVENTS_PER_INSERT));
}

/**
 * Runs the policy over one user's memories (or everyone's), as an admin: authz.permission.checked,
 * then in one transaction the changes with a memory.updated (or memory.created) per memory, the
 * cluster events and policy.executed. A dry run changes nothing and writes only policy.executed.
 * A run that fails records policy.failed outside its rolled-back transaction and rethrows.
 */
export async function runPolicies(db: Database, actor: Actor, input: RunPoliciesInput, audit: ActorContext): Promise<PolicyRunResult> {
  if (!actor.isAdmin) throw forbidden("Admin access required");
  const runId = randomUUID();
  const scope = input.user_id ?? null;
  const dryRun = input.dry_run;
  if (scope && !(await findUserById(db, scope))) throw notFound(`User ${scope} not found`);
  const runMetadata = { run_id: runId, dry_run: dryRun, user_id: scope };
  await recordAuditEvent(db, {
    ...audit,
    eventType: "authz.permission.checked",
    resourceType: "policy",
    resourceId: runId,
    action: "run",
    metadata: { permission: "policies:run", granted: true, roles: actor.roles, ...runMetadata },
  });

  try {
    return await db.transaction(async (tx) => {
      if (!dryRun) await (scope ? lockUserClusters(tx, scope) : lockAllClusters(tx));
      const [clock] = await selectRows<{ now: Date | string }>(tx, sql`select now() as now`);
      const now = new Date(clock!.now);
      const memoryQuery = tx
        .select(memoryColumns)
        .from(memories)
        .where(scope ? eq(memories.userId, scope) : undefined)
        .orderBy(asc(memories.id));
      const rows = dryRun ? await memoryQuery : await memoryQuery.for("update");
      const plan = planPolicyRun(rows, await loadClusters(tx, scope ? [scope] : null), now);
      const result = summarize(plan, { runId, dryRun, userId: scope, now });
      const events = dryRun ? [] : await applyPolicyPlan(tx, plan, audit, runId);
      const { run_id: _runId, ran_at: _ranAt, ...counts } = result;
      events.push({
        ...audit,
        eventType: "policy.executed",
        resourceType: "policy",
        resourceId: runId,
        action: "run",
        metadata: { ...counts, ...runMetadata, ran_at: result.ran_at },
      });
      await recordInBatches(tx, events);
      return result;
    });
  } catch (error) {
    try {
      await recordAuditEvent(db, {
        ...audit,
        eventType: "policy.failed",
        resourceType: "policy",
        resourceId: runId,
        action: "run",
        success: false,
        statusCode: 500,
        // The database's own message: drizzle's wrapper would quote the query's parameters (memory content).
        errorMessage: (databaseError(error)?.message ?? (error instanceof Error ? error.message : "Policy run failed")).slice(0, 500),
        metadata: runMetadata,
      });
    } catch (recordError) {
      console.error("[memoric] could not record policy.failed", recordError instanceof Error ? recordError.message : recordError);
    }
    throw error;
  }
}
