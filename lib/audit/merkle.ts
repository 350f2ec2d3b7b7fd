// RFC 6962 Merkle tree hashing, proofs and their verification, over hex-encoded SHA-256 hashes.
// A leaf of the tree is an event's leaf hash (the SHA-256 of its canonical content).
import crypto, { createHash } from "node:crypto";

const sha256 = (...parts: Buffer[]) => createHash("sha256").update(Buffer.concat(parts)).digest();

// Verification hashes one leaf node and about one inner node per event: they are hashed from
// buffers kept for the purpose, in one call where crypto.hash (Node 20.12+) is there.
const oneShotHash = typeof crypto.hash === "function" ? crypto.hash : undefined;
const leafInput = Buffer.alloc(33, 0);
const innerInput = Buffer.alloc(65, 1);

/** Writes 32 bytes of hex at `offset`; false (and the caller takes the general path) for anything else. */
const writeHash32 = (target: Buffer, hex: string, offset: number) => hex.length === 64 && target.write(hex, offset, "hex") === 32;

/** MTH of one entry: SHA-256(0x00 || entry). */
export function leafNodeHash(leafHashHex: string): string {
  if (oneShotHash && writeHash32(leafInput, leafHashHex, 1)) return oneShotHash("sha256", leafInput, "hex");
  return sha256(Buffer.from([0]), Buffer.from(leafHashHex, "hex")).toString("hex");
}

/** An inner node: SHA-256(0x01 || left || right). */
export function innerNodeHash(leftHex: string, rightHex: string): string {
  if (oneShotHash && writeHash32(innerInput, leftHex, 1) && writeHash32(innerInput, rightHex, 33)) return oneShotHash("sha256", innerInput, "hex");
  return sha256(Buffer.from([1]), Buffer.from(leftHex, "hex"), Buffer.from(rightHex, "hex")).toString("hex");
}

export const EMPTY_TREE_ROOT = createHash("sha256").digest("hex");

/** The largest power of two strictly below n (n ≥ 2). */
export function largestPowerOfTwoBelow(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** The roots of the perfect subtrees that make up a tree, largest first. */
export type Frontier = { level: number; hash: string }[];

/**
 * Appends a leaf (its node hash) at index `index` to the frontier; returns the inner nodes that
 * became complete, as (level, idx, hash), so they can be stored for proofs.
 */
export function appendLeaf(frontier: Frontier, index: number, leafNode: string): { level: number; idx: number; hash: string }[] {
  const completed: { level: number; idx: number; hash: string }[] = [];
  frontier.push({ level: 0, hash: leafNode });
  for (;;) {
    const right = frontier[frontier.length - 1];
    const left = frontier[frontier.length - 2];
    if (!left || !right || left.level !== right.level) break;
    frontier.splice(frontier.length - 2, 2);
    const level = right.level + 1;
    const hash = innerNodeHash(left.hash, right.hash);
    frontier.push({ level, hash });
    completed.push({ level, idx: Math.floor(index / 2 ** level), hash });
  }
  return completed;
}

/**
 * Appends a perfect subtree of 2^level leaves (its root hash) to the frontier of a tree whose size
 * is a multiple of 2^level, as a run of appendLeaf calls for its leaves would: the frontier of the
 * tree grown by 2^level leaves.
 */
export function appendSubtree(frontier: Frontier, level: number, hash: string): void {
  frontier.push({ level, hash });
  for (;;) {
    const right = frontier[frontier.length - 1]!;
    const left = frontier[frontier.length - 2];
    if (!left || left.level !== right.level) return;
    frontier.splice(frontier.length - 2, 2, { level: right.level + 1, hash: innerNodeHash(left.hash, right.hash) });
  }
}

/**
 * The leaves of a range [from, …) of a tree, folded into the aligned perfect subtrees that cover
 * them (each of 2^level leaves starting at a multiple of 2^level), so that appendSubtree of each in
 * turn takes a frontier of size `from` to that of the range's end. A range of n leaves hashes its
 * n − (subtrees) inner nodes here, wherever the range is read; whoever holds the frontier only
 * joins the subtrees.
 */
export class RangeSubtrees {
  private readonly nodes: { level: number; start: number; hash: string }[] = [];
  private next: number;

  constructor(from: number) {
    this.next = from;
  }

  /** Appends the next leaf of the range (its node hash, leafNodeHash). */
  push(leafNode: string): void {
    const nodes = this.nodes;
    nodes.push({ level: 0, start: this.next++, hash: leafNode });
    for (;;) {
      const right = nodes[nodes.length - 1]!;
      const left = nodes[nodes.length - 2];
      // Two subtrees of a level join only where the left one starts a subtree of the next level.
      if (!left || left.level !== right.level || left.start % 2 ** (left.level + 1) !== 0) return;
      nodes.splice(nodes.length - 2, 2, { level: left.level + 1, start: left.start, hash: innerNodeHash(left.hash, right.hash) });
    }
  }

  /** The subtrees of the leaves pushed since the last take, in order; the range goes on from there. */
  take(): Frontier {
    return this.nodes.splice(0).map(({ level, hash }) => ({ level, hash }));
  }
}

/** The tree head of a frontier: the perfect subtrees folded from the right. */
export function frontierRoot(frontier: Frontier): string {
  if (frontier.length === 0) return EMPTY_TREE_ROOT;
  let root = frontier[frontier.length - 1]!.hash;
  for (let i = frontier.length - 2; i >= 0; i--) root = innerNodeHash(frontier[i]!.hash, root);
  return root;
}

/** Reads the hash of the perfect, aligned subtree of 2^level leaves starting at idx·2^level. */
export type NodeReader = (level: number, idx: number) => Promise<string>;

/** MTH(D[start:end]) from stored perfect subtrees (the ranges RFC 6962's recursion visits are aligned). */
export async function rangeHash(read: NodeReader, start: number, end: number): Promise<string> {
  const size = end - start;
  if ((size & (size - 1)) === 0 && start % size === 0) return read(Math.log2(size), start / size);
  const k = largestPowerOfTwoBelow(size);
  return innerNodeHash(await rangeHash(read, start, start + k), await rangeHash(read, start + k, end));
}

/** RFC 6962 PATH(m, D[start:end]): the audit path of leaf m. */
export async function inclusionProof(read: NodeReader, m: number, start: number, end: number): Promise<string[]> {
  if (end - start <= 1) return [];
  const k = largestPowerOfTwoBelow(end - start);
  if (m - start < k) return [...(await inclusionProof(read, m, start, start + k)), await rangeHash(read, start + k, end)];
  return [...(await inclusionProof(read, m, start + k, end)), await rangeHash(read, start, start + k)];
}

/** RFC 6962 PROOF(m, D[n]): that the tree of size m is a prefix of the tree of size n. */
export async function consistencyProof(read: NodeReader, m: number, n: number): Promise<string[]> {
  if (m <= 0 || m >= n) return [];
  const sub = async (mm: number, start: number, end: number, whole: boolean): Promise<string[]> => {
    if (mm === end - start) return whole ? [] : [await rangeHash(read, start, end)];
    const k = largestPowerOfTwoBelow(end - start);
    if (mm <= k) return [...(await sub(mm, start, start + k, whole)), await rangeHash(read, start + k, end)];
    return [...(await sub(mm - k, start + k, end, false)), await rangeHash(read, start, start + k)];
  };
  return sub(m, 0, n, true);
}

/** RFC 9162 §2.1.3.2: does `proof` show leaf `index` (node hash `leafNode`) in a tree of `size` with `root`? */
export function verifyInclusion(index: number, size: number, leafNode: string, proof: string[], root: string): boolean {
  if (index >= size) return false;
  let fn = index;
  let sn = size - 1;
  let r = leafNode;
  for (const p of proof) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      r = innerNodeHash(p, r);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      r = innerNodeHash(r, p);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && r === root;
}

/** RFC 9162 §2.1.4.2: does `proof` show the tree (size1, root1) is a prefix of (size2, root2)? */
export function verifyConsistency(size1: number, size2: number, root1: string, root2: string, proof: string[]): boolean {
  if (size1 > size2) return false;
  if (size1 === size2) return proof.length === 0 && root1 === root2;
  if (size1 === 0) return proof.length === 0;
  const path = (size1 & (size1 - 1)) === 0 ? [root1, ...proof] : [...proof];
  if (path.length === 0) return false;
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (fn % 2 === 1) {
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  let fr = path[0]!;
  let sr = path[0]!;
  for (const c of path.slice(1)) {
    if (sn === 0) return false;
    if (fn % 2 === 1 || fn === sn) {
      fr = innerNodeHash(c, fr);
      sr = innerNodeHash(c, sr);
      if (fn % 2 === 0) {
        while (fn % 2 === 0 && fn !== 0) {
          fn = Math.floor(fn / 2);
          sn = Math.floor(sn / 2);
        }
      }
    } else {
      sr = innerNodeHash(sr, c);
    }
    fn = Math.floor(fn / 2);
    sn = Math.floor(sn / 2);
  }
  return sn === 0 && fr === root1 && sr === root2;
}
