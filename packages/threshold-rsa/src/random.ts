/** Uniform random integers from an injected byte source. */
import { randomBytes as nobleRandomBytes } from '@noble/hashes/utils.js';
import { bitLength, fromBytes } from './bigint.js';
import { check } from './errors.js';
import type { RandomBytes } from './types.js';

/** The default byte source: the platform CSPRNG (globalThis.crypto.getRandomValues). */
export const defaultRandom: RandomBytes = (n) => nobleRandomBytes(n);

/** A random integer with exactly `bits` random bits (0 ≤ r < 2^bits). */
export function randomBits(bits: number, random: RandomBytes): bigint {
  const bytes = random(Math.ceil(bits / 8));
  check(bytes instanceof Uint8Array && bytes.length === Math.ceil(bits / 8), 'BACKEND_FAILED', 'random source returned the wrong length');
  const excess = bytes.length * 8 - bits;
  return fromBytes(bytes) >> BigInt(excess);
}

/** A random integer in [0, m), with statistical distance < 2^-128 from uniform. */
export function randomBelow(m: bigint, random: RandomBytes): bigint {
  return randomBits(bitLength(m) + 128, random) % m;
}
