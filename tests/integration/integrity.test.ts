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
let server: TestServer;
let api: Api;
let admin: string;
let dir: string;

beforeAll(async () => {
  server = await startTestServer({ MEMORIC_RATE_LIMIT_PER_MINUTE: "0" });
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
  it("a changed row is found by /audit/verify and by the CLI, naming the event, and raises a breach event", async () => {
    const [victim] = await api.auditLogs(admin, { event_type: "memory.created" });
    await api.post("/audit/checkpoints", undefined, { token: admin });
    await server.stop();
    const handle = await server.openDatabase();
    await handle.db.execute(sql`alter table audit_logs disable trigger user`);
    await handle.db.execute(sql`update audit_logs set username = 'someone-else' where id = ${victim.id}`);
    await handle.db.execute(sql`alter table audit_logs enable trigger user`);
    await handle.close();

    const offline = await cli();
    expect(offline.code).toBe(1);
    expect(JSON.parse(offline.stdout)).toMatchObject({ ok: false, first_failure: { id: victim.id, reason: "personal data changed (digest does not match)" } });
    expect(offline.stderr).toContain(`FAILED at event ${victim.id}`);

    await server.restart();
    const online = await api.get("/audit/verify", { token: await api.adminToken() });
    expect(online.body).toMatchObject({ ok: false, first_failure: { id: victim.id } });
    const breaches = await api.auditLogs(await api.adminToken(), { event_type: "security.breach.attempt" });
    expect(breaches[0]).toMatchObject({ severity: "critical", resource_id: String(victim.id), action: "verify" });

    await server.stop();
    const again = await server.openDatabase();
    await again.db.execute(sql`alter table audit_logs disable trigger user`);
    await again.db.execute(sql`update audit_logs set username = ${victim.username} where id = ${victim.id}`);
    await again.db.execute(sql`alter table audit_logs enable trigger user`);
    await again.close();
    const fixed = await cli();
    expect(fixed.code).toBe(0);
    expect(fixed.stderr).toMatch(/OK: \d+ events and \d+ checkpoints verified/);
    await server.restart();
    admin = await api.adminToken();
  });
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
