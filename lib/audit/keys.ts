// The audit key: an Ed25519 key that signs checkpoints, from MEMORIC_AUDIT_SIGNING_KEY or generated
// once in the data folder. An HMAC key derived from it marks every row the server writes, so a
// row inserted around the server is told apart.
import { createHash, createPrivateKey, createPublicKey, generateKeyPairSync, hkdfSync, sign, verify, type KeyObject } from "node:crypto";
import { mkdirSync, readFileSync, writeFileSync } from "node:fs";
import path from "node:path";
import { env } from "@/lib/env";
import { writerMac } from "./writer-mac";

export interface AuditKeys {
  privateKey: KeyObject;
  publicKey: KeyObject;
  /** First 16 hex characters of the SHA-256 of the raw public key. */
  keyId: string;
  macKey: Buffer;
}

let cached: AuditKeys | undefined;

function fromPem(pem: string): AuditKeys {
  const privateKey = createPrivateKey(pem);
  if (privateKey.asymmetricKeyType !== "ed25519") throw new Error("the audit signing key must be an Ed25519 key");
  const publicKey = createPublicKey(privateKey);
  const raw = rawPublicKey(publicKey);
  const seed = privateKey.export({ format: "der", type: "pkcs8" });
  return {
    privateKey,
    publicKey,
    keyId: createHash("sha256").update(raw).digest("hex").slice(0, 16),
    macKey: Buffer.from(hkdfSync("sha256", seed, Buffer.alloc(0), "memoric audit row mac", 32)),
  };
}

export function rawPublicKey(publicKey: KeyObject): Buffer {
  const der = publicKey.export({ format: "der", type: "spki" });
  return der.subarray(der.length - 32);
}

/** Reads the key from settings, else from the data folder, creating it there on first use. */
export function auditKeys(): AuditKeys {
  if (cached) return cached;
  const settings = env();
  if (settings.MEMORIC_AUDIT_SIGNING_KEY) {
    const value = settings.MEMORIC_AUDIT_SIGNING_KEY.includes("BEGIN")
      ? settings.MEMORIC_AUDIT_SIGNING_KEY.replaceAll("\\n", "\n")
      : Buffer.from(settings.MEMORIC_AUDIT_SIGNING_KEY, "base64").toString("utf8");
    cached = fromPem(value);
    return cached;
  }
  const file = path.join(settings.MEMORIC_DATA_DIR, "audit-signing-key.pem");
  let pem: string;
  try {
    pem = readFileSync(file, "utf8");
  } catch {
    mkdirSync(settings.MEMORIC_DATA_DIR, { recursive: true });
    pem = generateKeyPairSync("ed25519").privateKey.export({ format: "pem", type: "pkcs8" }).toString();
    try {
      writeFileSync(file, pem, { mode: 0o600, flag: "wx" });
    } catch {
      // Another process wrote it first: use theirs.
      pem = readFileSync(file, "utf8");
    }
  }
  cached = fromPem(pem);
  return cached;
}

/** The HMAC that marks a row as written by this server (writerMac, with the server's key). */
export function rowMac(leafHash: string, keys: Pick<AuditKeys, "macKey"> = auditKeys()): string {
  return writerMac(leafHash, keys.macKey);
}

export function signBytes(message: string, keys = auditKeys()): string {
  return sign(null, Buffer.from(message, "utf8"), keys.privateKey).toString("base64");
}

/** Checks a signature with a public key alone (the offline verifier has nothing else). */
export function verifySignature(message: string, signatureBase64: string, publicKey: KeyObject): boolean {
  try {
    return verify(null, Buffer.from(message, "utf8"), publicKey, Buffer.from(signatureBase64, "base64"));
  } catch {
    return false;
  }
}

export function publicKeyFromPem(pem: string): KeyObject {
  return createPublicKey(pem);
}

/** The public half, as published at GET /audit/checkpoints/key. */
export function publicKeyInfo(keys = auditKeys()) {
  return {
    key_id: keys.keyId,
    algorithm: "Ed25519",
    public_key_pem: keys.publicKey.export({ format: "pem", type: "spki" }).toString(),
    public_key_base64: rawPublicKey(keys.publicKey).toString("base64"),
  };
}
