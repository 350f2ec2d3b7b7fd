// npm run bench:verify [-- --events N] [--rounds R] [--keep-database | --database NAME]
//
// Full audit-log verification against PostgreSQL: seeds a fresh database with N realistic events
// (200k by default), then times, round after round in the same run since machines here are noisy:
//   ORM read     the rows read as the verifier read them before (drizzle objects), nothing checked;
//   baseline     the verifier before the fast path: ORM rows, general canonical JSON, createHash;
//   raw read     the rows read as verifyAuditLog reads them now (raw, streamed), nothing checked:
//                the floor for any verifier reading them this way;
//   one thread   verifyAuditLog reading and checking on the main thread alone (workers: 0);
//   verifyAuditLog itself, with its worker threads (one a core).
// Prints events/s and verifyAuditLog's ratios to the baseline, the raw read and one thread.
import { createHash, createHmac } from "node:crypto";
import os from "node:os";
import { parseArgs } from "node:util";
import { and, asc, eq, gte, lt } from "drizzle-orm";
import postgres from "postgres";
import { PERSONAL_FIELDS, type AuditLeafContent } from "@/lib/audit/canonical";
import { createCheckpoint, readAhead, VERIFY_BATCH, VERIFY_WORKERS, verifyAuditLog } from "@/lib/audit/integrity";
import { auditKeys } from "@/lib/audit/keys";
import { auditLogToJson, leafContentOf } from "@/lib/audit/query";
import { SEALED_LEAVES_SQL } from "@/lib/audit/sealed-batch";
import { connect, forEachRowOfText, migrate, type Database, type DatabaseHandle } from "@/lib/db/client";
import { auditLogs, auditRemoved, auditSeal } from "@/lib/db/schema";
import { runCli } from "../cli";
import { openBenchDatabase } from "./database";
import { Progress } from "./progress";
import { seedAuditLog } from "./seed";

const { values: args } = parseArgs({
  options: {
    events: { type: "string", default: "200000" },
    rounds: { type: "string", default: "2" },
    "keep-database": { type: "boolean", default: false },
    // Measures again on a database an earlier --keep-database run seeded (its key is kept beside it).
    database: { type: "string" },
    server: { type: "string", default: process.env.BENCH_DATABASE_SERVER ?? "postgres://postgres@127.0.0.1:5432/postgres" },
  },
});

const EVENTS = Number(args.events);
const ROUNDS = Number(args.rounds);

/** The sealed rows in batches, as the verifier before the fast path read them (ORM objects). */
async function* sealedRows(db: Database, total: number) {
  for (let start = 0; start < total; start += VERIFY_BATCH) {
    yield await db
      .select({ seal: auditSeal, log: auditLogs, removedBy: auditRemoved.runId })
      .from(auditSeal)
      .leftJoin(auditLogs, eq(auditLogs.id, auditSeal.logId))
      .leftJoin(auditRemoved, eq(auditRemoved.logId, auditSeal.logId))
      .where(and(gte(auditSeal.seq, start), lt(auditSeal.seq, Math.min(total, start + VERIFY_BATCH))))
      .orderBy(asc(auditSeal.seq));
  }
}

/** Reads every sealed row as the verifier once did, and checks nothing. */
async function ormRead(db: Database, total: number, progress: Progress): Promise<number> {
  let read = 0;
  for await (const rows of sealedRows(db, total)) {
    read += rows.length;
    progress.update(read);
  }
  return read;
}

/** Reads every sealed row as verifyAuditLog does (readAhead), and checks nothing. */
async function rawRead(db: Database, total: number, progress: Progress): Promise<number> {
  let read = 0;
  for await (const _ of readAhead(total, (start, end) => forEachRowOfText(db, SEALED_LEAVES_SQL, [start, end], () => (read += 1)))) {
    progress.update(read);
  }
  return read;
}

// The hashing as it was before the fast path (lib/audit canonical.ts, keys.ts, merkle.ts), kept
// here so the baseline stays what it was whatever the library does now.
function oldCanonicalJson(value: unknown): string {
  if (value === null || value === undefined) return "null";
  if (typeof value === "number" || typeof value === "boolean" || typeof value === "string") return JSON.stringify(value);
  if (Array.isArray(value)) return `[${value.map(oldCanonicalJson).join(",")}]`;
  const entries = Object.entries(value as Record<string, unknown>)
    .filter(([, v]) => v !== undefined)
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${oldCanonicalJson(v)}`).join(",")}}`;
}
const oldSha256Hex = (text: string) => createHash("sha256").update(text, "utf8").digest("hex");
const oldSha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();
function oldLeafHash(content: AuditLeafContent): string {
  const covered: Record<string, unknown> = { ...content };
  for (const field of PERSONAL_FIELDS) delete covered[field];
  delete covered.personal_salt;
  return oldSha256Hex(`memoric.audit.leaf.v2\n${oldCanonicalJson(covered)}`);
}
function oldPersonalDataProblem(content: AuditLeafContent): string | null {
  if (content.personal_salt === null) return PERSONAL_FIELDS.some((f) => content[f] !== null) ? "erased event has personal data" : null;
  const part = Object.fromEntries(PERSONAL_FIELDS.map((f) => [f, content[f]]));
  const digest = oldSha256Hex(`memoric.audit.personal.v1\n${content.personal_salt}\n${oldCanonicalJson(part)}`);
  return digest === content.personal_digest ? null : "personal data changed";
}
type OldFrontier = { level: number; hash: string }[];
function oldAppendLeaf(frontier: OldFrontier, leafHashHex: string): void {
  frontier.push({ level: 0, hash: oldSha256(Buffer.from([0]), Buffer.from(leafHashHex, "hex")).toString("hex") });
  for (;;) {
    const right = frontier[frontier.length - 1];
    const left = frontier[frontier.length - 2];
    if (!left || !right || left.level !== right.level) break;
    frontier.splice(frontier.length - 2, 2);
    frontier.push({ level: right.level + 1, hash: oldSha256(Buffer.from([1]), Buffer.from(left.hash, "hex"), Buffer.from(right.hash, "hex")).toString("hex") });
  }
}

/**
 * The pre-change verification of each sealed event. Checkpoints are left out (they cost nothing),
 * and so is the search for events left unsealed, which verifyAuditLog does: before 2026-12-06 it
 * cost 0.83 s of 300k events (an anti-join of every event with its seal), now ~40 ms.
 */
async function baselineVerify(db: Database, total: number, progress: Progress): Promise<number> {
  const { macKey } = auditKeys();
  const frontier: OldFrontier = [];
  let checked = 0;
  for await (const rows of sealedRows(db, total)) {
    for (const { seal, log } of rows) {
      if (!log) throw new Error(`baseline: leaf ${seal.seq} has no row`);
      const content = leafContentOf(auditLogToJson(log));
      if (oldLeafHash(content) !== log.leafHash || log.leafHash !== seal.leafHash) throw new Error(`baseline: event ${log.id} does not verify`);
      if (log.writerMac !== createHmac("sha256", macKey).update(log.leafHash).digest("hex")) throw new Error(`baseline: event ${log.id} writer MAC`);
      const personal = oldPersonalDataProblem(content);
      if (personal) throw new Error(`baseline: event ${log.id}: ${personal}`);
      oldAppendLeaf(frontier, seal.leafHash);
      checked += 1;
    }
    progress.update(checked);
  }
  return checked;
}

async function timed(label: string, total: number, run: (progress: Progress) => Promise<number>): Promise<number> {
  const progress = new Progress(label, total, "events");
  const started = performance.now();
  const done = await run(progress);
  const seconds = (performance.now() - started) / 1000;
  progress.done();
  if (done !== total) throw new Error(`${label}: ${done} of ${total} events`);
  return total / seconds;
}

const fmt = (n: number, digits = 0) => n.toLocaleString("en", { maximumFractionDigits: digits, minimumFractionDigits: digits });

async function main(): Promise<number> {
  if (!Number.isInteger(EVENTS) || EVENTS < 1000) throw new Error("--events must be a whole number ≥ 1000");
  if (!Number.isInteger(ROUNDS) || ROUNDS < 1) throw new Error("--rounds must be a whole number ≥ 1");
  const bench = await openBenchDatabase("memoric_verify", { server: args.server, reuse: args.database, keep: args["keep-database"] });
  const { name } = bench;
  const url = new URL(bench.url);
  let sql: postgres.Sql | undefined;
  let handle: DatabaseHandle | undefined;
  try {
    sql = postgres(url.toString(), { max: 2, onnotice: () => {} });
    handle = await connect({ url: url.toString(), maxConnections: 4 });
    await migrate(handle);
    if (bench.reused) {
      console.error(`Database ${name} on ${url.host}: reusing its events`);
    } else {
      console.error(`Database ${name} on ${url.host}; ${EVENTS.toLocaleString("en")} events`);
      await seedAuditLog(sql, handle.db, EVENTS);
      await createCheckpoint(handle.db, "on_demand");
      await sql`vacuum analyze`;
    }
    const [state] = await sql<{ tree_size: string }[]>`select tree_size from audit_seal_state where id = 1`;
    const total = Number(state?.tree_size ?? 0);
    if (total < EVENTS) throw new Error(`${name} holds ${total} sealed events, fewer than --events ${EVENTS}`);
    const [version] = await sql<{ server_version: string }[]>`show server_version`;

    const db = handle.db;
    // The first step reads every row, so later ones are not charged for the disk.
    const orm: number[] = [];
    const baseline: number[] = [];
    const raw: number[] = [];
    const oneThread: number[] = [];
    const verified: number[] = [];
    const verifyRound = (workers: number | undefined) => async (p: Progress) => {
      const report = await verifyAuditLog(db, { workers, onProgress: (done) => p.update(done) });
      if (!report.ok) throw new Error(`the seeded log did not verify: ${JSON.stringify(report.first_failure)}`);
      return report.checked;
    };
    for (let round = 1; round <= ROUNDS; round++) {
      orm.push(await timed(`ORM read, round ${round}`, total, (p) => ormRead(db, total, p)));
      baseline.push(await timed(`baseline, round ${round}`, total, (p) => baselineVerify(db, total, p)));
      raw.push(await timed(`raw read, round ${round}`, total, (p) => rawRead(db, total, p)));
      oneThread.push(await timed(`verifyAuditLog on one thread, round ${round}`, total, verifyRound(0)));
      verified.push(await timed(`verifyAuditLog, ${VERIFY_WORKERS} workers, round ${round}`, total, verifyRound(VERIFY_WORKERS)));
    }

    const best = (list: number[]) => Math.max(...list);
    console.log(`\nVerification — ${total.toLocaleString("en")} events, PostgreSQL ${version?.server_version}, ${os.cpus().length} × ${os.cpus()[0]?.model}, Node ${process.version}\n`);
    console.log("                                  events/s by round               best");
    for (const [label, list] of [
      ["ORM read (no checks)", orm],
      ["baseline (pre-change verifier)", baseline],
      ["raw read (no checks)", raw],
      ["verifyAuditLog, one thread", oneThread],
      [`verifyAuditLog, ${VERIFY_WORKERS} worker threads`, verified],
    ] as const) {
      console.log(`  ${label.padEnd(34)} ${list.map((r) => fmt(r).padStart(9)).join(" ")}   ${fmt(best(list)).padStart(9)}`);
    }
    const ratios = (of: number[]) => verified.map((v, i) => `${fmt(v / of[i]!, 2)}×`).join(" ");
    console.log(`\n  verifyAuditLog / baseline  best ${fmt(best(verified) / best(baseline), 2)}×, by round ${ratios(baseline)}`);
    console.log(`  verifyAuditLog / raw read  best ${fmt(best(verified) / best(raw), 2)}×, by round ${ratios(raw)}`);
    console.log(`  workers / one thread       best ${fmt(best(verified) / best(oneThread), 2)}×, by round ${ratios(oneThread)}`);
    console.log(`  target ≥ 100,000 events/s: ${best(verified) >= 100_000 ? "met" : "not met"}`);
    if (bench.keep) console.error(`\nKept ${name}; run again with --database ${name}`);
    return 0;
  } finally {
    await handle?.close();
    await sql?.end({ timeout: 5 });
    await bench.close();
  }
}

runCli(main);
