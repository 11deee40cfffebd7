/** Parsing v4 EdDSALegacy signature packets (RFC 9580 §5.2.3). */
import { readU32, Reader } from './bytes.js';
import { check, OpenPgpError } from './errors.js';
import { hashAlgorithmFromId, type HashAlgorithm } from './hash.js';
import { EDDSA_LEGACY } from './key.js';
import { RSA_ALGORITHM } from './rsa-key.js';
import { isMinimalMpi, stripLeadingZeros } from './mpi.js';
import { parsePackets, PacketTag } from './packet.js';
import { toBinary } from './armor.js';
import { decodeSubpackets, SubpacketType, type Subpacket } from './subpacket.js';

/** A parsed v4 EdDSALegacy signature. */
export interface ParsedSignature {
  /** RFC 9580 §5.2.1 signature type. */
  signatureType: number;
  hashAlgorithm: HashAlgorithm;
  /** The bytes the v4 trailer covers (version … hashed subpackets, RFC 9580 §5.2.4). */
  hashedArea: Uint8Array;
  hashedSubpackets: Subpacket[];
  unhashedSubpackets: Subpacket[];
  /** Left 16 bits of the signed hash. */
  digestPrefix: Uint8Array;
  /** R ‖ S, each left-padded to 32 bytes: the Ed25519 signature. */
  signature64: Uint8Array;
  /** True if both R and S were stored as minimal MPIs (no leading zero octet, exact bit count). */
  minimalMpis: boolean;
  /** Signature creation time (hashed subpacket 2, required). */
  createdUnixSeconds: number;
  /** Hashed issuer fingerprint (subpacket 33, v4), if present. */
  issuerFingerprint?: Uint8Array;
  /** Issuer key ID (subpacket 16, either area), if present. */
  issuerKeyId?: Uint8Array;
  /** Key flags octet (hashed subpacket 27), if present. */
  keyFlags?: number;
}

/** The algorithm-independent part of a parsed v4 signature. */
export type SignatureFields = Omit<ParsedSignature, 'signature64' | 'minimalMpis'>;

/**
 * Reads a v4 signature packet body up to its algorithm-specific MPIs (RFC 9580 §5.2.3):
 * version, type, algorithm (must be `algorithm`), hash, both subpacket areas, the digest
 * prefix and the well-known subpackets. Leaves `r` at the first MPI.
 */
export function readSignatureFields(r: Reader, algorithm: number, algorithmName: string): SignatureFields {
  const body = r.bytes;
  const version = r.u8();
  check(version === 4, 'UNSUPPORTED_VERSION', `signature version ${version}; only v4 is supported`);
  const signatureType = r.u8();
  const alg = r.u8();
  check(alg === algorithm, 'UNSUPPORTED_ALGORITHM', `public-key algorithm ${alg}; expected ${algorithmName} (${algorithm})`);
  const hashAlgorithm = hashAlgorithmFromId(r.u8());
  const hashedSubpackets = decodeSubpackets(r.take(r.u16()));
  const hashedArea = body.slice(0, r.pos);
  const unhashedSubpackets = decodeSubpackets(r.take(r.u16()));
  const digestPrefix = r.take(2).slice();
  const find = (list: Subpacket[], t: number) => list.find((s) => s.type === t);
  const ct = find(hashedSubpackets, SubpacketType.SignatureCreationTime);
  if (!ct || ct.body.length !== 4) throw new OpenPgpError('MALFORMED', 'signature has no hashed creation time (RFC 9580 §5.2.3.11)');
  const out: SignatureFields = { signatureType, hashAlgorithm, hashedArea, hashedSubpackets, unhashedSubpackets, digestPrefix, createdUnixSeconds: readU32(ct.body, 0) };
  const fp = find(hashedSubpackets, SubpacketType.IssuerFingerprint);
  if (fp && fp.body.length === 21 && fp.body[0] === 4) out.issuerFingerprint = fp.body.slice(1);
  const kid = find(hashedSubpackets, SubpacketType.IssuerKeyId) ?? find(unhashedSubpackets, SubpacketType.IssuerKeyId);
  if (kid && kid.body.length === 8) out.issuerKeyId = kid.body.slice();
  const kf = find(hashedSubpackets, SubpacketType.KeyFlags);
  if (kf && kf.body.length >= 1) out.keyFlags = kf.body[0]!;
  return out;
}

/**
 * Parses the body of a v4 signature packet whose algorithm is EdDSALegacy
 * (RFC 9580 §5.2.3, §5.2.3.3).
 *
 * @throws OpenPgpError UNSUPPORTED_VERSION, UNSUPPORTED_ALGORITHM, MALFORMED, TRUNCATED.
 */
export function parseSignatureBody(body: Uint8Array): ParsedSignature {
  check(body instanceof Uint8Array, 'INVALID_ARGUMENT', 'signature body must be a Uint8Array');
  const r = new Reader(body, 'signature packet');
  const fields = readSignatureFields(r, EDDSA_LEGACY, 'EdDSALegacy');
  const rBits = r.u16();
  const rv = r.take((rBits + 7) >>> 3);
  const sBits = r.u16();
  const sv = r.take((sBits + 7) >>> 3);
  check(r.remaining === 0, 'MALFORMED', `${r.remaining} trailing bytes after the signature MPIs`);
  const rs = stripLeadingZeros(rv);
  const ss = stripLeadingZeros(sv);
  check(rs.length <= 32 && ss.length <= 32, 'MALFORMED', 'EdDSA R or S longer than 32 bytes');
  const signature64 = new Uint8Array(64);
  signature64.set(rs, 32 - rs.length);
  signature64.set(ss, 64 - ss.length);
  return { ...fields, signature64, minimalMpis: isMinimalMpi(rv, rBits) && isMinimalMpi(sv, sBits) };
}

/**
 * Parses a detached signature: binary or armored data holding exactly one
 * signature packet (RFC 9580 §5.2, §6).
 *
 * @example const sig = parseSignature(armoredSig); sig.createdUnixSeconds
 */
export function parseSignature(input: Uint8Array | string): ParsedSignature {
  const packets = parsePackets(toBinary(input, 'SIGNATURE'));
  check(packets.length === 1, 'MALFORMED', `expected one signature packet, got ${packets.length} packets`);
  const p = packets[0]!;
  check(p.tag === PacketTag.Signature, 'MALFORMED', `expected a signature packet (2), got tag ${p.tag}`);
  return parseSignatureBody(p.body);
}

/**
 * The algorithm-independent fields of one detached v4 signature made by an EdDSALegacy (22)
 * or RSA (1) key (binary or armored): type, hash, subpackets, creation time, issuer.
 */
export function parseSignatureFields(input: Uint8Array | string): SignatureFields {
  const packets = parsePackets(toBinary(input, 'SIGNATURE'));
  check(packets.length === 1 && packets[0]!.tag === PacketTag.Signature, 'MALFORMED', 'expected exactly one signature packet');
  const body = packets[0]!.body;
  const alg = body.length >= 3 ? body[2]! : -1;
  const known = alg === RSA_ALGORITHM ? 'RSA' : 'EdDSALegacy';
  return readSignatureFields(new Reader(body, 'signature packet'), alg === RSA_ALGORITHM ? RSA_ALGORITHM : EDDSA_LEGACY, known);
}
