/**
 * RFC 6962 §2.1 / RFC 9162 §2.1.1 Merkle tree hashing with SHA-256.
 *
 * @module
 */
import { sha256 as nobleSha256 } from '@noble/hashes/sha2.js';
import { AuditError, check } from './errors.js';
import { isBytes } from './encoding.js';

/** A SHA-256 implementation (FIPS 180-4): the 32-byte digest of `m`. */
export type Sha256 = (m: Uint8Array) => Uint8Array;

let sha256: Sha256 = nobleSha256;

/** Known answers every implementation must reproduce before it is installed: empty, "abc", a multi-block message. */
const PROBES: Uint8Array[] = [new Uint8Array(0), new TextEncoder().encode('abc'), Uint8Array.from({ length: 1031 }, (_, i) => (i * 131 + 7) & 0xff)];

/**
 * Installs `f` as the tree hash's SHA-256 (a daemon installs OpenSSL's, several times faster
 * for records, and what a node's start-up re-hash of its whole log spends most time in) after
 * checking it against noble's known answers; throws `invalid-argument` and keeps the current
 * one if they differ. `setSha256(undefined)` restores noble. The package stays pure: the
 * implementation is injected.
 */
export function setSha256(f: Sha256 | undefined): void {
  if (f === undefined) {
    sha256 = nobleSha256;
    return;
  }
  for (const m of PROBES) {
    const want = nobleSha256(m);
    const got = f(m);
    if (!(got instanceof Uint8Array) || got.length !== HASH_SIZE || got.some((b, i) => b !== want[i])) throw new AuditError('invalid-argument', 'SHA-256 implementation disagrees with the reference on a known answer');
  }
  sha256 = f;
}

/** Size in bytes of every tree hash (SHA-256). */
export const HASH_SIZE = 32;

/** MTH({}) = SHA-256() — the root of the empty tree (RFC 6962 §2.1). */
export const EMPTY_ROOT: Uint8Array = nobleSha256(new Uint8Array(0));

/**
 * Leaf hash MTH({d}) = SHA-256(0x00 || d) (RFC 6962 §2.1, RFC 9162 §2.1.1).
 *
 * @example `leafHash(encodeRecord(record))`
 */
export function leafHash(entry: Uint8Array): Uint8Array {
  check(isBytes(entry), 'invalid-argument', 'leaf entry must be a Uint8Array');
  const buf = new Uint8Array(entry.length + 1);
  buf.set(entry, 1);
  return sha256(buf);
}

/**
 * Interior node hash SHA-256(0x01 || left || right) (RFC 6962 §2.1, RFC 9162 §2.1.1).
 */
export function nodeHash(left: Uint8Array, right: Uint8Array): Uint8Array {
  check(isBytes(left, HASH_SIZE) && isBytes(right, HASH_SIZE), 'invalid-argument', 'child hashes must be 32 bytes');
  const buf = new Uint8Array(1 + 2 * HASH_SIZE);
  buf[0] = 1;
  buf.set(left, 1);
  buf.set(right, 1 + HASH_SIZE);
  return sha256(buf);
}

/** The largest power of two strictly less than `n` (n ≥ 2), the split point `k` of RFC 6962 §2.1. */
export function splitPoint(n: number): number {
  let k = 1;
  while (k * 2 < n) k *= 2;
  return k;
}

/** True if `n` is a power of two (n ≥ 1). Safe beyond 2^31. */
export function isPowerOfTwo(n: number): boolean {
  if (n < 1) return false;
  while (n % 2 === 0) n /= 2;
  return n === 1;
}

/**
 * MTH(D[n]) from all leaf hashes, by the RFC 6962 §2.1 recursion
 * (O(n) hashes, O(log n) stack).
 *
 * @example `rootFromLeaves(records.map((r) => leafHash(r)))`
 */
export function rootFromLeaves(leafHashes: readonly Uint8Array[]): Uint8Array {
  check(Array.isArray(leafHashes), 'invalid-argument', 'leafHashes must be an array');
  for (const h of leafHashes) check(isBytes(h, HASH_SIZE), 'invalid-argument', 'leaf hashes must be 32 bytes');
  if (leafHashes.length === 0) return EMPTY_ROOT.slice();
  const mth = (start: number, end: number): Uint8Array => {
    if (end - start === 1) return leafHashes[start]!.slice();
    const k = splitPoint(end - start);
    return nodeHash(mth(start, start + k), mth(start + k, end));
  };
  return mth(0, leafHashes.length);
}
