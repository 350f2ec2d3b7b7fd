// Tamper evidence over HTTP and from the command line: checkpoints, proofs, verification, bundles.
import { execFile } from "node:child_process";
import { createPublicKey, verify } from "node:crypto";
import { mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { tmpdir } from "node:os";
import path from "node:path";
import { promisify } from "node:util";
import { sql } from "drizzle-orm";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { leafNodeHash, verifyConsistency, verifyInclusion } from "@/lib/audit/merkle";
import type { Api } from "../support/api";
import { apiFor } from "../support/api";
import { startTestServer, type TestServer } from "../support/server";

const run = promisify(execFile);
/** How verification reads, as its log line ends: worker threads on PostgreSQL. */
const READERS = process.env.DATABASE_URL ? "2 worker threads" : "one thread";
let server: TestServer;
let api: Api;
let admin: string;
let dir: string;

beforeAll(async () => {
  // Verification in worker threads however small the log (on PostgreSQL; PGlite has one connection).
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0", MEMORIC_AUDIT_VERIFY_WORKERS: "2" });
  api = apiFor(server);
  admin = await api.adminToken();
  dir = await mkdtemp(path.join(tmpdir(), "memoric-integrity-"));
  const { token } = await api.createUser("tracked");
  for (let i = 0; i < 5; i++) await api.post("/memories", { content: `memory ${i}` }, { token });
});

afterAll(async () => {
  await server?.dispose();
  await rm(dir, { recursive: true, force: true });
});

async function cli(...args: string[]) {
  try {
    const { stdout, stderr } = await run("npx", ["tsx", "scripts/audit-verify.ts", ...args], { env: { ...server.env, NODE_ENV: "development" } });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
}

describe("signed checkpoints and proofs", () => {
  it("publishes the public key without authentication, and checkpoints verify with it", async () => {
    const key = await api.get("/audit/checkpoints/key");
    expect(key.status).toBe(200);
    expect(key.body).toMatchObject({ algorithm: "Ed25519", key_id: expect.stringMatching(/^[0-9a-f]{16}$/), public_key_pem: expect.stringContaining("BEGIN PUBLIC KEY") });
    const first = await api.post("/audit/checkpoints", undefined, { token: admin });
    expect(first.status).toBe(201);
    await api.get("/audit/events/types", { token: admin });
    const second = await api.post("/audit/checkpoints", undefined, { token: admin });
    expect(second.body).toMatchObject({ previous_id: first.body.id, reason: "on_demand" });
    expect(second.body.tree_size).toBeGreaterThan(first.body.tree_size);
    const publicKey = createPublicKey(key.body.public_key_pem);
    for (const c of [first.body, second.body]) {
      expect(verify(null, Buffer.from(c.signed_message), publicKey, Buffer.from(c.signature, "base64"))).toBe(true);
      expect(JSON.parse(c.signed_message)).toMatchObject({ tree_size: c.tree_size, root_hash: c.root_hash, previous_id: c.previous_id });
    }
    const list = await api.get("/audit/checkpoints?limit=1", { token: admin });
    expect(list.body.checkpoints[0]).toMatchObject({ id: second.body.id, consistency: { from_id: first.body.id } });
    expect(list.body.next_cursor).toBe(String(second.body.id));
    const { consistency } = list.body.checkpoints[0];
    expect(verifyConsistency(first.body.tree_size, second.body.tree_size, first.body.root_hash, second.body.root_hash, consistency.proof)).toBe(true);
    const older = await api.get(`/audit/checkpoints?limit=1&cursor=${list.body.next_cursor}`, { token: admin });
    expect(older.body.checkpoints[0].id).toBe(first.body.id);
    expect((await api.get("/audit/checkpoints?limit=0", { token: admin })).status).toBe(422);
  });

  it("GET /audit/logs/{id} carries the event's inclusion proof against the latest checkpoint", async () => {
    const [log] = await api.auditLogs(admin, { event_type: "memory.created" });
    await api.post("/audit/checkpoints", undefined, { token: admin });
    const response = await api.get(`/audit/logs/${log.id}`, { token: admin });
    const { integrity } = response.body;
    expect(integrity).toMatchObject({ leaf_hash_valid: true, sealed: true, status: "sealed" });
    expect(verifyInclusion(integrity.leaf_index, integrity.checkpoint.tree_size, leafNodeHash(log.leaf_hash), integrity.inclusion_proof, integrity.checkpoint.root_hash)).toBe(true);
  });

  it("GET /audit/verify reports an untouched log as intact", async () => {
    const response = await api.get("/audit/verify", { token: admin });
    expect(response.status).toBe(200);
    expect(response.body).toMatchObject({ ok: true, checked: response.body.sealed_through });
    expect(response.body.checked).toBeGreaterThan(10);
    expect((await api.get("/audit/verify", { token: (await api.createUser("curious")).token })).status).toBe(403);
  });
});

describe("tampering", () => {
  const columns =
    "event_type, severity, description, user_id, username, session_id, ip_address, user_agent, resource_type, resource_id, namespace, action, before_state, after_state, request_method, request_path, request_params, success, error_message, status_code, metadata, tags, compliance_tags, retention_policy, timestamp, leaf_hash, writer_mac, tx_id, personal_digest, personal_salt, erased_at";
  const swap = (a: number, b: number) =>
    `update audit_logs x set (${columns}) = (select ${columns} from audit_logs y where y.id = case x.id when ${a} then ${b} else ${a} end) where x.id in (${a}, ${b})`;

  /** Runs statements as the database owner with the append-only triggers off. */
  async function asSuperuser(statements: string[]) {
    const handle = await server.openDatabase();
    try {
      for (const table of ["audit_logs", "audit_checkpoints"]) await handle.db.execute(sql.raw(`alter table ${table} disable trigger user`));
      for (const statement of statements) await handle.db.execute(sql.raw(statement));
      for (const table of ["audit_logs", "audit_checkpoints"]) await handle.db.execute(sql.raw(`alter table ${table} enable trigger user`));
    } finally {
      await handle.close();
    }
  }

  it("each kind of tampering is found by the CLI and by /audit/verify, naming the first bad event", async () => {
    const logs = (await api.auditLogs(admin, { event_type: "memory.created" })).sort((a, b) => a.id - b.id);
    const [a, b] = [logs[1].id as number, logs[2].id as number];
    const checkpoint = (await api.post("/audit/checkpoints", undefined, { token: admin })).body;
    const save = `create table tamper_saved as select * from audit_logs where id in (${a}, ${b})`;
    const putBack = [
      `update audit_logs x set (${columns}) = (select ${columns} from tamper_saved y where y.id = x.id) where x.id in (${a}, ${b})`,
      "drop table tamper_saved",
    ];
    const scenarios: { name: string; tamper: string[]; restore: string[]; id: number | null; reason: string }[] = [
      {
        name: "a changed column",
        tamper: [save, `update audit_logs set action = 'tampered' where id = ${a}`],
        restore: putBack,
        id: a,
        reason: "event content changed (leaf hash does not match its content)",
      },
      {
        name: "changed personal data",
        tamper: [save, `update audit_logs set ip_address = '203.0.113.9' where id = ${a}`],
        restore: putBack,
        id: a,
        reason: "personal data changed (digest does not match)",
      },
      {
        name: "a deleted row",
        tamper: [save, `delete from audit_logs where id = ${a}`],
        restore: [`insert into audit_logs overriding system value select * from tamper_saved where id = ${a}`, "drop table tamper_saved"],
        id: a,
        reason: "event deleted (its sealed leaf has no row)",
      },
      {
        name: "reordered rows",
        tamper: [save, swap(a, b)],
        restore: putBack,
        id: a,
        reason: "event replaced or reordered (leaf hash differs from the sealed one)",
      },
      {
        name: "a rewritten checkpoint",
        tamper: [`update audit_checkpoints set tree_size = tree_size - 1 where id = ${checkpoint.id}`],
        restore: [`update audit_checkpoints set tree_size = tree_size + 1 where id = ${checkpoint.id}`],
        id: null,
        reason: `checkpoint ${checkpoint.id}: signature does not verify`,
      },
      {
        name: "a forged row",
        tamper: [`insert into audit_logs (event_type, severity, success, retention_policy, timestamp, leaf_hash, user_id) select event_type, severity, success, retention_policy, timestamp, leaf_hash, 'forger' from audit_logs where id = ${a}`],
        restore: [`delete from audit_logs where user_id = 'forger'`],
        id: -1,
        reason: "event not in the sealed log (inserted around the server)",
      },
    ];
    await server.stop();
    for (const scenario of scenarios) {
      await asSuperuser(scenario.tamper);
      const offline = await cli();
      const failure = JSON.parse(offline.stdout).first_failure;
      expect(offline.code, scenario.name).toBe(1);
      expect(failure.reason, scenario.name).toBe(scenario.reason);
      if (scenario.id === -1) expect(failure.id, scenario.name).toBeGreaterThan(b);
      else expect(failure.id, scenario.name).toBe(scenario.id);
      expect(offline.stderr, scenario.name).toContain(`FAILED at event ${failure.id ?? "-"}`);
      if (scenario.id !== null) expect(offline.stderr, scenario.name).toContain(`, ${READERS}\n`);

      await server.restart();
      const online = await api.get("/audit/verify", { token: await api.adminToken() });
      expect(online.body, scenario.name).toMatchObject({ ok: false, first_failure: failure });
      await server.stop();
      await asSuperuser(scenario.restore);
    }
    const fixed = await cli();
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toMatch(/OK: \d+ events and \d+ checkpoints verified/);
    await server.restart();
    admin = await api.adminToken();
    const breaches = await api.auditLogs(admin, { event_type: "security.breach.attempt", resource_type: "audit_log" });
    expect(breaches.filter((e) => e.action === "verify").length).toBe(scenarios.length * 2);
    expect(breaches.every((e) => e.severity === "critical")).toBe(true);
    // The server verified in worker threads too (the bundled worker), every time.
    const logged = server.output().match(/\[memoric\] audit verification \(admin:admin\): .*/g) ?? [];
    expect(logged.length).toBeGreaterThanOrEqual(scenarios.length);
    // (A rewritten checkpoint fails before any leaf is read: no reading starts.)
    for (const line of logged.filter((l) => !l.includes(": FAILED at event -, 0 events"))) expect(line).toMatch(new RegExp(`, ${READERS}$`));
    expect(server.output()).not.toContain("could not start");
  }, 600_000);
});

describe("exported bundles", () => {
  it("verify offline with the public key alone, and a changed line is caught", async () => {
    const key = await api.get("/audit/checkpoints/key");
    const keyFile = path.join(dir, "key.pem");
    await writeFile(keyFile, key.body.public_key_pem);
    const response = await fetch(`${server.baseUrl}/audit/export?format=bundle&hours=24`, { headers: { authorization: `Bearer ${admin}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get("content-disposition")).toMatch(/\.bundle\.ndjson"$/);
    const bundleFile = path.join(dir, "bundle.ndjson");
    await writeFile(bundleFile, await response.text());
    const good = await cli("--bundle", bundleFile, "--public-key", keyFile);
    expect(good.code).toBe(0);
    const report = JSON.parse(good.stdout);
    expect(report).toMatchObject({ ok: true });
    expect(report.proven).toBeGreaterThan(10);

    const lines = (await readFile(bundleFile, "utf8")).trim().split("\n");
    const original = lines[3]!;
    const target = JSON.parse(original);
    target.event.username = "rewritten";
    lines[3] = JSON.stringify(target);
    await writeFile(bundleFile, `${lines.join("\n")}\n`);
    const bad = await cli("--bundle", bundleFile, "--public-key", keyFile);
    expect(bad.code).toBe(1);
    // The username is personal data: covered by the event's salted digest.
    expect(JSON.parse(bad.stdout).first_failure).toEqual({ id: target.event.id, reason: "personal data changed (digest does not match)" });
    // Any other column is covered by the leaf hash itself.
    const other = JSON.parse(original);
    other.event.status_code = 599;
    lines[3] = JSON.stringify(other);
    await writeFile(bundleFile, `${lines.join("\n")}\n`);
    const changed = await cli("--bundle", bundleFile, "--public-key", keyFile);
    expect(JSON.parse(changed.stdout).first_failure).toEqual({ id: other.event.id, reason: "event content does not match its leaf hash" });
  });
});
