/**
 * An in-memory {@link HashReader} with a full perfect-subtree cache — the
 * reference for how a node's store should fill its cache (from
 * {@link CompactRange.append}'s visitor), and a test double.
 *
 * @module
 */
import { AuditError, check } from './errors.js';
import { isSize } from './encoding.js';
import { CompactRange } from './compact.js';
import { leafHash } from './hash.js';
import type { HashReader } from './reader.js';

/**
 * Append-only RFC 6962 tree kept in memory: leaf hashes plus every completed
 * perfect subtree (RFC 9162 §2.1.1), so proofs read O(log n) hashes.
 *
 * @example
 * ```ts
 * const t = new MemoryTree();
 * t.appendEntry(encodeRecord(r));
 * const proof = await inclusionProof(t, 0, t.size);
 * ```
 */
export class MemoryTree implements HashReader {
  readonly #state = new CompactRange();
  readonly #levels: Uint8Array[][] = [];

  /** Number of leaves. */
  get size(): number {
    return this.#state.size;
  }

  /** Appends a leaf hash; returns the new root. */
  append(hash: Uint8Array): Uint8Array {
    return this.#state.append(hash, (level, index, h) => {
      (this.#levels[level] ??= [])[index] = h;
    });
  }

  /** Appends an entry (hashing it with {@link leafHash}); returns the new root. */
  appendEntry(entry: Uint8Array): Uint8Array {
    return this.append(leafHash(entry));
  }

  /** Current root MTH(D[size]). */
  root(): Uint8Array {
    return this.#state.root();
  }

  /** A copy of the current compact state. */
  state(): CompactRange {
    return this.#state.clone();
  }

  /** {@link HashReader.leafHash}. */
  leafHash(index: number): Uint8Array {
    check(isSize(index), 'invalid-argument', 'index must be a non-negative safe integer');
    const h = this.#levels[0]?.[index];
    if (h === undefined) throw new AuditError('index-out-of-range', `no leaf ${index}`);
    return h.slice();
  }

  /** {@link HashReader.perfectSubtreeHash}. */
  perfectSubtreeHash(level: number, index: number): Uint8Array | undefined {
    return this.#levels[level]?.[index]?.slice();
  }
}
