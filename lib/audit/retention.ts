// Retention that keeps verification: events past their policy's age are first archived, with
// their inclusion proofs against a fresh signed checkpoint, to a gzip-compressed bundle that
// verifies offline; then removed in bounded batches through the one DELETE the database allows.
// Their sealed leaves stay in the tree, so the remaining log and every checkpoint still verify.
import { createHash } from "node:crypto";
import { createWriteStream } from "node:fs";
import { mkdir, readFile } from "node:fs/promises";
import path from "node:path";
import { createGzip } from "node:zlib";
import { and, asc, eq, gt, inArray, lt, or, sql, type SQL } from "drizzle-orm";
import type { Database } from "@/lib/db/client";
import { auditLogs, auditRemoved, auditRetentionRuns, auditSeal } from "@/lib/db/schema";
import { env } from "@/lib/env";
import { BUNDLE_TYPE } from "./bundle";
import { cachedNodeReader, checkpointToJson, createCheckpoint } from "./integrity";
import { publicKeyInfo } from "./keys";
import { inclusionProof } from "./merkle";
import { auditLogToJson } from "./query";
import { recordAuditEvent } from "./record";

const BATCH = 2000;

export interface RetentionResult {
  run_id: number;
  removed: number;
  archive: string | null;
  archive_sha256: string | null;
  checkpoint_id: number;
  cutoffs: Record<string, string>;
}

function cutoffsFor(now: Date, days: Record<string, number>): Record<string, Date> {
  return Object.fromEntries(Object.entries(days).map(([policy, d]) => [policy, new Date(now.getTime() - d * 86_400_000)]));
}

export async function runRetention(
  db: Database,
  options: { now?: Date; days?: Record<string, number>; archiveDir?: string; onProgress?: (done: number) => void } = {},
): Promise<RetentionResult> {
  const settings = env();
  const now = options.now ?? new Date();
  const cutoffs = cutoffsFor(now, options.days ?? settings.MEMORIC_RETENTION_DAYS);
  const archiveDir = options.archiveDir ?? settings.MEMORIC_ARCHIVE_DIR ?? path.join(settings.MEMORIC_DATA_DIR, "archive");
  const cutoffJson = Object.fromEntries(Object.entries(cutoffs).map(([k, v]) => [k, v.toISOString()]));

  // 1. Seal everything and sign the head the archived proofs point to.
  const checkpoint = (await createCheckpoint(db, "retention"))!;
  const [run] = await db.insert(auditRetentionRuns).values({ startedAt: now, cutoffs: cutoffJson, checkpointId: checkpoint.id }).returning();
  const runId = run!.id;

  // Expired: sealed under that checkpoint, and older than its policy's cutoff. Events of a
  // policy with no configured age are kept.
  const expired: SQL = and(
    or(...Object.entries(cutoffs).map(([policy, cutoff]) => and(eq(auditLogs.retentionPolicy, policy), lt(auditLogs.timestamp, cutoff)))),
    lt(auditSeal.seq, checkpoint.treeSize),
  )!;
  const page = (afterId: number) =>
    db
      .select({ log: auditLogs, seq: auditSeal.seq })
      .from(auditLogs)
      .innerJoin(auditSeal, eq(auditSeal.logId, auditLogs.id))
      .where(and(expired, gt(auditLogs.id, afterId)))
      .orderBy(asc(auditLogs.id))
      .limit(BATCH);

  // 2. Archive every expiring event with its proof; the file is complete before anything is removed.
  let archive: string | null = null;
  let archiveSha: string | null = null;
  let count = 0;
  const first = await page(0);
  if (first.length) {
    await mkdir(archiveDir, { recursive: true });
    archive = path.join(archiveDir, `retention-${runId}-${now.toISOString().replace(/[:.]/g, "-")}.bundle.ndjson.gz`);
    const gzip = createGzip();
    const out = createWriteStream(archive, { flags: "wx" });
    const finished = new Promise<void>((resolve, reject) => {
      out.on("finish", resolve);
      out.on("error", reject);
      gzip.on("error", reject);
    });
    gzip.pipe(out);
    const write = (line: unknown) =>
      new Promise<void>((resolve) => (gzip.write(`${JSON.stringify(line)}\n`) ? resolve() : gzip.once("drain", resolve)));
    await write({ type: BUNDLE_TYPE, created_at: new Date().toISOString(), key: publicKeyInfo(), checkpoint: checkpointToJson(checkpoint), retention_run: runId });
    const read = cachedNodeReader(db);
    for (let rows = first; rows.length; rows = await page(rows.at(-1)!.log.id)) {
      for (const { log, seq } of rows) {
        await write({ type: "event", event: auditLogToJson(log), leaf_index: seq, inclusion_proof: await inclusionProof(read, seq, 0, checkpoint.treeSize) });
      }
      count += rows.length;
      options.onProgress?.(count);
    }
    gzip.end();
    await finished;
    archiveSha = createHash("sha256").update(await readFile(archive)).digest("hex");
  }

  // 3. Remove what was archived, a bounded batch per transaction.
  let removed = 0;
  for (let rows = first; rows.length; rows = await page(0)) {
    const ids = rows.map((r) => r.log.id);
    await db.transaction(async (tx) => {
      await tx.insert(auditRemoved).values(ids.map((logId) => ({ logId, runId })));
      await tx.execute(sql`select set_config('memoric.retention_run', ${String(runId)}, true)`);
      await tx.delete(auditLogs).where(inArray(auditLogs.id, ids));
    });
    removed += ids.length;
    if (removed > count) throw new Error("retention found events it had not archived; stopping");
  }

  await db.transaction(async (tx) => {
    await tx
      .update(auditRetentionRuns)
      .set({ finishedAt: new Date(), removed, archivePath: archive, archiveSha256: archiveSha })
      .where(eq(auditRetentionRuns.id, runId));
    await recordAuditEvent(tx, {
      eventType: "system.retention.applied",
      userId: "system",
      username: "system",
      resourceType: "audit_log",
      action: "retention",
      metadata: { run_id: runId, removed, archive, archive_sha256: archiveSha, checkpoint_id: checkpoint.id, cutoffs: cutoffJson },
    });
  });
  return { run_id: runId, removed, archive, archive_sha256: archiveSha, checkpoint_id: checkpoint.id, cutoffs: cutoffJson };
}
