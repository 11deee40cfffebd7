/**
 * Byte helpers shared by the package: strict RFC 4648 §4 base64, lowercase
 * hex, UTF-8, comparison and concatenation. Pure TypeScript, no `node:` APIs.
 *
 * @module
 */
import { concatBytes } from '@noble/hashes/utils.js';
import { AuditError } from './errors.js';

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX: Int16Array = (() => {
  const t = new Int16Array(128).fill(-1);
  for (let i = 0; i < B64.length; i++) t[B64.charCodeAt(i)] = i;
  return t;
})();

/**
 * Standard padded base64 (RFC 4648 §4), as used by c2sp.org/signed-note.
 *
 * @example `base64Encode(new Uint8Array([1, 2]))` → `"AQI="`
 */
export function base64Encode(bytes: Uint8Array): string {
  let out = '';
  let i = 0;
  for (; i + 2 < bytes.length; i += 3) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8) | bytes[i + 2]!;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + B64[n & 63]!;
  }
  const rest = bytes.length - i;
  if (rest === 1) {
    const n = bytes[i]! << 16;
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + '==';
  } else if (rest === 2) {
    const n = (bytes[i]! << 16) | (bytes[i + 1]! << 8);
    out += B64[n >> 18]! + B64[(n >> 12) & 63]! + B64[(n >> 6) & 63]! + '=';
  }
  return out;
}

/**
 * Strict decoding of standard padded base64 (RFC 4648 §4): padding is
 * required, no whitespace, and the unused trailing bits must be zero
 * (RFC 4648 §3.5 canonical encoding), so every byte string has exactly one
 * accepted encoding. Returns `undefined` on any deviation.
 */
export function base64DecodeStrict(text: string): Uint8Array | undefined {
  if (text.length % 4 !== 0) return undefined;
  let pad = 0;
  if (text.endsWith('==')) pad = 2;
  else if (text.endsWith('=')) pad = 1;
  const out = new Uint8Array((text.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < text.length; i += 4) {
    const last = i + 4 === text.length;
    const v: number[] = [];
    for (let j = 0; j < 4; j++) {
      const c = text.charCodeAt(i + j);
      if (last && j >= 4 - pad) {
        if (c !== 61 /* = */) return undefined;
        v.push(0);
        continue;
      }
      const x = c < 128 ? B64_INDEX[c]! : -1;
      if (x < 0) return undefined;
      v.push(x);
    }
    const n = (v[0]! << 18) | (v[1]! << 12) | (v[2]! << 6) | v[3]!;
    if (last && pad === 2 && (n & 0xffff) !== 0) return undefined;
    if (last && pad === 1 && (n & 0xff) !== 0) return undefined;
    out[o++] = n >> 16;
    if (o < out.length) out[o++] = (n >> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** Lowercase hex of `bytes`. */
export function toHex(bytes: Uint8Array): string {
  let s = '';
  for (const b of bytes) s += b.toString(16).padStart(2, '0');
  return s;
}

/** Decodes lowercase, even-length hex; `undefined` on anything else. */
export function fromHexStrict(hex: string): Uint8Array | undefined {
  if (hex.length % 2 !== 0 || !/^[0-9a-f]*$/.test(hex)) return undefined;
  const out = new Uint8Array(hex.length / 2);
  for (let i = 0; i < out.length; i++) out[i] = parseInt(hex.slice(2 * i, 2 * i + 2), 16);
  return out;
}

const encoder = new TextEncoder();
const fatalDecoder = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

/** UTF-8 encoding of a well-formed string (throws on lone surrogates). */
export function utf8(text: string): Uint8Array {
  if (!isWellFormed(text)) throw new AuditError('invalid-argument', 'string contains a lone surrogate');
  return encoder.encode(text);
}

/** Strict UTF-8 decoding; `undefined` if `bytes` is not valid UTF-8. A BOM is kept, not stripped. */
export function utf8DecodeStrict(bytes: Uint8Array): string | undefined {
  try {
    return fatalDecoder.decode(bytes);
  } catch {
    return undefined;
  }
}

/** True if `text` has no unpaired UTF-16 surrogates (so it round-trips through UTF-8). */
export function isWellFormed(text: string): boolean {
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    if (c >= 0xd800 && c <= 0xdbff) {
      const d = text.charCodeAt(i + 1);
      if (!(d >= 0xdc00 && d <= 0xdfff)) return false;
      i++;
    } else if (c >= 0xdc00 && c <= 0xdfff) {
      return false;
    }
  }
  return true;
}

/** Equality of two byte strings (not constant-time: every input here is public). */
export function bytesEqual(a: Uint8Array, b: Uint8Array): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false;
  return true;
}

/** Concatenation of byte strings (noble's concatBytes). */
export const concat = (...parts: Uint8Array[]): Uint8Array => concatBytes(...parts);

/** 8-byte big-endian encoding of a non-negative safe integer. */
export function u64be(n: number): Uint8Array {
  const out = new Uint8Array(8);
  new DataView(out.buffer).setBigUint64(0, BigInt(n));
  return out;
}

/** Reads an 8-byte big-endian unsigned integer as a bigint. */
export function readU64be(bytes: Uint8Array, offset: number): bigint {
  return new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength).getBigUint64(offset);
}

/** True for a Uint8Array (including Node Buffers) of the given length, if any. */
export function isBytes(x: unknown, length?: number): x is Uint8Array {
  return x instanceof Uint8Array && (length === undefined || x.length === length);
}

/** True for a non-negative safe integer. */
export function isSize(n: unknown): n is number {
  return typeof n === 'number' && Number.isSafeInteger(n) && n >= 0;
}
