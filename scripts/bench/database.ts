// The database a benchmark runs on: a fresh one on the given server, or one an earlier
// --keep-database run seeded (--database NAME). Its rows' writer MACs are keyed by the audit
// signing key, so a kept database keeps its key beside it, in MEMORIC_DATA_DIR.
import { generateKeyPairSync } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import postgres from "postgres";

export interface BenchDatabase {
  name: string;
  /** postgres:// URL of the database. */
  url: string;
  /** True when it was seeded by an earlier run (--database). */
  reused: boolean;
  /** Kept afterwards: --keep-database, or a reused one. */
  keep: boolean;
  /** Drops the database unless it is kept, and closes the server connection. */
  close(): Promise<void>;
}

/**
 * Creates `<prefix>_<time>` on `server` (or opens `reuse`), sets MEMORIC_AUDIT_SIGNING_KEY to its
 * key and MEMORIC_DATA_DIR to a temporary folder unless set.
 */
export async function openBenchDatabase(
  prefix: "memoric_bench" | "memoric_verify" | "memoric_write",
  options: { server: string; reuse?: string; keep: boolean },
): Promise<BenchDatabase> {
  const { reuse } = options;
  if (reuse !== undefined && !new RegExp(`^${prefix}_\\d+$`).test(reuse)) {
    throw new Error(`--database takes the name an earlier --keep-database run printed (${prefix}_…)`);
  }
  process.env.MEMORIC_DATA_DIR ??= path.join(os.tmpdir(), "memoric-bench-data");
  mkdirSync(process.env.MEMORIC_DATA_DIR, { recursive: true });
  const name = reuse ?? `${prefix}_${Date.now()}`;
  const keyFile = path.join(process.env.MEMORIC_DATA_DIR, `${name}.key`);
  const signingKey = reuse
    ? readFileSync(keyFile, "utf8")
    : Buffer.from(generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString()).toString("base64");
  process.env.MEMORIC_AUDIT_SIGNING_KEY = signingKey;
  const keep = options.keep || reuse !== undefined;

  const admin = postgres(options.server, { max: 1, onnotice: () => {} });
  if (!reuse) await admin.unsafe(`create database ${name}`);
  if (keep && !reuse) writeFileSync(keyFile, signingKey, { mode: 0o600 });
  const url = new URL(options.server);
  url.pathname = `/${name}`;
  return {
    name,
    url: url.toString(),
    reused: reuse !== undefined,
    keep,
    async close() {
      if (!keep) await admin.unsafe(`drop database if exists ${name} with (force)`);
      await admin.end({ timeout: 5 });
    },
  };
}
