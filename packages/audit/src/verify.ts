/**
 * Inclusion and consistency proof verification (RFC 9162 §2.1.3.2 and
 * §2.1.4.2, the algorithms that replace RFC 6962 §2.1.1/§2.1.2's prose).
 *
 * Both functions return nothing on success and throw {@link AuditError}
 * otherwise, so a forgotten check cannot read as success (`if (verify…())`
 * does not type-check on `void`).
 *
 * @module
 */
import { AuditError, check } from './errors.js';
import { bytesEqual, isBytes, isSize } from './encoding.js';
import { HASH_SIZE, isPowerOfTwo, nodeHash } from './hash.js';
import { consistencyRanges, inclusionRanges } from './proof.js';

const lsb = (x: number): boolean => x % 2 === 1;
const half = (x: number): number => Math.floor(x / 2);

function checkProofNodes(proof: unknown): asserts proof is readonly Uint8Array[] {
  check(Array.isArray(proof), 'invalid-argument', 'proof must be an array');
  for (const p of proof) check(isBytes(p, HASH_SIZE), 'invalid-argument', 'proof nodes must be 32-byte hashes');
}

/**
 * Verifies that `leafHash` is leaf `index` of the tree of `size` leaves with
 * root `root`, by RFC 9162 §2.1.3.2.
 *
 * @throws AuditError `invalid-argument`, `index-out-of-range`, `proof-size` or `root-mismatch`.
 * @example `verifyInclusion(leafHash(bytes), 3, cp.size, proof, cp.rootHash);`
 */
export function verifyInclusion(
  leafHash: Uint8Array,
  index: number,
  size: number,
  proof: readonly Uint8Array[],
  root: Uint8Array,
): void {
  check(isBytes(leafHash, HASH_SIZE) && isBytes(root, HASH_SIZE), 'invalid-argument', 'hashes must be 32 bytes');
  check(isSize(index) && isSize(size), 'invalid-argument', 'index and size must be non-negative safe integers');
  checkProofNodes(proof);
  // Step 1.
  if (index >= size) throw new AuditError('index-out-of-range', `index ${index} is not below tree size ${size}`);
  if (proof.length !== inclusionRanges(index, size).length) {
    throw new AuditError('proof-size', `inclusion proof has ${proof.length} nodes, expected ${inclusionRanges(index, size).length}`);
  }
  // Steps 2–4.
  let fn = index;
  let sn = size - 1;
  let r = leafHash;
  for (const p of proof) {
    if (sn === 0) throw new AuditError('proof-size', 'inclusion proof is too long');
    if (lsb(fn) || fn === sn) {
      r = nodeHash(p, r);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      r = nodeHash(r, p);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  if (sn !== 0) throw new AuditError('proof-size', 'inclusion proof is too short');
  if (!bytesEqual(r, root)) throw new AuditError('root-mismatch', 'inclusion proof does not lead to the root');
}

/**
 * Verifies that the tree of `size2` leaves with root `root2` extends the tree
 * of `size1` leaves with root `root1`, by RFC 9162 §2.1.4.2. Equal sizes need
 * an empty proof and equal roots; `size1 == 0` is refused (`empty-tree`), as
 * in transparency-dev/merkle — check an empty tree's root against
 * {@link EMPTY_ROOT} instead.
 *
 * @throws AuditError `invalid-argument`, `size-order`, `empty-tree`, `proof-size` or `root-mismatch`.
 */
export function verifyConsistency(
  size1: number,
  size2: number,
  root1: Uint8Array,
  root2: Uint8Array,
  proof: readonly Uint8Array[],
): void {
  check(isBytes(root1, HASH_SIZE) && isBytes(root2, HASH_SIZE), 'invalid-argument', 'roots must be 32 bytes');
  check(isSize(size1) && isSize(size2), 'invalid-argument', 'sizes must be non-negative safe integers');
  checkProofNodes(proof);
  if (size2 < size1) throw new AuditError('size-order', `size ${size1} is larger than ${size2}`);
  if (size1 === 0) throw new AuditError('empty-tree', 'a consistency proof from the empty tree is meaningless');
  if (size1 === size2) {
    if (proof.length !== 0) throw new AuditError('proof-size', 'equal sizes need an empty proof');
    if (!bytesEqual(root1, root2)) throw new AuditError('root-mismatch', 'equal sizes but different roots');
    return;
  }
  const want = consistencyRanges(size1, size2).length;
  // Step 1 (empty path) is covered by the length check: want ≥ 1 here.
  if (proof.length !== want) throw new AuditError('proof-size', `consistency proof has ${proof.length} nodes, expected ${want}`);
  // Step 2.
  const path = isPowerOfTwo(size1) ? [root1, ...proof] : [...proof];
  // Steps 3–4.
  let fn = size1 - 1;
  let sn = size2 - 1;
  while (lsb(fn)) {
    fn = half(fn);
    sn = half(sn);
  }
  // Step 5.
  let fr = path[0]!;
  let sr = path[0]!;
  // Step 6.
  for (const c of path.slice(1)) {
    if (sn === 0) throw new AuditError('proof-size', 'consistency proof is too long');
    if (lsb(fn) || fn === sn) {
      fr = nodeHash(c, fr);
      sr = nodeHash(c, sr);
      if (!lsb(fn)) {
        while (!lsb(fn) && fn !== 0) {
          fn = half(fn);
          sn = half(sn);
        }
      }
    } else {
      sr = nodeHash(sr, c);
    }
    fn = half(fn);
    sn = half(sn);
  }
  // Step 7.
  if (sn !== 0) throw new AuditError('proof-size', 'consistency proof is too short');
  if (!bytesEqual(fr, root1)) throw new AuditError('root-mismatch', 'consistency proof does not lead to the first root');
  if (!bytesEqual(sr, root2)) throw new AuditError('root-mismatch', 'consistency proof does not lead to the second root');
}
