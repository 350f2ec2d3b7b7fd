// The writer MAC: HMAC-SHA256 of an event's leaf hash under the key the server derives from its
// audit key (keys.ts), which marks a row as written by the server. Kept apart from keys.ts, which
// reads the settings, so that verification's worker threads load only what they use.
import crypto, { createHmac } from "node:crypto";

const oneShotHash = typeof crypto.hash === "function" ? crypto.hash : undefined;
const ASCII_64 = /^[\x00-\x7f]{64}$/;

/** HMAC-SHA256's two padded key blocks (RFC 2104), each with room after it for what it hashes. */
const macPads = new WeakMap<Buffer, { inner: Buffer; outer: Buffer }>();
function macPadsFor(macKey: Buffer) {
  let pads = macPads.get(macKey);
  if (!pads) {
    pads = { inner: Buffer.alloc(64 + 64), outer: Buffer.alloc(64 + 32) };
    for (let i = 0; i < 64; i++) {
      pads.inner[i] = (macKey[i] ?? 0) ^ 0x36;
      pads.outer[i] = (macKey[i] ?? 0) ^ 0x5c;
    }
    macPads.set(macKey, pads);
  }
  return pads;
}

/** HMAC-SHA256 of `leafHash` under `macKey`, in hex. */
export function writerMac(leafHash: string, macKey: Buffer): string {
  // Verification computes one per event. For a leaf hash (64 ASCII characters) and a key of one
  // block at most, HMAC by its definition, H(K ^ opad || H(K ^ ipad || m)), with two crypto.hash
  // calls on kept buffers, takes half the time of createHmac.
  if (oneShotHash && macKey.length <= 64 && ASCII_64.test(leafHash)) {
    const { inner, outer } = macPadsFor(macKey);
    inner.write(leafHash, 64, "latin1");
    outer.write(oneShotHash("sha256", inner, "hex"), 64, "hex");
    return oneShotHash("sha256", outer, "hex");
  }
  return createHmac("sha256", macKey).update(leafHash).digest("hex");
}
