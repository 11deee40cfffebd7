/**
 * The pluggable modular exponentiation behind a share holder's secret operations
 * (x^(2Δs_i) and the proof's v^r, x̃^r). Without the primes no CRT is possible, so this
 * is a full-length exponentiation modulo n; `@qsign/threshold-rsa-native` installs
 * OpenSSL's constant-time Montgomery ladder, and the pure default below is the fallback.
 */
import { check } from './errors.js';
import { mod } from './bigint.js';

/**
 * Modular exponentiation for a SECRET exponent. Implementations must agree bit for bit with
 * {@link pureBackend} (the native package self-tests against it before installing itself).
 *
 * @example setModexpBackend(myBackend); // every later signShare uses it
 */
export interface ModexpBackend {
  /** A short name for logs and benchmarks ("bigint", "openssl-dh"). */
  readonly name: string;
  /**
   * base^exp mod m for odd m > 1, 0 ≤ base < m, exp ≥ 0. Should run in time that depends
   * only on the bit lengths of exp and m, and must not retain exp.
   */
  modPowSecret(base: bigint, exp: bigint, m: bigint): bigint;
}

const WINDOW = 4;

/**
 * Pure BigInt fixed-window (4-bit) exponentiation: the same sequence of squarings and
 * multiplications for every exponent of a given length. V8's BigInt arithmetic itself is not
 * constant-time, so this fallback is for hosts without OpenSSL only (see docs/threshold-rsa.md).
 */
export const pureBackend: ModexpBackend = {
  name: 'bigint',
  modPowSecret(base: bigint, exp: bigint, m: bigint): bigint {
    check(m > 1n && (m & 1n) === 1n, 'INVALID_PARAMETERS', 'modulus must be odd and > 1');
    check(exp >= 0n, 'INVALID_PARAMETERS', 'negative secret exponent');
    const b = mod(base, m);
    const table: bigint[] = [1n % m];
    for (let i = 1; i < 1 << WINDOW; i++) table.push((table[i - 1]! * b) % m);
    const digits = exp.toString(16); // one hex digit = one 4-bit window
    let r = 1n % m;
    for (const d of digits) {
      for (let s = 0; s < WINDOW; s++) r = (r * r) % m;
      r = (r * table[parseInt(d, 16)]!) % m; // multiplies by table[0] = 1 too: no skipped step
    }
    return r;
  },
};

let current: ModexpBackend = pureBackend;

/** Replaces the secret modexp backend for every later share and proof computation. */
export function setModexpBackend(backend: ModexpBackend): void {
  check(typeof backend?.modPowSecret === 'function', 'INVALID_PARAMETERS', 'backend must have modPowSecret');
  current = backend;
}

/** The backend in use. */
export function modexpBackend(): ModexpBackend {
  return current;
}

/** Name of the backend in use ("bigint" until a native one is installed). */
export function backendName(): string {
  return current.name;
}

/** base^exp mod m with the current backend, for a secret exponent. */
export function modPowSecret(base: bigint, exp: bigint, m: bigint): bigint {
  return current.modPowSecret(base, exp, m);
}
