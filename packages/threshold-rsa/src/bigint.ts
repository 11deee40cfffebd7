/** Big-endian byte ⇄ bigint conversion and the public modular arithmetic Shoup's scheme needs. */
import { check } from './errors.js';

/** Bit length of a non-negative bigint (0 for 0). */
export function bitLength(x: bigint): number {
  return x === 0n ? 0 : x.toString(2).length;
}

/** Byte length of the modulus `n` (RFC 8017 §2 `k`). */
export function byteLength(n: bigint): number {
  return (bitLength(n) + 7) >>> 3;
}

/** Big-endian unsigned integer (RFC 8017 §4.2 OS2IP). */
export function fromBytes(b: Uint8Array): bigint {
  let hex = '';
  for (const v of b) hex += v.toString(16).padStart(2, '0');
  return hex === '' ? 0n : BigInt(`0x${hex}`);
}

/** Fixed-length big-endian encoding (RFC 8017 §4.1 I2OSP); refuses values that do not fit. */
export function toBytes(x: bigint, length: number): Uint8Array {
  check(x >= 0n, 'INVALID_PARAMETERS', 'I2OSP of a negative integer');
  const hex = x.toString(16);
  check(hex.length <= length * 2, 'INVALID_PARAMETERS', `integer too large for ${length} octets`);
  const out = new Uint8Array(length);
  const padded = hex.padStart(length * 2, '0');
  for (let i = 0; i < length; i++) out[i] = parseInt(padded.slice(2 * i, 2 * i + 2), 16);
  return out;
}

/** x mod m in [0, m). */
export function mod(x: bigint, m: bigint): bigint {
  const r = x % m;
  return r < 0n ? r + m : r;
}

/** Extended Euclid: [g, a, b] with a·x + b·y = g = gcd(x, y), for x, y ≥ 0. */
export function egcd(x: bigint, y: bigint): [bigint, bigint, bigint] {
  let [r0, r1, s0, s1, t0, t1] = [x, y, 1n, 0n, 0n, 1n];
  while (r1 !== 0n) {
    const q = r0 / r1;
    [r0, r1] = [r1, r0 - q * r1];
    [s0, s1] = [s1, s0 - q * s1];
    [t0, t1] = [t1, t0 - q * t1];
  }
  return [r0, s0, t0];
}

/** gcd(x, y). */
export function gcd(x: bigint, y: bigint): bigint {
  return egcd(x, y)[0];
}

/** x⁻¹ mod m; throws INVALID_PARAMETERS when gcd(x, m) ≠ 1. */
export function modInverse(x: bigint, m: bigint): bigint {
  const [g, a] = egcd(mod(x, m), m);
  check(g === 1n, 'INVALID_PARAMETERS', 'value is not invertible modulo n');
  return mod(a, m);
}

/**
 * Square-and-multiply for PUBLIC exponents (variable time): Lagrange coefficients, e, the
 * Bezout step of Shoup's combining. Negative exponents use the inverse of the base.
 */
export function modPowPublic(base: bigint, exp: bigint, m: bigint): bigint {
  let b = mod(base, m);
  let e = exp;
  if (e < 0n) {
    b = modInverse(b, m);
    e = -e;
  }
  let r = 1n % m;
  while (e > 0n) {
    if (e & 1n) r = (r * b) % m;
    b = (b * b) % m;
    e >>= 1n;
  }
  return r;
}

/** n! as a bigint (Shoup's Δ = l!). */
export function factorial(l: number): bigint {
  let r = 1n;
  for (let i = 2n; i <= BigInt(l); i++) r *= i;
  return r;
}
