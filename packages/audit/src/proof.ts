/**
 * Inclusion and consistency proof generation over a {@link HashReader}
 * (RFC 9162 §2.1.3.1 PATH and §2.1.4.1 PROOF/SUBPROOF; RFC 6962 §2.1.1, §2.1.2).
 *
 * @module
 */
import { AuditError, check } from './errors.js';
import { isSize } from './encoding.js';
import { splitPoint } from './hash.js';
import { type HashReader, subtreeHash } from './reader.js';

type Range = readonly [start: number, end: number];

/** The leaf ranges whose MTH form PATH(index, D[size]), leaf-to-root order (RFC 9162 §2.1.3.1). */
export function inclusionRanges(index: number, size: number): Range[] {
  const out: Range[] = [];
  let start = 0;
  let end = size;
  while (end - start > 1) {
    const k = splitPoint(end - start);
    if (index < start + k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      start += k;
    }
  }
  return out.reverse();
}

/** The leaf ranges whose MTH form PROOF(m, D[n]), in proof order (RFC 9162 §2.1.4.1). */
export function consistencyRanges(m: number, n: number): Range[] {
  const out: Range[] = [];
  let start = 0;
  let end = n;
  let rel = m; // m relative to `start`
  let b = true;
  for (;;) {
    if (rel === end - start) {
      if (!b) out.push([start, end]);
      break;
    }
    const k = splitPoint(end - start);
    if (rel <= k) {
      out.push([start + k, end]);
      end = start + k;
    } else {
      out.push([start, start + k]);
      rel -= k;
      start += k;
      b = false;
    }
  }
  return out.reverse();
}

/**
 * The audit path for leaf `index` in the tree of the first `size` leaves,
 * PATH(index, D[size]) of RFC 9162 §2.1.3.1 (RFC 6962 §2.1.1).
 *
 * Reads O(log n) hashes if the reader caches perfect subtrees, else O(n).
 *
 * @example `const proof = await inclusionProof(store, 5, checkpoint.size);`
 */
export async function inclusionProof(reader: HashReader, index: number, size: number): Promise<Uint8Array[]> {
  check(isSize(index) && isSize(size), 'invalid-argument', 'index and size must be non-negative safe integers');
  if (index >= size) throw new AuditError('index-out-of-range', `index ${index} is not below tree size ${size}`);
  const out: Uint8Array[] = [];
  for (const [s, e] of inclusionRanges(index, size)) out.push(await subtreeHash(reader, s, e));
  return out;
}

/**
 * The consistency proof between the trees of the first `m` and `n` leaves,
 * PROOF(m, D[n]) of RFC 9162 §2.1.4.1 (RFC 6962 §2.1.2). Empty for `m == n`;
 * `m == 0` is refused (`empty-tree`) since such a proof proves nothing.
 *
 * Reads O(log n) hashes if the reader caches perfect subtrees, else O(n).
 */
export async function consistencyProof(reader: HashReader, m: number, n: number): Promise<Uint8Array[]> {
  check(isSize(m) && isSize(n), 'invalid-argument', 'sizes must be non-negative safe integers');
  if (m > n) throw new AuditError('size-order', `size ${m} is larger than ${n}`);
  if (m === 0) throw new AuditError('empty-tree', 'a consistency proof from the empty tree is meaningless');
  if (m === n) return [];
  const out: Uint8Array[] = [];
  for (const [s, e] of consistencyRanges(m, n)) out.push(await subtreeHash(reader, s, e));
  return out;
}
