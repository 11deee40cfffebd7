/** OpenPGP packet framing (RFC 9580 §4.2): bounded parser and new-format writer. */
import { concat, Reader, u32 } from './bytes.js';
import { check, OpenPgpError } from './errors.js';

/** Packet tags (RFC 9580 §5) this package refers to by name. */
export const PacketTag = {
  Signature: 2,
  SecretKey: 5,
  PublicKey: 6,
  SecretSubkey: 7,
  Trust: 12,
  UserId: 13,
  PublicSubkey: 14,
} as const;

/** Tags defined by RFC 9580 §5 (plus GnuPG's OCB packet 20) and the private range 60–63. */
const KNOWN_TAGS = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 17, 18, 19, 20, 21, 60, 61, 62, 63]);
/** Tags that may use partial body lengths (RFC 9580 §4.2.1.4). */
const PARTIAL_OK = new Set([8, 9, 11, 18, 20]);

/** One framed packet: its tag and body (a view into the input where possible). */
export interface Packet {
  /** Packet tag, RFC 9580 §5. */
  tag: number;
  /** Packet body, header removed. */
  body: Uint8Array;
}

/** Limits for {@link parsePackets}. */
export interface ParseLimits {
  /** Largest accepted input in bytes (default 16 MiB). */
  maxBytes?: number;
  /** Most packets accepted (default 10 000). */
  maxPackets?: number;
}

const DEFAULT_MAX_BYTES = 16 * 1024 * 1024;
const DEFAULT_MAX_PACKETS = 10_000;

/**
 * Splits binary OpenPGP data into packets (RFC 9580 §4.2, old and new formats,
 * partial body lengths for data packets, indeterminate length for a last old-format
 * packet). Every length is checked against the input; work and allocation are
 * linear in the input size.
 *
 * @throws OpenPgpError TRUNCATED, TOO_LARGE, MALFORMED or UNKNOWN_PACKET.
 * @example const [pk, uid, sig] = parsePackets(certBytes);
 */
export function parsePackets(bytes: Uint8Array, limits: ParseLimits = {}): Packet[] {
  check(bytes instanceof Uint8Array, 'INVALID_ARGUMENT', 'parsePackets expects a Uint8Array');
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxPackets = limits.maxPackets ?? DEFAULT_MAX_PACKETS;
  check(bytes.length <= maxBytes, 'TOO_LARGE', `input of ${bytes.length} bytes exceeds limit ${maxBytes}`);
  check(bytes.length > 0, 'TRUNCATED', 'no OpenPGP packets in empty input');
  const r = new Reader(bytes, 'packet stream');
  const out: Packet[] = [];
  while (r.remaining > 0) {
    check(out.length < maxPackets, 'TOO_LARGE', `more than ${maxPackets} packets`);
    out.push(readPacket(r));
  }
  return out;
}

function readPacket(r: Reader): Packet {
  const at = r.pos;
  const ctb = r.u8();
  check((ctb & 0x80) !== 0, 'MALFORMED', `byte ${ctb} at offset ${at} is not a packet header`);
  if ((ctb & 0x40) === 0) {
    // Old format (RFC 9580 §4.2.2).
    const tag = (ctb >>> 2) & 0x0f;
    checkTag(tag, at);
    const lt = ctb & 3;
    const len = lt === 0 ? r.u8() : lt === 1 ? r.u16() : lt === 2 ? r.u32() : r.remaining;
    return { tag, body: r.take(len) };
  }
  const tag = ctb & 0x3f;
  checkTag(tag, at);
  const first = readNewLength(r);
  if (!first.partial) return { tag, body: r.take(first.len) };
  check(PARTIAL_OK.has(tag), 'MALFORMED', `packet tag ${tag} at offset ${at} may not use partial lengths`);
  check(first.len >= 512, 'MALFORMED', `first partial body chunk at offset ${at} is shorter than 512 bytes`);
  const chunks = [r.take(first.len)];
  for (;;) {
    const next = readNewLength(r);
    chunks.push(r.take(next.len));
    if (!next.partial) break;
  }
  return { tag, body: concat(...chunks) };
}

function checkTag(tag: number, at: number): void {
  if (!KNOWN_TAGS.has(tag)) throw new OpenPgpError('UNKNOWN_PACKET', `unknown packet tag ${tag} at offset ${at}`);
}

function readNewLength(r: Reader): { len: number; partial: boolean } {
  const a = r.u8();
  if (a < 192) return { len: a, partial: false };
  if (a < 224) return { len: ((a - 192) << 8) + r.u8() + 192, partial: false };
  if (a < 255) return { len: 1 << (a & 0x1f), partial: true };
  return { len: r.u32(), partial: false };
}

/** New-format body length octets (RFC 9580 §4.2.1). */
export function encodeLength(n: number): Uint8Array {
  if (n < 192) return Uint8Array.of(n);
  if (n < 8384) return Uint8Array.of(((n - 192) >>> 8) + 192, (n - 192) & 0xff);
  return concat(Uint8Array.of(0xff), u32(n));
}

/**
 * Frames a body as a new-format packet (RFC 9580 §4.2.1).
 *
 * @example encodePacket(PacketTag.UserId, utf8('A <a@example.org>'))
 */
export function encodePacket(tag: number, body: Uint8Array): Uint8Array {
  check(Number.isInteger(tag) && tag >= 1 && tag <= 63, 'INVALID_ARGUMENT', `bad packet tag ${tag}`);
  return concat(Uint8Array.of(0xc0 | tag), encodeLength(body.length), body);
}
