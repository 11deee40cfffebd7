/** Small byte helpers (internal). */
import { concatBytes } from '@noble/hashes/utils.js';
import { FrostError } from './errors.js';

/** Asserts `b` is a Uint8Array, optionally of exactly `len` bytes. */
export function assertBytes(b: unknown, len: number | undefined, what: string): asserts b is Uint8Array {
  if (!(b instanceof Uint8Array)) throw new FrostError('INVALID_PARAMETERS', `${what}: expected Uint8Array`);
  if (len !== undefined && b.length !== len)
    throw new FrostError('INVALID_PARAMETERS', `${what}: expected ${len} bytes, got ${b.length}`);
}

/** Constant-time-ish equality of two byte arrays (length is public). */
export function equalBytes(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Concatenates byte arrays (noble's concatBytes). */
export const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(...parts);

const HEX = /^(?:[0-9a-f]{2})*$/;

/** Lower-case hex encoding. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (let i = 0; i < b.length; i++) s += b[i]!.toString(16).padStart(2, '0');
  return s;
}

/** Decodes lower-case hex of an exact byte length; throws INVALID_ENCODING otherwise. */
export function fromHex(s: unknown, len: number | undefined, what: string): Uint8Array {
  if (typeof s !== 'string' || !HEX.test(s) || (len !== undefined && s.length !== 2 * len))
    throw new FrostError('INVALID_ENCODING', `${what}: expected ${len ?? 'even-length'} lower-case hex bytes`);
  const out = new Uint8Array(s.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(s.slice(2 * i, 2 * i + 2), 16);
  return out;
}
