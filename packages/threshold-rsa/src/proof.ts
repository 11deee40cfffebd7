/**
 * Shoup's non-interactive proof of equality of discrete logs (EUROCRYPT 2000, §2 "Proof of
 * correctness"): log_x̃(x_i²) = log_v(v_i) with x̃ = x^(4Δ), made with Fiat–Shamir. Only
 * sound for safe-prime keys (Q_n cyclic of order p'q'), which is why only they carry it.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bitLength, byteLength, fromBytes, modInverse, toBytes } from './bigint.js';
import { modPowSecret } from './backend.js';
import { randomBits } from './random.js';
import type { EqualityProof, RandomBytes } from './types.js';

/** L1 of Shoup's §2: the challenge length in bits (the output of SHA-256). */
export const CHALLENGE_BITS = 256;

const DOMAIN = new TextEncoder().encode('qsign threshold-rsa shoup-eqdl v1');

/** H'(v, x̃, v_i, x_i², v', x') as an integer: SHA-256 over a domain tag and the six values as k-octet strings. */
export function challenge(n: bigint, values: readonly bigint[]): bigint {
  const k = byteLength(n);
  const h = sha256.create().update(DOMAIN).update(toBytes(n, k));
  for (const v of values) h.update(toBytes(v, k));
  return fromBytes(h.digest());
}

/** The bit length of r: L(n) + 2·L1 (Shoup §2), so z = s_i·c + r hides s_i statistically. */
export function nonceBits(n: bigint): number {
  return bitLength(n) + 2 * CHALLENGE_BITS;
}

/** Proves log_xTilde(xi²) = log_v(vi) = s_i. `secret` and the nonce r never leave this call. */
export function proveEquality(n: bigint, v: bigint, vi: bigint, xTilde: bigint, xi: bigint, secret: bigint, random: RandomBytes): EqualityProof {
  const r = randomBits(nonceBits(n), random);
  const vPrime = modPowSecret(v, r, n);
  const xPrime = modPowSecret(xTilde, r, n);
  const c = challenge(n, [v, xTilde, vi, (xi * xi) % n, vPrime, xPrime]);
  return { c, z: secret * c + r };
}

/** Checks a proof: c = H'(v, x̃, v_i, x_i², v^z·v_i^(−c), x̃^z·x_i^(−2c)). Public inputs only. */
export function verifyEquality(n: bigint, v: bigint, vi: bigint, xTilde: bigint, xi: bigint, proof: EqualityProof): boolean {
  const { c, z } = proof;
  if (typeof c !== 'bigint' || typeof z !== 'bigint' || c < 0n || z < 0n) return false;
  if (bitLength(c) > CHALLENGE_BITS || bitLength(z) > nonceBits(n) + 1) return false;
  // z and c are public here; the secret backend is simply the fastest full-length modexp.
  const pow = (b: bigint, e: bigint): bigint => (e === 0n ? 1n : modPowSecret(b, e, n));
  let vPrime: bigint;
  let xPrime: bigint;
  try {
    vPrime = (pow(v, z) * modInverse(pow(vi, c), n)) % n;
    xPrime = (pow(xTilde, z) * modInverse(pow(xi, 2n * c), n)) % n;
  } catch {
    return false; // v_i or x_i not invertible mod n
  }
  return challenge(n, [v, xTilde, vi, (xi * xi) % n, vPrime, xPrime]) === c;
}
