import { createReadStream } from "node:fs";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { createInterface } from "node:readline";
import { createGunzip } from "node:zlib";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { databaseError, selectRows } from "@/lib/db/client";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { verifyBundle } from "./bundle";
import { erasePersonalData } from "./erasure";
import { createCheckpoint, verifyAuditLog } from "./integrity";
import { auditKeys } from "./keys";
import { getAuditLog, queryAuditLogs } from "./query";
import { recordAuditEvent, recordAuditEvents } from "./record";
import { runRetention } from "./retention";

let database: TestDatabase;
let dir: string;
const DAY = 86_400_000;

beforeAll(async () => {
  database = await createTestDatabase();
  dir = await mkdtemp(path.join(tmpdir(), "memoric-retention-"));
});

afterAll(async () => {
  await database?.close();
  await rm(dir, { recursive: true, force: true });
});

async function gunzipLines(file: string): Promise<string[]> {
  const lines: string[] = [];
  for await (const line of createInterface({ input: createReadStream(file).pipe(createGunzip()) })) lines.push(line);
  return lines;
}

describe("retention", () => {
  it("archives expired events with proofs, removes them, and the rest still verifies", async () => {
    const db = database.db;
    const now = Date.now();
    const old = await recordAuditEvents(db, Array.from({ length: 30 }, (_, i) => ({ eventType: "memory.retrieved" as const, userId: `old${i}`, timestamp: new Date(now - 100 * DAY) })));
    const oldSecurity = await recordAuditEvents(db, Array.from({ length: 5 }, () => ({ eventType: "auth.login.failed" as const, success: false, timestamp: new Date(now - 100 * DAY) })));
    const recent = await recordAuditEvents(db, Array.from({ length: 10 }, () => ({ eventType: "memory.created" as const, timestamp: new Date(now - DAY) })));
    expect(old[0]!.retentionPolicy).toBe("standard");
    expect(oldSecurity[0]!.retentionPolicy).toBe("security");
    await createCheckpoint(db, "on_demand");

    const result = await runRetention(db, { archiveDir: dir, days: { standard: 90, security: 365 } });
    expect(result.removed).toBe(30);
    expect(result.archive).toMatch(/retention-\d+-.*\.bundle\.ndjson\.gz$/);

    // The archive verifies offline with the public key alone and holds exactly what was removed.
    const lines = await gunzipLines(result.archive!);
    const report = verifyBundle(lines, auditKeys().publicKey);
    expect(report).toMatchObject({ ok: true, events: 30, proven: 30, unproven: 0 });
    expect(lines.slice(1).map((l) => JSON.parse(l).event.id).sort((a, b) => a - b)).toEqual(old.map((r) => r.id));

    for (const row of old) expect(await getAuditLog(db, row.id)).toBeNull();
    for (const row of [...oldSecurity, ...recent]) expect(await getAuditLog(db, row.id)).not.toBeNull();
    const verified = await verifyAuditLog(db);
    expect(verified).toMatchObject({ ok: true, removed: 30 });
    expect(verified.checked + verified.removed).toBe(verified.sealed_through);

    const [event] = (await queryAuditLogs(db, { eventTypes: ["system.retention.applied"] })).logs;
    expect(event!.metadata).toMatchObject({ run_id: result.run_id, removed: 30, archive_sha256: result.archive_sha256 });

    // A second run finds nothing more; a DELETE outside the job is still refused.
    expect((await runRetention(db, { archiveDir: dir, days: { standard: 90, security: 365 } })).removed).toBe(0);
    const refused = await db.execute(sql`delete from audit_logs where id = ${recent[0]!.id}`).then(() => null, (e: unknown) => e);
    expect(databaseError(refused)?.message).toBe("audit_logs is append-only: DELETE is not allowed");
  });
});

describe("GDPR erasure", () => {
  it("removes a user's personal data from their events, audits it, and the log still verifies", async () => {
    const db = database.db;
    const mine = await recordAuditEvents(db, [
      { eventType: "auth.login.success", userId: "subject-1", username: "erin", ipAddress: "192.0.2.44", userAgent: "Firefox", sessionId: "s-1" },
      { eventType: "memory.created", userId: "subject-1", username: "erin", afterState: { content: "Erin's diary" }, metadata: { note: "private" } },
      { eventType: "user.updated", userId: "admin-1", username: "root", resourceType: "user", resourceId: "subject-1", beforeState: { email: "erin@example.com" } },
    ]);
    const other = await recordAuditEvent(db, { eventType: "auth.login.success", userId: "someone", username: "sam", ipAddress: "192.0.2.45" });
    await createCheckpoint(db, "on_demand");

    const result = await erasePersonalData(db, "subject-1", { userId: "admin-1", username: "root", ipAddress: "127.0.0.1" }, "GDPR request 42");
    expect(result).toEqual({ user_id: "subject-1", events_erased: 3 });
    for (const row of mine) {
      const after = await getAuditLog(db, row.id);
      expect(after).toMatchObject({ username: null, ipAddress: null, userAgent: null, sessionId: null, beforeState: null, afterState: null, metadata: null, personalSalt: null, leafHash: row.leafHash });
      expect(after!.erasedAt).toBeInstanceOf(Date);
      expect(after!.userId).toBe(row.userId);
    }
    const stored = JSON.stringify(await selectRows(db, sql`select * from audit_logs where user_id = 'subject-1' or resource_id = 'subject-1'`));
    for (const personal of ["erin", "192.0.2.44", "Firefox", "diary", "erin@example.com", "private"]) {
      expect(stored).not.toContain(personal);
    }
    expect((await getAuditLog(db, other!.id))!.username).toBe("sam");
    const [erasure] = (await queryAuditLogs(db, { eventTypes: ["user.personal_data.erased"] })).logs;
    expect(erasure).toMatchObject({ resourceId: "subject-1", username: "root", metadata: { events_erased: 3, reason: "GDPR request 42" } });

    await createCheckpoint(db, "on_demand");
    expect(await verifyAuditLog(db)).toMatchObject({ ok: true });

    // Writing personal data back into an erased event, or changing it elsewhere, is caught.
    await db.execute(sql`alter table audit_logs disable trigger user`);
    await db.execute(sql`update audit_logs set username = 'erin' where id = ${mine[0]!.id}`);
    expect((await verifyAuditLog(db)).first_failure).toEqual({ id: mine[0]!.id, reason: "personal data present on an erased event" });
    await db.execute(sql`update audit_logs set username = null where id = ${mine[0]!.id}`);
    await db.execute(sql`update audit_logs set ip_address = '10.9.9.9' where id = ${other!.id}`);
    expect((await verifyAuditLog(db)).first_failure).toEqual({ id: other!.id, reason: "personal data changed (digest does not match)" });
    await db.execute(sql`update audit_logs set ip_address = '192.0.2.45' where id = ${other!.id}`);
    await db.execute(sql`alter table audit_logs enable trigger user`);
    expect((await verifyAuditLog(db)).ok).toBe(true);

    // Only the erasure's own shape of UPDATE passes the trigger.
    const sneaky = await db
      .transaction(async (tx) => {
        await tx.execute(sql`select set_config('memoric.erasure', 'on', true)`);
        await tx.execute(sql`update audit_logs set severity = 'debug', username = null, personal_salt = null, erased_at = now() where id = ${other!.id}`);
      })
      .then(() => null, (e: unknown) => e);
    expect(databaseError(sneaky)?.message).toBe("audit_logs is append-only: UPDATE is not allowed");
  });
});
