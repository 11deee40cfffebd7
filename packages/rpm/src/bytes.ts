/** Small big-endian byte helpers (RPM stores every integer in network order). */
import { concatBytes } from '@noble/hashes/utils.js';

/** Reads an unsigned 16-bit big-endian integer. Caller checks bounds. */
export function u16(b: Uint8Array, at: number): number {
  return ((b[at]! << 8) | b[at + 1]!) >>> 0;
}

/** Reads an unsigned 32-bit big-endian integer. Caller checks bounds. */
export function u32(b: Uint8Array, at: number): number {
  return ((b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!) >>> 0;
}

/** Reads a signed 32-bit big-endian integer. Caller checks bounds. */
export function i32(b: Uint8Array, at: number): number {
  return (b[at]! << 24) | (b[at + 1]! << 16) | (b[at + 2]! << 8) | b[at + 3]!;
}

/** Writes a 32-bit big-endian integer (signed or unsigned). */
export function putU32(b: Uint8Array, at: number, v: number): void {
  b[at] = (v >>> 24) & 0xff;
  b[at + 1] = (v >>> 16) & 0xff;
  b[at + 2] = (v >>> 8) & 0xff;
  b[at + 3] = v & 0xff;
}

/** Concatenates byte arrays into a fresh array (noble's concatBytes). */
export const concat = (parts: readonly Uint8Array[]): Uint8Array => concatBytes(...parts);

/** Constant-shape byte equality (not secret-dependent here; plain compare). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}
