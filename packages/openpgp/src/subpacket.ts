/** Signature subpackets (RFC 4880 §5.2.3.1, RFC 9580 §5.2.3.7). */
import { concat, Reader, u32 } from './bytes.js';
import { check } from './errors.js';

/** Subpacket types (RFC 9580 §5.2.3.7) this package writes or reads. */
export const SubpacketType = {
  SignatureCreationTime: 2,
  KeyExpirationTime: 9,
  PreferredSymmetric: 11,
  IssuerKeyId: 16,
  PreferredHash: 21,
  PreferredCompression: 22,
  KeyServerPreferences: 23,
  KeyFlags: 27,
  ReasonForRevocation: 29,
  Features: 30,
  EmbeddedSignature: 32,
  IssuerFingerprint: 33,
} as const;

/** One signature subpacket. */
export interface Subpacket {
  /** Subpacket type without the critical bit. */
  type: number;
  /** Critical bit (RFC 9580 §5.2.3.7). */
  critical: boolean;
  /** Subpacket body. */
  body: Uint8Array;
}

function encodeSubpacketLength(n: number): Uint8Array {
  if (n < 192) return Uint8Array.of(n);
  if (n < 16320) return Uint8Array.of(((n - 192) >>> 8) + 192, (n - 192) & 0xff);
  return concat(Uint8Array.of(0xff), u32(n));
}

/** Encodes subpackets as a subpacket area without its 2-octet length (RFC 9580 §5.2.3.7). */
export function encodeSubpackets(list: readonly Subpacket[]): Uint8Array {
  const parts: Uint8Array[] = [];
  for (const s of list) {
    check(Number.isInteger(s.type) && s.type >= 0 && s.type < 128, 'INVALID_ARGUMENT', `bad subpacket type ${s.type}`);
    parts.push(encodeSubpacketLength(s.body.length + 1), Uint8Array.of(s.type | (s.critical ? 0x80 : 0)), s.body);
  }
  return concat(...parts);
}

/** Decodes a subpacket area (without its 2-octet length) into subpackets; bounded by the area size. */
export function decodeSubpackets(area: Uint8Array): Subpacket[] {
  const r = new Reader(area, 'subpacket area');
  const out: Subpacket[] = [];
  while (r.remaining > 0) {
    const a = r.u8();
    const len = a < 192 ? a : a < 255 ? ((a - 192) << 8) + r.u8() + 192 : r.u32();
    check(len >= 1, 'MALFORMED', 'zero-length subpacket');
    const t = r.u8();
    out.push({ type: t & 0x7f, critical: (t & 0x80) !== 0, body: r.take(len - 1) });
  }
  return out;
}
