/**
 * Access to stored tree hashes for proof generation, and the subtree-hash
 * computation (MTH of RFC 6962 §2.1 / RFC 9162 §2.1.1) over it.
 *
 * A node keeps leaf hashes (and optionally perfect-subtree hashes) in
 * LevelDB; this module only sees the {@link HashReader} interface, whose
 * methods may be synchronous or return promises.
 *
 * @module
 */
import { AuditError } from './errors.js';
import { isBytes } from './encoding.js';
import { HASH_SIZE, isPowerOfTwo, nodeHash, splitPoint } from './hash.js';

/** A value or a promise of it. */
export type MaybePromise<T> = T | Promise<T>;

/**
 * Read access to a log's stored hashes.
 *
 * Complexity of proof generation (inclusion, RFC 9162 §2.1.3.1; consistency,
 * RFC 9162 §2.1.4.1) for a tree of n leaves:
 * - with `perfectSubtreeHash` answering for every completed perfect subtree
 *   (e.g. filled from {@link CompactRange.append}'s visitor): O(log n) reads;
 * - without it (or when it returns `undefined`): the needed perfect subtrees
 *   are recomputed from leaves, O(n) leaf reads and hashes in the worst case.
 */
export interface HashReader {
  /** The RFC 6962 leaf hash of entry `index` (0-based). */
  leafHash(index: number): MaybePromise<Uint8Array>;
  /**
   * Optional cache: the hash of the perfect subtree at `level` (≥ 1) and
   * `index`, covering leaves `[index·2^level, (index+1)·2^level)`, or
   * `undefined` if not stored.
   */
  perfectSubtreeHash?(level: number, index: number): MaybePromise<Uint8Array | undefined>;
}

async function readLeaf(reader: HashReader, index: number): Promise<Uint8Array> {
  let h: unknown;
  try {
    h = await reader.leafHash(index);
  } catch (cause) {
    throw new AuditError('reader-failed', `reading leaf ${index} failed`, { cause });
  }
  if (!isBytes(h, HASH_SIZE)) throw new AuditError('reader-failed', `leaf ${index} is not a 32-byte hash`);
  return h;
}

async function readCached(reader: HashReader, level: number, index: number): Promise<Uint8Array | undefined> {
  if (reader.perfectSubtreeHash === undefined) return undefined;
  let h: unknown;
  try {
    h = await reader.perfectSubtreeHash(level, index);
  } catch (cause) {
    throw new AuditError('reader-failed', `reading subtree (${level}, ${index}) failed`, { cause });
  }
  if (h === undefined) return undefined;
  if (!isBytes(h, HASH_SIZE)) throw new AuditError('reader-failed', `subtree (${level}, ${index}) is not a 32-byte hash`);
  return h;
}

/**
 * MTH(D[start:end]) (RFC 6962 §2.1) for `0 ≤ start < end`, where the range is
 * one that the RFC recursion produces (its left splits are aligned perfect
 * subtrees). Perfect, aligned ranges are served from the reader's cache when
 * available.
 */
export async function subtreeHash(reader: HashReader, start: number, end: number): Promise<Uint8Array> {
  const n = end - start;
  if (n === 1) return readLeaf(reader, start);
  if (isPowerOfTwo(n) && start % n === 0) {
    let level = 0;
    for (let w = n; w > 1; w /= 2) level++;
    const cached = await readCached(reader, level, start / n);
    if (cached !== undefined) return cached;
  }
  const k = splitPoint(n);
  return nodeHash(await subtreeHash(reader, start, start + k), await subtreeHash(reader, start + k, end));
}
