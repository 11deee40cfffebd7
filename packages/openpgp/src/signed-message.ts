/**
 * OpenPGP signed messages (RFC 9580 §10.3): one-pass signature ‖ literal data
 * ‖ signature — what containers/image "simple signing" stores (not a detached
 * signature). Independent of the public-key algorithm: the one-pass packet is
 * read off the finished signature packet, so another signature scheme only
 * changes how that packet is made.
 */
import { concat, readU16, u32, utf8 } from './bytes.js';
import { check } from './errors.js';
import { encodePacket, parsePackets } from './packet.js';
import { decodeSubpackets, SubpacketType } from './subpacket.js';

/** Packet tags of a signed message (RFC 9580 §5.4, §5.9). */
export const OnePassSignatureTag = 4;
/** Literal data packet tag (RFC 9580 §5.9). */
export const LiteralDataTag = 11;

/** Options of {@link signedMessage}. */
export interface LiteralOptions {
  /** Literal data file name (at most 255 bytes of UTF-8; default none). */
  fileName?: string;
  /** Literal data date (Unix seconds; default 0, "no date"). */
  dateUnixSeconds?: number;
}

/** The issuer key ID of a v4 signature body: from the issuer fingerprint (33) or the issuer key ID (16). */
function issuerKeyId(body: Uint8Array): Uint8Array {
  const hashedLen = readU16(body, 4);
  const hashed = decodeSubpackets(body.subarray(6, 6 + hashedLen));
  const unhashedLen = readU16(body, 6 + hashedLen);
  const unhashed = decodeSubpackets(body.subarray(8 + hashedLen, 8 + hashedLen + unhashedLen));
  const fpr = hashed.find((s) => s.type === SubpacketType.IssuerFingerprint && s.body[0] === 4 && s.body.length === 21);
  if (fpr) return fpr.body.subarray(13);
  const kid = [...hashed, ...unhashed].find((s) => s.type === SubpacketType.IssuerKeyId && s.body.length === 8);
  check(kid !== undefined, 'MALFORMED', 'the signature names no issuer (subpacket 33 or 16)');
  return kid.body;
}

/**
 * Builds a signed message from the data and one finished v4 binary (0x00)
 * signature packet over it (RFC 9580 §10.3): a one-pass signature packet
 * (§5.4: version 3, the signature's type, hash and public-key algorithms,
 * issuer key ID, "last" flag 1), a literal data packet (§5.9, format 'b'),
 * and the signature packet. Does not verify the signature.
 *
 * @example const msg = signedMessage(payload, signaturePacket); // binary, as containers/image stores it
 */
export function signedMessage(data: Uint8Array, signaturePacket: Uint8Array, o: LiteralOptions = {}): Uint8Array {
  check(data instanceof Uint8Array, 'INVALID_ARGUMENT', 'data must be a Uint8Array');
  const packets = parsePackets(signaturePacket);
  check(packets.length === 1 && packets[0]!.tag === 2, 'INVALID_ARGUMENT', 'expected exactly one signature packet');
  const body = packets[0]!.body;
  check(body.length > 8 && body[0] === 4, 'UNSUPPORTED_VERSION', 'only v4 signatures can be wrapped');
  check(body[1] === 0x00, 'INVALID_ARGUMENT', 'a signed message of binary data needs a binary (0x00) signature');
  const name = utf8(o.fileName ?? '');
  check(name.length <= 255, 'INVALID_ARGUMENT', 'literal file name must be at most 255 bytes');
  const date = o.dateUnixSeconds ?? 0;
  check(Number.isSafeInteger(date) && date >= 0 && date <= 0xffffffff, 'INVALID_ARGUMENT', 'literal date must be a 32-bit time');
  // One-pass: version 3, signature type, hash algorithm, public-key algorithm, key ID, nested = 1.
  const onePass = concat(Uint8Array.of(3, body[1]!, body[3]!, body[2]!), issuerKeyId(body), Uint8Array.of(1));
  const literal = concat(Uint8Array.of(0x62, name.length), name, u32(date), data);
  return concat(encodePacket(OnePassSignatureTag, onePass), encodePacket(LiteralDataTag, literal), signaturePacket);
}

/** The parts of a signed message made by {@link signedMessage}. */
export interface OpenedSignedMessage {
  data: Uint8Array;
  fileName: string;
  signaturePacket: Uint8Array;
}

/**
 * Splits a signed message of exactly one-pass ‖ literal ‖ signature (RFC 9580
 * §10.3) into its data and signature packet, for checking with
 * `verifySignaturePacket`. Throws OpenPgpError on any other shape.
 */
export function openSignedMessage(message: Uint8Array): OpenedSignedMessage {
  const p = parsePackets(message);
  check(p.length === 3 && p[0]!.tag === OnePassSignatureTag && p[1]!.tag === LiteralDataTag && p[2]!.tag === 2, 'MALFORMED', 'not a one-pass signed message of one literal data packet');
  const lit = p[1]!.body;
  check(lit.length >= 6, 'TRUNCATED', 'literal data packet too short');
  const nameLen = lit[1]!;
  check(lit.length >= 6 + nameLen, 'TRUNCATED', 'literal data packet too short');
  const fileName = new TextDecoder().decode(lit.subarray(2, 2 + nameLen));
  return { data: lit.subarray(6 + nameLen), fileName, signaturePacket: encodePacket(2, p[2]!.body) };
}
