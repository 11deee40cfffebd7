/**
 * The trusted dealer of Shoup's protocol 1 (EUROCRYPT 2000, §2 "The dealer"): splits
 * d = e⁻¹ mod m with a random polynomial of degree k − 1 over Z_m, and — for keys with safe
 * primes, where m = p'q' and Q_n is cyclic of order m — publishes verification keys
 * v_i = v^(s_i). This is the only place the whole key exists; see docs/threshold-rsa.md.
 */
import { bitLength, gcd, mod, modInverse } from './bigint.js';
import { modPowSecret } from './backend.js';
import { check, ThresholdRsaError } from './errors.js';
import { expectModulus, expectPublicExponent, expectThreshold, MODULUS_BITS } from './params.js';
import { isProbablePrime, isSafePrime } from './prime.js';
import { defaultRandom, randomBelow } from './random.js';
import type { RandomBytes, SecretRsaKey, SecretRsaShare, ThresholdRsaPublicKey } from './types.js';

/** Options of {@link dealShares}. */
export interface DealOptions {
  /** l: the number of shares. */
  parties: number;
  /** k: the number of shares a signature needs. */
  threshold: number;
  /**
   * 'auto' (default): verification keys if both primes are safe; 'require': refuse a key
   * without safe primes; 'none': never (imported keys, blamed by combination).
   */
  proofs?: 'auto' | 'require' | 'none';
  /** Randomness (default: the platform CSPRNG). */
  random?: RandomBytes;
}

/** The dealer's output: the public key and one secret share per party (index i at i − 1). */
export interface Dealt {
  publicKey: ThresholdRsaPublicKey;
  shares: SecretRsaShare[];
}

/**
 * Checks a two-prime RSA key: n = p·q with distinct probable primes, a supported size and a
 * public exponent invertible modulo λ(n).
 *
 * @throws ThresholdRsaError WRONG_MODULUS_SIZE, OVERSIZED_EXPONENT, INVALID_KEY.
 */
export function validateSecretKey(key: SecretRsaKey, parties: number, random: RandomBytes = defaultRandom): void {
  check(typeof key === 'object' && key !== null, 'INVALID_KEY', 'key must be an object');
  for (const f of ['n', 'e', 'p', 'q'] as const) check(typeof key[f] === 'bigint', 'INVALID_KEY', `key.${f} must be a bigint`);
  expectModulus(key.n);
  expectPublicExponent(key.e, parties);
  check(key.p * key.q === key.n, 'INVALID_KEY', 'n is not p·q');
  check(key.p !== key.q, 'INVALID_KEY', 'p = q');
  check(isProbablePrime(key.p, random, 20) && isProbablePrime(key.q, random, 20), 'INVALID_KEY', 'p or q is not prime (only two-prime keys can be dealt)');
  check(gcd(key.e, (key.p - 1n) * (key.q - 1n)) === 1n, 'INVALID_KEY', 'e is not invertible modulo φ(n)');
}

/**
 * Deals a k-of-l threshold key from a two-prime RSA key (Shoup protocol 1). With safe primes
 * p = 2p' + 1, q = 2q' + 1 the polynomial is over Z_m, m = p'q', and the output carries
 * verification keys; otherwise m = λ(n) = lcm(p − 1, q − 1) and shares carry no proofs (a bad
 * one is found by combining subsets). Either way x^(4Δ²·e·f(0)) = x^(4Δ²) for every x, so
 * {@link combine} yields the ordinary RSA signature x^d mod n.
 *
 * @example const { publicKey, shares } = dealShares({ n, e, p, q }, { parties: 5, threshold: 3 });
 */
export function dealShares(key: SecretRsaKey, opts: DealOptions): Dealt {
  const random = opts.random ?? defaultRandom;
  const mode = opts.proofs ?? 'auto';
  check(mode === 'auto' || mode === 'require' || mode === 'none', 'INVALID_PARAMETERS', `proofs must be auto, require or none`);
  expectThreshold(opts.parties, opts.threshold);
  validateSecretKey(key, opts.parties, random);
  const { n, e, p, q } = key;
  const safe = mode !== 'none' && isSafePrime(p, random, 20) && isSafePrime(q, random, 20);
  if (mode === 'require' && !safe) throw new ThresholdRsaError('INVALID_KEY', 'the key does not have safe primes, so its shares cannot carry proofs');
  const m = safe ? ((p - 1n) >> 1n) * ((q - 1n) >> 1n) : ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  check(gcd(e, m) === 1n, 'INVALID_KEY', 'e is not invertible modulo m');
  const d = modInverse(e, m);
  const coefficients = [d];
  for (let j = 1; j < opts.threshold; j++) coefficients.push(randomBelow(m, random));
  const shares: SecretRsaShare[] = [];
  for (let i = 1; i <= opts.parties; i++) {
    let s = 0n;
    for (let j = coefficients.length - 1; j >= 0; j--) s = mod(s * BigInt(i) + coefficients[j]!, m);
    shares.push({ index: i, secret: s });
  }
  coefficients.fill(0n);
  const publicKey: ThresholdRsaPublicKey = { n, e, parties: opts.parties, threshold: opts.threshold };
  if (safe) {
    let v = 0n;
    while (v <= 1n) v = modPowSecret(randomBelow(n, random), 2n, n); // a random square generates Q_n w.h.p.
    publicKey.verification = { v, verificationKeys: shares.map((s) => modPowSecret(v, s.secret, n)) };
  }
  return { publicKey, shares };
}

/** A source of safe primes of an exact bit length (e.g. node:crypto generatePrimeSync({ safe: true })). */
export type SafePrimeSource = (bits: number) => bigint;

/** Options of {@link generateSafePrimeKey}. */
export interface GenerateOptions {
  /** Modulus size: 2048, 3072 or 4096. */
  bits: number;
  /** Public exponent (default 65537). */
  e?: bigint;
  /** Where the safe primes come from; each is checked here before use. */
  safePrime: SafePrimeSource;
  /** Randomness for the checks (default: the platform CSPRNG). */
  random?: RandomBytes;
}

/**
 * A new RSA key whose primes are safe (p = 2p' + 1 with p' prime), so {@link dealShares}
 * gives shares with Shoup's proofs. The prime source is injected (pure package); every prime
 * it returns is re-checked with Miller–Rabin, and n must come out exactly `bits` long.
 *
 * @throws ThresholdRsaError BACKEND_FAILED if the source returns a non-safe or wrong-size prime.
 */
export function generateSafePrimeKey(opts: GenerateOptions): SecretRsaKey {
  expectKeyBits(opts.bits);
  check(typeof opts.safePrime === 'function', 'INVALID_PARAMETERS', 'safePrime must be a function');
  for (;;) {
    const key = safePrimeKey(opts.bits, opts.safePrime(opts.bits / 2), opts.safePrime(opts.bits / 2), opts);
    if (key) return key;
  }
}

function expectKeyBits(bits: number): void {
  check(MODULUS_BITS.includes(bits), 'WRONG_MODULUS_SIZE', `cannot generate a ${bits}-bit key; use 2048, 3072 or 4096`);
}

/**
 * The key of two safe primes from a prime source (e.g. OpenSSL's, asynchronously), each
 * re-checked with Miller–Rabin; undefined when the pair does not make a key (p = q, n not
 * exactly `bits` long, e not invertible): draw another pair.
 *
 * @throws ThresholdRsaError WRONG_MODULUS_SIZE, or BACKEND_FAILED if a value is not a safe prime of bits/2 bits.
 */
export function safePrimeKey(bits: number, p: bigint, q: bigint, opts: { e?: bigint; random?: RandomBytes } = {}): SecretRsaKey | undefined {
  expectKeyBits(bits);
  const e = opts.e ?? 65537n;
  const random = opts.random ?? defaultRandom;
  const half = bits / 2;
  for (const x of [p, q]) {
    check(typeof x === 'bigint' && bitLength(x) === half, 'BACKEND_FAILED', `the prime source returned a value that is not ${half} bits`);
    check(isSafePrime(x, random, 20), 'BACKEND_FAILED', 'the prime source returned a value that is not a safe prime');
  }
  if (p === q || bitLength(p * q) !== bits || gcd(e, (p - 1n) * (q - 1n)) !== 1n) return undefined;
  return { n: p * q, e, p, q };
}
