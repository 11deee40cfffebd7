/** ASCII armor (RFC 4880 §6, RFC 9580 §6) with CRC-24 and optional headers. */
import { fromUtf8 } from './bytes.js';
import { check, OpenPgpError } from './errors.js';

/** Armor block kinds, in the words of the BEGIN line (RFC 9580 §6.2). */
export type ArmorKind = 'PUBLIC KEY BLOCK' | 'PRIVATE KEY BLOCK' | 'SIGNATURE' | 'MESSAGE';
const KINDS: readonly ArmorKind[] = ['PUBLIC KEY BLOCK', 'PRIVATE KEY BLOCK', 'SIGNATURE', 'MESSAGE'];

/** One armor header line, e.g. ["Comment", "qsign"] (RFC 9580 §6.2.2). */
export type ArmorHeader = readonly [key: string, value: string];

/** Result of {@link dearmor}. */
export interface Dearmored {
  kind: ArmorKind;
  headers: ArmorHeader[];
  bytes: Uint8Array;
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/';
const B64_INDEX = new Int16Array(128).fill(-1);
for (let i = 0; i < 64; i++) B64_INDEX[B64.charCodeAt(i)] = i;

/** Base64 encoding (RFC 4648 §4). */
export function base64Encode(b: Uint8Array): string {
  let s = '';
  let i = 0;
  for (; i + 2 < b.length; i += 3) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8) | b[i + 2]!;
    s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + B64[n & 63]!;
  }
  if (i + 1 === b.length) {
    const n = b[i]! << 16;
    s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + '==';
  } else if (i + 2 === b.length) {
    const n = (b[i]! << 16) | (b[i + 1]! << 8);
    s += B64[n >>> 18]! + B64[(n >>> 12) & 63]! + B64[(n >>> 6) & 63]! + '=';
  }
  return s;
}

/** Strict base64 decoding (RFC 4648 §4); BAD_ARMOR on any stray character or bad padding. */
export function base64Decode(s: string): Uint8Array {
  check(s.length % 4 === 0, 'BAD_ARMOR', 'base64 length is not a multiple of 4');
  let pad = 0;
  if (s.endsWith('==')) pad = 2;
  else if (s.endsWith('=')) pad = 1;
  const out = new Uint8Array((s.length / 4) * 3 - pad);
  let o = 0;
  for (let i = 0; i < s.length; i += 4) {
    let n = 0;
    for (let j = 0; j < 4; j++) {
      const c = s.charCodeAt(i + j);
      const last = i + 4 === s.length;
      if (c === 61 /* = */ && last && j >= 4 - pad) {
        n <<= 6;
        continue;
      }
      const v = c < 128 ? B64_INDEX[c]! : -1;
      if (v < 0) throw new OpenPgpError('BAD_ARMOR', `invalid base64 character at ${i + j}`);
      n = (n << 6) | v;
    }
    if (o < out.length) out[o++] = (n >>> 16) & 0xff;
    if (o < out.length) out[o++] = (n >>> 8) & 0xff;
    if (o < out.length) out[o++] = n & 0xff;
  }
  return out;
}

/** CRC-24 of RFC 4880 §6.1 (init 0xB704CE, generator 0x1864CFB). */
export function crc24(b: Uint8Array): number {
  let crc = 0xb704ce;
  for (const x of b) {
    crc ^= x << 16;
    for (let i = 0; i < 8; i++) {
      crc <<= 1;
      if (crc & 0x1000000) crc ^= 0x1864cfb;
    }
  }
  return crc & 0xffffff;
}

function validHeader(h: unknown): h is ArmorHeader {
  return (
    Array.isArray(h) &&
    h.length === 2 &&
    typeof h[0] === 'string' &&
    typeof h[1] === 'string' &&
    /^[A-Za-z][A-Za-z0-9-]*$/.test(h[0]) &&
    !/[\r\n]/.test(h[1])
  );
}

/**
 * ASCII-armors binary OpenPGP data (RFC 4880 §6.2): BEGIN line, optional headers,
 * blank line, base64 in 64-character lines, "=" CRC-24 line, END line. LF line endings.
 *
 * @example armor('SIGNATURE', sigPacket)
 */
export function armor(kind: ArmorKind, bytes: Uint8Array, headers: readonly ArmorHeader[] = []): string {
  check(KINDS.includes(kind), 'INVALID_ARGUMENT', `unknown armor kind ${String(kind)}`);
  check(bytes instanceof Uint8Array, 'INVALID_ARGUMENT', 'armor expects a Uint8Array');
  check(Array.isArray(headers) && headers.every(validHeader), 'INVALID_ARGUMENT', 'armor headers must be [Key, value] pairs without line breaks');
  const b64 = base64Encode(bytes);
  const lines = [`-----BEGIN PGP ${kind}-----`, ...headers.map(([k, v]) => `${k}: ${v}`), ''];
  for (let i = 0; i < b64.length; i += 64) lines.push(b64.slice(i, i + 64));
  const crc = crc24(bytes);
  lines.push('=' + base64Encode(Uint8Array.of(crc >>> 16, (crc >>> 8) & 0xff, crc & 0xff)), `-----END PGP ${kind}-----`, '');
  return lines.join('\n');
}

const MAX_ARMOR_CHARS = 64 * 1024 * 1024;

/**
 * Decodes the first ASCII-armored block in `text` (RFC 4880 §6.2). Headers are
 * optional; the CRC-24 line is checked when present (RFC 9580 §6.1 makes it optional).
 *
 * @throws OpenPgpError BAD_ARMOR, BAD_CHECKSUM or TOO_LARGE.
 */
export function dearmor(text: string): Dearmored {
  check(typeof text === 'string', 'INVALID_ARGUMENT', 'dearmor expects a string');
  check(text.length <= MAX_ARMOR_CHARS, 'TOO_LARGE', 'armored text too large');
  const lines = text.split(/\r?\n/);
  let i = 0;
  let kind: ArmorKind | undefined;
  for (; i < lines.length; i++) {
    const m = /^-----BEGIN PGP (.+)-----$/.exec(lines[i]!.trimEnd());
    if (m) {
      check((KINDS as readonly string[]).includes(m[1]!), 'BAD_ARMOR', `unsupported armor block "BEGIN PGP ${m[1]!}"`);
      kind = m[1] as ArmorKind;
      i++;
      break;
    }
  }
  if (kind === undefined) throw new OpenPgpError('BAD_ARMOR', 'no "-----BEGIN PGP …-----" line');
  const headers: [string, string][] = [];
  for (; i < lines.length; i++) {
    const m = /^([^:\s]+): ?(.*)$/.exec(lines[i]!.trimEnd());
    if (!m) break;
    check(headers.length < 100, 'BAD_ARMOR', 'too many armor headers');
    headers.push([m[1]!, m[2]!]);
  }
  if (i < lines.length && lines[i]!.trim() === '') i++;
  else check(headers.length === 0, 'BAD_ARMOR', 'armor headers must be followed by a blank line');
  const end = `-----END PGP ${kind}-----`;
  let b64 = '';
  let crc: string | undefined;
  let ended = false;
  for (; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === end) {
      ended = true;
      break;
    }
    check(crc === undefined, 'BAD_ARMOR', 'data after the CRC-24 line');
    if (line.startsWith('=') && line.length === 5) crc = line.slice(1);
    else if (line !== '') b64 += line;
  }
  check(ended, 'BAD_ARMOR', `missing "${end}"`);
  const bytes = base64Decode(b64);
  check(bytes.length > 0, 'BAD_ARMOR', 'empty armored block');
  if (crc !== undefined) {
    const c = base64Decode(crc);
    check(((c[0]! << 16) | (c[1]! << 8) | c[2]!) === crc24(bytes), 'BAD_CHECKSUM', 'armor CRC-24 mismatch');
  }
  return { kind, headers, bytes };
}

/**
 * Accepts binary OpenPGP data or its armor (as a string or as bytes starting with
 * "-----BEGIN") and returns the binary; with `kind`, armor must be of that kind.
 */
export function toBinary(input: Uint8Array | string, kind?: ArmorKind): Uint8Array {
  let text: string | undefined;
  if (typeof input === 'string') text = input;
  else {
    check(input instanceof Uint8Array, 'INVALID_ARGUMENT', 'expected a Uint8Array or an armored string');
    if (input.length > 0 && (input[0]! & 0x80) === 0) text = fromUtf8(input.subarray(0, MAX_ARMOR_CHARS + 1));
    else return input;
  }
  const d = dearmor(text);
  if (kind !== undefined) check(d.kind === kind, 'BAD_ARMOR', `expected "PGP ${kind}" armor, got "PGP ${d.kind}"`);
  return d.bytes;
}
