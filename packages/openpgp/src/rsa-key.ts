/** v4 RSA public keys (RFC 4880 §5.5.2, RFC 9580 §5.5.5.1): algorithm 1, MPI(n) ‖ MPI(e). */
import { bitLength, fromBytes, toBytes } from '@qsign/threshold-rsa';
import { concat, expectTime, Reader, u32 } from './bytes.js';
import { check } from './errors.js';
import { readKeyPacketHeader } from './key.js';
import { encodeMpi, readMpi } from './mpi.js';

/** Public-key algorithm 1, RSA (Encrypt or Sign) (RFC 9580 §9.1). */
export const RSA_ALGORITHM = 1;

/** Public-key algorithms 2 and 3 (RSA encrypt-only / sign-only, deprecated) also carry n, e. */
const RSA_FAMILY = new Set([1, 2, 3]);

/** Modulus sizes accepted in RSA key packets: anything gpg makes (1024..16384 bits). */
const MIN_RSA_BITS = 1024;
const MAX_RSA_BITS = 16384;

/** Big-endian bytes of a positive bigint, no leading zeros. */
export function bigintBytes(x: bigint): Uint8Array {
  return toBytes(x, Math.max(1, Math.ceil(bitLength(x) / 8)));
}

/**
 * The body of a v4 RSA public-key packet (RFC 9580 §5.5.2, §5.5.5.1):
 * version 4 ‖ creation time ‖ algorithm 1 ‖ MPI(n) ‖ MPI(e).
 */
export function rsaPublicKeyPacketBody(n: bigint, e: bigint, createdUnixSeconds: number): Uint8Array {
  expectRsaPublic(n, e);
  expectTime(createdUnixSeconds, 'createdUnixSeconds');
  return concat(Uint8Array.of(4), u32(createdUnixSeconds), Uint8Array.of(RSA_ALGORITHM), encodeMpi(bigintBytes(n)), encodeMpi(bigintBytes(e)));
}

/** Refuses an even or out-of-range modulus and an even, tiny or over-64-bit exponent. */
export function expectRsaPublic(n: bigint, e: bigint): void {
  check(typeof n === 'bigint' && typeof e === 'bigint', 'INVALID_ARGUMENT', 'RSA n and e must be bigints');
  const bits = bitLength(n);
  check(bits >= MIN_RSA_BITS && bits <= MAX_RSA_BITS, 'MALFORMED', `RSA modulus of ${bits} bits; expected ${MIN_RSA_BITS}..${MAX_RSA_BITS}`);
  check((n & 1n) === 1n, 'MALFORMED', 'RSA modulus is even');
  check(e >= 3n && (e & 1n) === 1n && bitLength(e) <= 64 && e < n, 'MALFORMED', 'RSA public exponent must be odd, ≥ 3 and at most 64 bits');
}

/** The parsed public part of a v4 RSA key packet. */
export interface RsaPublicKeyFields {
  /** Key creation time. */
  createdUnixSeconds: number;
  /** RSA modulus. */
  n: bigint;
  /** RSA public exponent. */
  e: bigint;
  /** Public-key algorithm as stored (1, or legacy 2/3). */
  algorithm: number;
  /** The public-key body bytes (what the fingerprint hashes). */
  publicBody: Uint8Array;
}

/**
 * Reads the public fields of a v4 RSA key packet body (RFC 9580 §5.5.2); leaves `r` after
 * MPI(e), where the secret fields of a secret-key packet start.
 *
 * @throws OpenPgpError UNSUPPORTED_VERSION, UNSUPPORTED_ALGORITHM, MALFORMED, TRUNCATED.
 */
export function readRsaPublicFields(r: Reader): RsaPublicKeyFields {
  const { start, createdUnixSeconds, algorithm } = readKeyPacketHeader(r);
  check(RSA_FAMILY.has(algorithm), 'UNSUPPORTED_ALGORITHM', `public-key algorithm ${algorithm} is not RSA (1)`);
  const n = fromBytes(readMpi(r));
  const e = fromBytes(readMpi(r));
  expectRsaPublic(n, e);
  return { createdUnixSeconds, n, e, algorithm, publicBody: r.bytes.slice(start, r.pos) };
}
