/**
 * Append-only compact Merkle tree state: the roots of the perfect subtrees
 * that make up a tree of size n (one per set bit of n, largest first).
 *
 * This is the "compact range [0, n)" of transparency-dev/merkle
 * (docs/compact_ranges.md), and the structure RFC 9162 §2.1.1's MTH
 * recursion implies: MTH(D[n]) folds those roots right to left. It lets a
 * node append a record and get the new root in O(log n) time and space, and
 * persist that state in a few hundred bytes.
 *
 * @module
 */
import { AuditError, check } from './errors.js';
import { base64DecodeStrict, base64Encode, isBytes, isSize, readU64be, u64be } from './encoding.js';
import { EMPTY_ROOT, HASH_SIZE, nodeHash } from './hash.js';

/**
 * Called for every perfect subtree completed by {@link CompactRange.append}:
 * `level` 0 is the leaf itself, level L covers leaves
 * `[index·2^L, (index+1)·2^L)`. A node stores these so that
 * {@link HashReader.perfectSubtreeHash} can serve proofs in O(log n) reads.
 */
export type SubtreeVisitor = (level: number, index: number, hash: Uint8Array) => void;

/** JSON form of a {@link CompactRange}: size and base64 subtree roots, largest first. */
export interface CompactRangeJSON {
  size: number;
  hashes: string[];
}

const STATE_MAGIC = 0x51; // 'Q'
const STATE_VERSION = 1;

/** Number of set bits of a non-negative safe integer. */
function popcount(n: number): number {
  let c = 0;
  while (n > 0) {
    if (n % 2 === 1) c++;
    n = Math.floor(n / 2);
  }
  return c;
}

/**
 * Incremental RFC 6962 tree state over leaf hashes (RFC 9162 §2.1.1).
 *
 * @example
 * ```ts
 * const state = new CompactRange();
 * const root = state.append(leafHash(encodeRecord(rec)), (lvl, idx, h) => batch.put(key(lvl, idx), h));
 * db.put('tree-state', state.toBytes());
 * ```
 */
export class CompactRange {
  #size: number;
  #hashes: Uint8Array[];

  /** An empty tree. Use {@link CompactRange.fromBytes} / {@link CompactRange.fromJSON} to restore one. */
  constructor() {
    this.#size = 0;
    this.#hashes = [];
  }

  /** Number of leaves appended so far. */
  get size(): number {
    return this.#size;
  }

  /** Copies of the perfect-subtree roots, largest (leftmost) first. */
  get hashes(): Uint8Array[] {
    return this.#hashes.map((h) => h.slice());
  }

  /**
   * Appends one leaf hash (RFC 6962 §2.1 `SHA-256(0x00 || entry)`), reports
   * every completed perfect subtree to `visit`, and returns the new root.
   */
  append(leaf: Uint8Array, visit?: SubtreeVisitor): Uint8Array {
    this.push(leaf, visit);
    return this.root();
  }

  /**
   * {@link append} without computing the root (which costs up to log2(n) more hashes): for
   * callers that append many leaves, or keep the state and ask for the root when needed.
   */
  push(leaf: Uint8Array, visit?: SubtreeVisitor): void {
    check(isBytes(leaf, HASH_SIZE), 'invalid-argument', 'leaf hash must be 32 bytes');
    check(this.#size < Number.MAX_SAFE_INTEGER, 'invalid-argument', 'tree is full');
    let h: Uint8Array = leaf.slice();
    let index = this.#size;
    let level = 0;
    visit?.(level, index, h.slice());
    let s = this.#size;
    while (s % 2 === 1) {
      h = nodeHash(this.#hashes.pop()!, h);
      s = Math.floor(s / 2);
      index = Math.floor(index / 2);
      level++;
      visit?.(level, index, h.slice());
    }
    this.#hashes.push(h);
    this.#size++;
  }

  /** MTH(D[size]) (RFC 6962 §2.1); SHA-256("") for the empty tree. */
  root(): Uint8Array {
    if (this.#hashes.length === 0) return EMPTY_ROOT.slice();
    let r = this.#hashes[this.#hashes.length - 1]!;
    for (let i = this.#hashes.length - 2; i >= 0; i--) r = nodeHash(this.#hashes[i]!, r);
    return r.slice();
  }

  /** An independent copy. */
  clone(): CompactRange {
    return CompactRange.#make(this.#size, this.#hashes.map((h) => h.slice()));
  }

  /**
   * Binary form: `0x51 ‖ 0x01 ‖ u64be(size) ‖ hashes (32 bytes each, popcount(size) of them)`.
   */
  toBytes(): Uint8Array {
    const out = new Uint8Array(10 + HASH_SIZE * this.#hashes.length);
    out[0] = STATE_MAGIC;
    out[1] = STATE_VERSION;
    out.set(u64be(this.#size), 2);
    this.#hashes.forEach((h, i) => out.set(h, 10 + i * HASH_SIZE));
    return out;
  }

  /** Parses {@link CompactRange.toBytes} output; throws `malformed-state` on any deviation. */
  static fromBytes(bytes: Uint8Array): CompactRange {
    check(isBytes(bytes), 'invalid-argument', 'state must be a Uint8Array');
    if (bytes.length < 10 || bytes[0] !== STATE_MAGIC || bytes[1] !== STATE_VERSION) {
      throw new AuditError('malformed-state', 'bad tree state header');
    }
    const big = readU64be(bytes, 2);
    if (big > BigInt(Number.MAX_SAFE_INTEGER)) throw new AuditError('malformed-state', 'tree size too large');
    const size = Number(big);
    const n = popcount(size);
    if (bytes.length !== 10 + n * HASH_SIZE) throw new AuditError('malformed-state', 'tree state has the wrong length');
    const hashes: Uint8Array[] = [];
    for (let i = 0; i < n; i++) hashes.push(bytes.slice(10 + i * HASH_SIZE, 10 + (i + 1) * HASH_SIZE));
    return CompactRange.#make(size, hashes);
  }

  /** JSON form (`{ size, hashes: base64[] }`). */
  toJSON(): CompactRangeJSON {
    return { size: this.#size, hashes: this.#hashes.map(base64Encode) };
  }

  /** Parses {@link CompactRange.toJSON} output; throws `malformed-state` on any deviation. */
  static fromJSON(json: unknown): CompactRange {
    if (typeof json !== 'object' || json === null) throw new AuditError('malformed-state', 'state must be an object');
    const { size, hashes } = json as Record<string, unknown>;
    if (Object.keys(json).length !== 2 || !isSize(size) || !Array.isArray(hashes) || hashes.length !== popcount(size)) {
      throw new AuditError('malformed-state', 'bad tree state');
    }
    const decoded = hashes.map((h) => (typeof h === 'string' ? base64DecodeStrict(h) : undefined));
    if (!decoded.every((h): h is Uint8Array => isBytes(h, HASH_SIZE))) {
      throw new AuditError('malformed-state', 'bad subtree hash in tree state');
    }
    return CompactRange.#make(size, decoded);
  }

  static #make(size: number, hashes: Uint8Array[]): CompactRange {
    const r = new CompactRange();
    r.#size = size;
    r.#hashes = hashes;
    return r;
  }
}
