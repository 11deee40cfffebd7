/** Multiprecision integers (RFC 4880 §3.2, RFC 9580 §3.2). */
import { concat, Reader, u16 } from './bytes.js';
import { check } from './errors.js';

/** Strips leading zero octets from a big-endian integer. */
export function stripLeadingZeros(b: Uint8Array): Uint8Array {
  let i = 0;
  while (i < b.length && b[i] === 0) i++;
  return b.subarray(i);
}

/**
 * Encodes a big-endian unsigned integer as a minimal MPI (RFC 9580 §3.2): leading
 * zero octets are stripped and the bit count is exact, as rpm-sequoia requires.
 *
 * @example encodeMpi(Uint8Array.of(0, 1)) // → 00 01 01
 */
export function encodeMpi(value: Uint8Array): Uint8Array {
  const v = stripLeadingZeros(value);
  check(v.length <= 8191, 'TOO_LARGE', 'MPI longer than 65535 bits');
  const bits = v.length === 0 ? 0 : (v.length - 1) * 8 + (32 - Math.clz32(v[0]!));
  return concat(u16(bits), v);
}

/**
 * Reads one MPI (RFC 9580 §3.2) and returns its value bytes exactly as stored
 * (length from the bit count; the bit count itself is not required to be exact,
 * so keys written by older implementations still parse).
 */
export function readMpi(r: Reader): Uint8Array {
  const bits = r.u16();
  return r.take((bits + 7) >>> 3);
}

/** True if an encoded MPI's bit count is exact and it has no leading zero octet. */
export function isMinimalMpi(value: Uint8Array, bits: number): boolean {
  if (value.length === 0) return bits === 0;
  return value[0] !== 0 && (value.length - 1) * 8 + (32 - Math.clz32(value[0]!)) === bits;
}
