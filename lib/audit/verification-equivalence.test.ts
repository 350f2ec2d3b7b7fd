// verifyAuditLog reads rows raw (streamed from postgres.js, or through drizzle's execute on PGlite)
// and checks them with the fast hashing paths, on its own thread or in worker threads. Its verdict
// must stay the one the ORM-based verifier gave, tampering included: this runs them on the same
// logs and compares the reports.
import { and, asc, eq, gte, lt, sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { selectRows, type Database } from "@/lib/db/client";
import { auditCheckpoints, auditLogs, auditRemoved, auditSeal, auditSealState } from "@/lib/db/schema";
import { createTestDatabase, type TestDatabase } from "@/lib/db/testing";
import { auditLeafHash, personalDataProblem } from "./canonical";
import { checkpointMessage, createCheckpoint, verifyAuditLog, type Checkpoint, type VerificationReport } from "./integrity";
import { auditKeys, rowMac, verifySignature } from "./keys";
import { appendLeaf, frontierRoot, leafNodeHash, type Frontier } from "./merkle";
import { auditLogToJson, leafContentOf } from "./query";
import { recordAuditEvents } from "./record";
import { isoTimestamp } from "./sealed-batch";

/** verifyAuditLog as it was: ORM rows, then every check in turn (batches of 7 to cross batch edges). */
async function referenceVerify(db: Database): Promise<VerificationReport> {
  const keys = auditKeys();
  const [state] = await db.select().from(auditSealState).where(eq(auditSealState.id, 1));
  const checkpoints = await db.select().from(auditCheckpoints).orderBy(asc(auditCheckpoints.id));
  const total = state?.treeSize ?? 0;
  const report: VerificationReport = { ok: true, checked: 0, sealed_through: total, checkpoints_verified: 0, removed: 0 };
  const fail = (id: number | null, reason: string): VerificationReport => ({ ...report, ok: false, first_failure: { id, reason } });
  let previous: Checkpoint | undefined;
  for (const c of checkpoints) {
    if (c.keyId !== keys.keyId || !verifySignature(checkpointMessage(c), c.signature, keys.publicKey)) return fail(null, `checkpoint ${c.id}: signature does not verify`);
    if ((c.previousId ?? null) !== (previous?.id ?? null) || (previous && c.treeSize < previous.treeSize)) {
      return fail(null, `checkpoint ${c.id}: does not follow checkpoint ${previous?.id ?? "none"}`);
    }
    if (c.treeSize > total) return fail(null, `checkpoint ${c.id}: covers ${c.treeSize} events but only ${total} are sealed`);
    previous = c;
  }
  const checkRoots = (size: number, frontier: Frontier): VerificationReport | null => {
    for (const c of checkpoints.filter((cp) => cp.treeSize === size)) {
      if (frontierRoot(frontier) !== c.rootHash) return fail(null, `checkpoint ${c.id}: root hash does not match the events it covers`);
      report.checkpoints_verified += 1;
    }
    return null;
  };
  const frontier: Frontier = [];
  const early = checkRoots(0, frontier);
  if (early) return early;
  const BATCH = 7;
  for (let start = 0; start < total; start += BATCH) {
    const rows = await db
      .select({ seal: auditSeal, log: auditLogs, removedBy: auditRemoved.runId })
      .from(auditSeal)
      .leftJoin(auditLogs, eq(auditLogs.id, auditSeal.logId))
      .leftJoin(auditRemoved, eq(auditRemoved.logId, auditSeal.logId))
      .where(and(gte(auditSeal.seq, start), lt(auditSeal.seq, Math.min(total, start + BATCH))))
      .orderBy(asc(auditSeal.seq));
    let expected = start;
    for (const { seal, log, removedBy } of rows) {
      if (seal.seq !== expected) return fail(null, `sealed order broken: leaf ${expected} is missing`);
      if (!log && removedBy === null) return fail(seal.logId, "event deleted (its sealed leaf has no row)");
      if (!log) {
        report.removed += 1;
        appendLeaf(frontier, seal.seq, leafNodeHash(seal.leafHash));
        expected += 1;
        const mismatch = checkRoots(seal.seq + 1, frontier);
        if (mismatch) return mismatch;
        continue;
      }
      if (removedBy !== null) return fail(log.id, "event listed as removed by retention is still present");
      const content = leafContentOf(auditLogToJson(log));
      if (auditLeafHash(content) !== log.leafHash) return fail(log.id, "event content changed (leaf hash does not match its content)");
      if (log.leafHash !== seal.leafHash) return fail(log.id, "event replaced or reordered (leaf hash differs from the sealed one)");
      if (log.writerMac !== rowMac(log.leafHash, keys)) return fail(log.id, "event not written by this server (writer MAC)");
      const personal = personalDataProblem(content);
      if (personal) return fail(log.id, personal);
      appendLeaf(frontier, seal.seq, leafNodeHash(seal.leafHash));
      expected += 1;
      report.checked += 1;
      const mismatch = checkRoots(seal.seq + 1, frontier);
      if (mismatch) return { ...mismatch, first_failure: { id: log.id, reason: mismatch.first_failure!.reason } };
    }
    if (expected !== Math.min(total, start + BATCH)) return fail(null, `sealed order broken: leaf ${expected} is missing`);
  }
  if (state && frontierRoot(frontier) !== frontierRoot(state.frontier)) return fail(null, "the sealer's state does not match the sealed events");
  const [stray] = await db
    .select({ id: auditLogs.id })
    .from(auditLogs)
    .leftJoin(auditSeal, eq(auditSeal.logId, auditLogs.id))
    .where(and(lt(auditLogs.txId, state?.sealedBeforeTx ?? 0), sql`${auditSeal.seq} is null`))
    .orderBy(asc(auditLogs.id))
    .limit(1);
  if (stray) return fail(stray.id, "event not in the sealed log (inserted around the server)");
  return report;
}

/** A report, or what verification threw. */
const outcome = (run: Promise<VerificationReport>) => run.then((report) => ({ report }), (error: unknown) => ({ threw: String(error) }));

describe("verifyAuditLog decides as the ORM-based verifier did", () => {
  let database: TestDatabase;
  const db = () => database.db;
  const TABLES = ["audit_logs", "audit_seal", "audit_removed", "audit_checkpoints", "audit_seal_state"];

  async function withTriggersOff(statements: ReturnType<typeof sql>[]) {
    for (const table of TABLES) await db().execute(sql.raw(`alter table ${table} disable trigger user`));
    try {
      for (const statement of statements) await db().execute(statement);
    } finally {
      for (const table of TABLES) await db().execute(sql.raw(`alter table ${table} enable trigger user`));
    }
  }

  beforeAll(async () => {
    database = await createTestDatabase();
    const odd = ["plain", "quote \" backslash \\ slash /", "tab \t newline \n cr \r \u0001 \u001f \u007f", "é ß 日本 🦄 \u202e \u2028 \u2029", ""];
    await recordAuditEvents(
      db(),
      Array.from({ length: 60 }, (_, i) => ({
        eventType: (["memory.created", "auth.login.failed", "cluster.updated", "custom.test.event"] as const)[i % 4]!,
        userId: i % 5 ? `user-${i}` : null,
        username: odd[i % odd.length],
        description: odd[(i + 1) % odd.length],
        resourceId: i % 3 ? i : `r-${odd[i % odd.length]}`,
        beforeState: i % 4 ? null : { content: odd[i % odd.length], nested: { z: [1, "two", null, true], a: { "10": 1, "9": 2 } } },
        metadata: i % 2 ? { n: i, big: 1e21, tiny: 1e-7, neg: -0, frac: 0.1, text: odd[i % odd.length], list: [{ b: 1, a: 2 }] } : null,
        tags: i % 3 ? null : ["b", odd[i % odd.length]!, "a"],
        statusCode: i % 6 ? 200 : null,
        success: i % 7 !== 0,
        timestamp: new Date(Date.UTC(2026, 0, 1, 0, 0, i, i * 7)),
      })),
      { enabled: true },
    );
    await createCheckpoint(db(), "on_demand");
    await recordAuditEvents(db(), [{ eventType: "auth.logout" }, { eventType: "auth.logout", metadata: { last: true } }], { enabled: true });
    await createCheckpoint(db(), "on_demand");
    for (const table of TABLES) await db().execute(sql.raw(`create table saved_${table} as select * from ${table}`));
  });

  afterAll(async () => {
    await database?.close();
  });

  const ids = async () => (await selectRows<{ id: number }>(db(), sql`select log_id::int as id from audit_seal order by seq`)).map((r) => r.id);

  /** A copy of event `id` inserted around the server, in the same (sealed) transaction. */
  const insertedAround = (id: number) =>
    `insert into audit_logs (event_type, severity, success, retention_policy, timestamp, leaf_hash, tx_id) select event_type, severity, success, retention_policy, timestamp, leaf_hash, tx_id from audit_logs where id = ${id}`;
  /** Event `id`'s tx_id (not in its leaf hash) moved to the sealer's watermark: one row fewer below it. */
  const movedPastWatermark = (id: number) => `update audit_logs set tx_id = (select sealed_before_tx from audit_seal_state) where id = ${id}`;

  // Each case tampers with a fresh copy of the log; `ids` are the events in sealed order.
  const cases: [string, (ids: number[]) => string[]][] = [
    ["untouched", () => []],
    ["description changed", (ids) => [`update audit_logs set description = 'x' where id = ${ids[9]}`]],
    ["metadata replaced by the JSON text of itself", (ids) => [`update audit_logs set metadata = to_jsonb(metadata::text) where id = ${ids[3]}`]],
    ["metadata replaced by a JSON string", (ids) => [`update audit_logs set metadata = '"plain"' where id = ${ids[3]}`]],
    ["tags replaced by the JSON text of themselves", (ids) => [`update audit_logs set tags = to_jsonb(tags::text) where id = ${ids[0]}`]],
    ["tags of mixed kinds", (ids) => [`update audit_logs set tags = '["a", 1, {"b": null}]' where id = ${ids[0]}`]],
    ["timestamp moved by a microsecond", (ids) => [`update audit_logs set timestamp = timestamp + interval '1 microsecond' where id = ${ids[5]}`]],
    ["timestamp moved by a millisecond", (ids) => [`update audit_logs set timestamp = timestamp + interval '1 millisecond' where id = ${ids[5]}`]],
    ["timestamp before the year 1000", (ids) => [`update audit_logs set timestamp = '0050-03-01 12:00:00+00' where id = ${ids[5]}`]],
    ["timestamp infinite", (ids) => [`update audit_logs set timestamp = 'infinity' where id = ${ids[5]}`]],
    ["timestamp infinite after a failing event", (ids) => [`update audit_logs set severity = 'debug' where id = ${ids[4]}`, `update audit_logs set timestamp = 'infinity' where id = ${ids[5]}`]],
    ["erasure time infinite", (ids) => [`update audit_logs set erased_at = 'infinity' where id = ${ids[6]}`]],
    ["status code changed", (ids) => [`update audit_logs set status_code = 201 where id = ${ids[1]}`]],
    ["success flipped", (ids) => [`update audit_logs set success = not success where id = ${ids[2]}`]],
    ["leaf hash in upper case", (ids) => [`update audit_logs set leaf_hash = upper(leaf_hash) where id = ${ids[8]}`]],
    ["writer MAC removed", (ids) => [`update audit_logs set writer_mac = null where id = ${ids[10]}`]],
    ["username changed", (ids) => [`update audit_logs set username = 'mallory' where id = ${ids[11]}`]],
    ["salt removed, personal data kept", (ids) => [`update audit_logs set personal_salt = null where id = ${ids[12]}`]],
    ["erased properly", (ids) => [`update audit_logs set username = null, session_id = null, ip_address = null, user_agent = null, before_state = null, after_state = null, request_params = null, error_message = null, metadata = null, personal_salt = null, erased_at = now() where id = ${ids[13]}`]],
    ["row deleted", (ids) => [`delete from audit_logs where id = ${ids[14]}`]],
    ["row removed by retention", (ids) => [`insert into audit_removed (log_id, run_id) values (${ids[15]}, 1)`, `delete from audit_logs where id = ${ids[15]}`]],
    ["removed row's sealed leaf changed", (ids) => [`insert into audit_removed (log_id, run_id) values (${ids[20]}, 1)`, `delete from audit_logs where id = ${ids[20]}`, `update audit_seal set leaf_hash = md5('a') || md5('b') where log_id = ${ids[20]}`]],
    ["row listed as removed but present", (ids) => [`insert into audit_removed (log_id, run_id) values (${ids[16]}, 1)`]],
    ["sealed leaf hash changed", (ids) => [`update audit_seal set leaf_hash = md5('a') || md5('b') where log_id = ${ids[17]}`]],
    ["seal missing", (ids) => [`delete from audit_seal where log_id = ${ids[18]}`]],
    ["last seal missing", (ids) => [`delete from audit_seal where log_id = ${ids.at(-1)}`]],
    ["checkpoint root changed", () => [`update audit_checkpoints set root_hash = repeat('0', 64) where id = (select max(id) from audit_checkpoints)`]],
    ["sealer state changed", () => [`update audit_seal_state set frontier = '[]'`]],
    // Rows written around the server: verifyAuditLog counts the rows below the sealer's watermark
    // and looks for sealed rows past it before it looks for them one by one.
    ["a row inserted around the server", (ids) => [insertedAround(ids[3]!)]],
    ["a sealed row's transaction id moved past the watermark", (ids) => [movedPastWatermark(ids[7]!)]],
    ["a row inserted around the server, and a sealed row's transaction id moved past the watermark", (ids) => [insertedAround(ids[3]!), movedPastWatermark(ids[7]!)]],
  ];

  for (const [name, tamper] of cases) {
    it(`the same report or error: ${name}`, async () => {
      const sealed = await ids();
      await withTriggersOff(tamper(sealed).map((statement) => sql.raw(statement)));
      try {
        const expected = await outcome(referenceVerify(db()));
        expect(await outcome(verifyAuditLog(db(), { workers: 0 }))).toEqual(expected);
        // Worker threads (on PostgreSQL; PGlite has no second connection), in batches of 7 so
        // that failures fall in every position of a batch and on batch edges.
        const started: number[] = [];
        expect(await outcome(verifyAuditLog(db(), { workers: 2, batchSize: 7, onStart: ({ workers }) => started.push(workers) }))).toEqual(expected);
        // (A bad checkpoint fails before any leaf is read, and no reading starts.)
        expect(started).toEqual(started.length ? [process.env.DATABASE_URL ? 2 : 0] : []);
        if (name === "untouched") {
          expect(expected).toMatchObject({ report: { ok: true, checked: 62, checkpoints_verified: 2 } });
          expect(started).toHaveLength(1);
        }
      } finally {
        await withTriggersOff(TABLES.flatMap((table) => [sql.raw(`delete from ${table}`), sql.raw(`insert into ${table} overriding system value select * from saved_${table}`)]));
      }
    });
  }
});

describe("isoTimestamp", () => {
  it("is new Date(text).toISOString() for PostgreSQL's timestamptz text, and throws as it does", () => {
    const texts = ["2026-08-29 10:18:17.867+00", "2026-08-29 10:18:17+00", "2026-08-29 10:18:17.8+00", "2026-08-29 10:18:17.867999+00", "1000-01-01 00:00:00+00", "9999-12-31 23:59:59.999999+00", "0999-01-01 00:00:00+00", "0050-03-01 00:00:00+00", "2026-08-29 10:18:17.867+02", "2026-08-29 10:18:17.867+05:30", "1969-12-31 23:59:59.9995+00", "0044-03-15 12:00:00+00 BC", "infinity", "-infinity"];
    for (let i = 0; i < 2000; i++) {
      const at = new Date(Date.UTC(1000, 0, 1) + Math.floor(Math.random() * (Date.UTC(9999, 11, 31) - Date.UTC(1000, 0, 1))));
      const micro = String(Math.floor(Math.random() * 1e6)).padStart(6, "0").replace(/0+$/, "");
      texts.push(`${at.toISOString().slice(0, 19).replace("T", " ")}${micro ? `.${micro}` : ""}+00`);
    }
    for (const text of texts) {
      const expected = (() => {
        try {
          return new Date(text).toISOString();
        } catch (error) {
          return String(error);
        }
      })();
      const actual = (() => {
        try {
          return isoTimestamp(text);
        } catch (error) {
          return String(error);
        }
      })();
      expect(actual, text).toBe(expected);
    }
    expect(isoTimestamp(new Date(0))).toBe("1970-01-01T00:00:00.000Z");
  });
});
