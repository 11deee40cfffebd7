/** Probabilistic primality and safe-prime tests (Miller–Rabin; FIPS 186-5 §B.3.1). */
import { bitLength } from './bigint.js';
import { modPowSecret } from './backend.js';
import { randomBelow } from './random.js';
import type { RandomBytes } from './types.js';

const SMALL_PRIMES = [3n, 5n, 7n, 11n, 13n, 17n, 19n, 23n, 29n, 31n, 37n, 41n, 43n, 47n, 53n, 59n, 61n, 67n, 71n, 73n, 79n, 83n, 89n, 97n];

/**
 * Miller–Rabin with `rounds` random bases (FIPS 186-5 §B.3.1). The candidate may be a secret
 * prime, so the exponentiations use the secret backend.
 */
export function isProbablePrime(w: bigint, random: RandomBytes, rounds = 40): boolean {
  if (w < 2n) return false;
  if (w === 2n) return true;
  if ((w & 1n) === 0n) return false;
  for (const p of SMALL_PRIMES) if (w === p) return true; else if (w % p === 0n) return false;
  let m = w - 1n;
  let a = 0;
  while ((m & 1n) === 0n) {
    m >>= 1n;
    a++;
  }
  for (let i = 0; i < rounds; i++) {
    const b = 2n + randomBelow(w - 3n, random);
    let z = modPowSecret(b, m, w);
    if (z === 1n || z === w - 1n) continue;
    let composite = true;
    for (let j = 1; j < a; j++) {
      z = (z * z) % w;
      if (z === w - 1n) {
        composite = false;
        break;
      }
      if (z === 1n) break;
    }
    if (composite) return false;
  }
  return true;
}

/** True if p and (p − 1)/2 are both (probable) primes. */
export function isSafePrime(p: bigint, random: RandomBytes, rounds = 40): boolean {
  return bitLength(p) > 2 && (p & 3n) === 3n && isProbablePrime((p - 1n) >> 1n, random, rounds) && isProbablePrime(p, random, rounds);
}
