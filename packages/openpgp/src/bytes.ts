/** Small byte helpers shared by the packet modules. */
import { concatBytes } from '@noble/hashes/utils.js';
import { check } from './errors.js';

/** Concatenates byte arrays (noble's concatBytes). */
export const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(...parts);

/** Big-endian 16-bit encoding (RFC 9580 §3.1 scalar numbers). */
export function u16(n: number): Uint8Array {
  check(Number.isInteger(n) && n >= 0 && n <= 0xffff, 'TOO_LARGE', `value ${n} does not fit 16 bits`);
  return Uint8Array.of(n >>> 8, n & 0xff);
}

/** Big-endian 32-bit encoding (RFC 9580 §3.1 scalar numbers). */
export function u32(n: number): Uint8Array {
  check(Number.isInteger(n) && n >= 0 && n <= 0xffffffff, 'TOO_LARGE', `value ${n} does not fit 32 bits`);
  return Uint8Array.of(n >>> 24, (n >>> 16) & 0xff, (n >>> 8) & 0xff, n & 0xff);
}

/** Reads a big-endian 16-bit number; caller checks bounds. */
export function readU16(b: Uint8Array, o: number): number {
  return ((b[o] ?? 0) << 8) | (b[o + 1] ?? 0);
}

/** Reads a big-endian 32-bit number; caller checks bounds. */
export function readU32(b: Uint8Array, o: number): number {
  return (((b[o] ?? 0) << 24) | ((b[o + 1] ?? 0) << 16) | ((b[o + 2] ?? 0) << 8) | (b[o + 3] ?? 0)) >>> 0;
}

/** Constant-shape equality of two byte arrays. */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  let d = 0;
  for (let i = 0; i < a.length; i++) d |= a[i]! ^ b[i]!;
  return d === 0;
}

/** Upper-case hex. */
export function toHex(b: Uint8Array): string {
  let s = '';
  for (const x of b) s += x.toString(16).padStart(2, '0');
  return s.toUpperCase();
}

/** UTF-8 encoding. */
export function utf8(s: string): Uint8Array {
  return new TextEncoder().encode(s);
}

/** Lenient UTF-8 decoding (invalid sequences become U+FFFD). */
export function fromUtf8(b: Uint8Array): string {
  return new TextDecoder('utf-8', { fatal: false }).decode(b);
}

/** Validates that `v` is a Uint8Array of exactly `len` bytes. */
export function expectBytes(v: unknown, len: number | undefined, what: string): asserts v is Uint8Array {
  check(v instanceof Uint8Array, 'INVALID_ARGUMENT', `${what} must be a Uint8Array`);
  if (len !== undefined) check(v.length === len, 'INVALID_ARGUMENT', `${what} must be ${len} bytes, got ${v.length}`);
}

/** Validates a Unix time in seconds that fits the 32-bit OpenPGP time field (RFC 9580 §3.5). */
export function expectTime(v: unknown, what: string): asserts v is number {
  check(
    typeof v === 'number' && Number.isInteger(v) && v >= 0 && v <= 0xffffffff,
    'INVALID_ARGUMENT',
    `${what} must be an integer Unix time in 0..2^32-1`,
  );
}

/** A bounds-checked cursor over a byte array; every read fails with TRUNCATED past the end. */
export class Reader {
  pos = 0;
  constructor(
    readonly bytes: Uint8Array,
    readonly what: string,
  ) {}
  get remaining(): number {
    return this.bytes.length - this.pos;
  }
  need(n: number): void {
    check(this.remaining >= n, 'TRUNCATED', `${this.what}: need ${n} more bytes, ${this.remaining} left`);
  }
  u8(): number {
    this.need(1);
    return this.bytes[this.pos++]!;
  }
  u16(): number {
    this.need(2);
    const v = readU16(this.bytes, this.pos);
    this.pos += 2;
    return v;
  }
  u32(): number {
    this.need(4);
    const v = readU32(this.bytes, this.pos);
    this.pos += 4;
    return v;
  }
  take(n: number): Uint8Array {
    this.need(n);
    const v = this.bytes.subarray(this.pos, this.pos + n);
    this.pos += n;
    return v;
  }
  rest(): Uint8Array {
    return this.take(this.remaining);
  }
}
