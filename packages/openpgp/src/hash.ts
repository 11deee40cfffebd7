/** Hash algorithms (RFC 9580 §9.5) used for v4 signatures. */
import { sha1 } from '@noble/hashes/legacy.js';
import { sha256, sha512 } from '@noble/hashes/sha2.js';
import { check, OpenPgpError } from './errors.js';

/** Hash algorithms this package signs and verifies with. */
export type HashAlgorithm = 'sha1' | 'sha256' | 'sha512';

/** RFC 9580 §9.5 hash algorithm IDs. */
export const HASH_ALGORITHM_IDS: Readonly<Record<HashAlgorithm, number>> = { sha1: 2, sha256: 8, sha512: 10 };

/** Names used in the cleartext "Hash:" armor header (RFC 4880 §7, §9.4). */
export const HASH_ARMOR_NAMES: Readonly<Record<HashAlgorithm, string>> = { sha1: 'SHA1', sha256: 'SHA256', sha512: 'SHA512' };

const DIGEST_LENGTHS: Readonly<Record<HashAlgorithm, number>> = { sha1: 20, sha256: 32, sha512: 64 };

/** An incremental hash. */
export interface Hasher {
  update(b: Uint8Array): Hasher;
  digest(): Uint8Array;
}

/** Returns true if `v` names a supported hash algorithm. */
export function isHashAlgorithm(v: unknown): v is HashAlgorithm {
  return v === 'sha1' || v === 'sha256' || v === 'sha512';
}

/** Validates a hash algorithm name. */
export function expectHashAlgorithm(v: unknown): asserts v is HashAlgorithm {
  check(isHashAlgorithm(v), 'INVALID_ARGUMENT', `hashAlgorithm must be 'sha1', 'sha256' or 'sha512'`);
}

/** Maps an RFC 9580 §9.5 hash algorithm ID to its name; UNSUPPORTED_ALGORITHM otherwise. */
export function hashAlgorithmFromId(id: number): HashAlgorithm {
  for (const [name, v] of Object.entries(HASH_ALGORITHM_IDS)) if (v === id) return name as HashAlgorithm;
  throw new OpenPgpError('UNSUPPORTED_ALGORITHM', `hash algorithm ${id} is not supported`);
}

/** Digest size in bytes. */
export function digestLength(h: HashAlgorithm): number {
  return DIGEST_LENGTHS[h];
}

/** A fresh incremental hasher for `h`. */
export function createHasher(h: HashAlgorithm): Hasher {
  const impl = h === 'sha1' ? sha1.create() : h === 'sha256' ? sha256.create() : sha512.create();
  const hasher: Hasher = {
    update(b) {
      impl.update(b);
      return hasher;
    },
    digest: () => impl.digest(),
  };
  return hasher;
}
