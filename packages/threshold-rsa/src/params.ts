/** Parameter checks shared by dealing, signing and combining. */
import { bitLength, factorial, gcd } from './bigint.js';
import { check } from './errors.js';
import type { ThresholdRsaPublicKey } from './types.js';

/** The RSA modulus sizes this package accepts. */
export const MODULUS_BITS: readonly number[] = [2048, 3072, 4096];

/** The largest party count (Δ = l! and subset search stay small). */
export const MAX_PARTIES = 64;

/** Public exponents must be below 2^64 (OpenSSL refuses larger e for n > 3072 bits, RSA_R_BAD_E_VALUE). */
export const MAX_PUBLIC_EXPONENT_BITS = 64;

/** Refuses a modulus that is not odd and exactly 2048, 3072 or 4096 bits. */
export function expectModulus(n: bigint): void {
  check(typeof n === 'bigint', 'WRONG_MODULUS_SIZE', 'modulus must be a bigint');
  const bits = bitLength(n);
  check(MODULUS_BITS.includes(bits), 'WRONG_MODULUS_SIZE', `modulus is ${bits} bits; RSA-2048, 3072 and 4096 are supported`);
  check((n & 1n) === 1n, 'WRONG_MODULUS_SIZE', 'modulus is even');
}

/** Refuses an even, tiny or oversized public exponent, or one sharing a factor with 4Δ². */
export function expectPublicExponent(e: bigint, parties: number): void {
  check(typeof e === 'bigint' && e >= 3n && (e & 1n) === 1n, 'OVERSIZED_EXPONENT', 'public exponent must be odd and ≥ 3');
  check(bitLength(e) <= MAX_PUBLIC_EXPONENT_BITS, 'OVERSIZED_EXPONENT', `public exponent is ${bitLength(e)} bits; at most ${MAX_PUBLIC_EXPONENT_BITS} are accepted`);
  check(gcd(e, factorial(parties)) === 1n, 'INVALID_KEY', `public exponent shares a factor with ${parties}!; Shoup's scheme needs e coprime to Δ`);
}

/** Refuses a threshold k or party count l out of range (1 ≤ k ≤ l ≤ MAX_PARTIES). */
export function expectThreshold(parties: number, threshold: number): void {
  check(Number.isInteger(parties) && parties >= 1 && parties <= MAX_PARTIES, 'INVALID_PARAMETERS', `party count must be 1..${MAX_PARTIES}`);
  check(Number.isInteger(threshold) && threshold >= 1 && threshold <= parties, 'INVALID_PARAMETERS', 'threshold must be 1..party count');
}

/** Refuses a share index outside 1..l. */
export function expectIndex(index: number, parties: number): void {
  check(Number.isInteger(index) && index >= 1 && index <= parties, 'INVALID_PARAMETERS', `share index ${index} is not in 1..${parties}`);
}

/** Validates a whole public key (modulus, exponent, threshold, verification keys). */
export function validatePublicKey(pub: ThresholdRsaPublicKey): void {
  check(typeof pub === 'object' && pub !== null, 'INVALID_PARAMETERS', 'public key must be an object');
  expectModulus(pub.n);
  expectThreshold(pub.parties, pub.threshold);
  expectPublicExponent(pub.e, pub.parties);
  if (pub.verification !== undefined) {
    const { v, verificationKeys } = pub.verification;
    check(typeof v === 'bigint' && v > 1n && v < pub.n, 'INVALID_PARAMETERS', 'verification base v out of range');
    check(Array.isArray(verificationKeys) && verificationKeys.length === pub.parties, 'INVALID_PARAMETERS', 'one verification key per party');
    for (const vk of verificationKeys) check(typeof vk === 'bigint' && vk > 0n && vk < pub.n, 'INVALID_PARAMETERS', 'verification key out of range');
  }
}
