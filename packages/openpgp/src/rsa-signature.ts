/**
 * v4 RSA signatures (RFC 9580 §5.2.3, §5.2.3.1): the same hashed/unhashed areas as every v4
 * signature, then one MPI holding the RSASSA-PKCS1-v1_5 signature (RFC 8017 §8.2) of the hash.
 * Prepare with `prepareSignature`/`prepareCertification` and `publicKeyAlgorithm: 1`.
 */
import { fromBytes, verifySignature, type RsaHash } from '@qsign/threshold-rsa';
import { bytesEqual, concat, expectBytes, Reader, utf8 } from './bytes.js';
import { check } from './errors.js';
import { encodeMpi, isMinimalMpi, readMpi } from './mpi.js';
import { encodePacket, PacketTag, parsePackets } from './packet.js';
import { readSignatureFields, type SignatureFields } from './parse-signature.js';
import { RSA_ALGORITHM } from './rsa-key.js';
import { checkPrepared, keyHashPrefix, SignatureType, userIdHashPrefix, v4Digest, type PreparedSignature } from './signature.js';
import { toBinary } from './armor.js';
import { canonicalText } from './text.js';
import type { HashAlgorithm } from './hash.js';

/** A parsed v4 RSA signature. */
export interface ParsedRsaSignature extends SignatureFields {
  /** The RSASSA-PKCS1-v1_5 signature value (MPI value bytes, leading zeros stripped as stored). */
  signature: Uint8Array;
  /** True if the MPI's bit count was exact. */
  minimalMpi: boolean;
}

/** The hash of a prepared RSA signature as threshold-rsa names it; refuses SHA-1 for new signatures. */
export function rsaHashOf(hash: HashAlgorithm): RsaHash {
  check(hash === 'sha256' || hash === 'sha512', 'UNSUPPORTED_ALGORITHM', `RSA signatures are made with SHA-256 or SHA-512, not ${hash}`);
  return hash;
}

/**
 * Assembles a v4 RSA signature packet (tag 2): hashed area ‖ unhashed area ‖ left 16 bits of
 * the digest ‖ MPI(s), s the PKCS#1 v1.5 signature (RFC 9580 §5.2.3.1). Does not verify it.
 *
 * @example const packet = finishRsaSignature(prepared, await cluster.signRsa('sha256', prepared.digest));
 */
export function finishRsaSignature(prepared: PreparedSignature, signature: Uint8Array): Uint8Array {
  const { hashedArea, unhashedArea, digest } = checkPrepared(prepared, RSA_ALGORITHM);
  expectBytes(signature, undefined, 'signature');
  check(signature.length >= 128 && signature.length <= 2048, 'INVALID_ARGUMENT', 'RSA signature must be 128..2048 bytes');
  return encodePacket(PacketTag.Signature, concat(hashedArea, unhashedArea, digest.subarray(0, 2), encodeMpi(signature)));
}

/**
 * Parses the body of a v4 RSA signature packet (RFC 9580 §5.2.3).
 *
 * @throws OpenPgpError UNSUPPORTED_VERSION, UNSUPPORTED_ALGORITHM, MALFORMED, TRUNCATED.
 */
export function parseRsaSignatureBody(body: Uint8Array): ParsedRsaSignature {
  check(body instanceof Uint8Array, 'INVALID_ARGUMENT', 'signature body must be a Uint8Array');
  const r = new Reader(body, 'signature packet');
  const fields = readSignatureFields(r, RSA_ALGORITHM, 'RSA');
  const bits = r.u16();
  r.pos -= 2;
  const value = readMpi(r);
  check(r.remaining === 0, 'MALFORMED', `${r.remaining} trailing bytes after the RSA signature MPI`);
  return { ...fields, signature: value.slice(), minimalMpi: isMinimalMpi(value, bits) };
}

/** Parses a detached signature holding exactly one v4 RSA signature packet (binary or armored). */
export function parseRsaSignature(input: Uint8Array | string): ParsedRsaSignature {
  const packets = parsePackets(toBinary(input, 'SIGNATURE'));
  check(packets.length === 1 && packets[0]!.tag === PacketTag.Signature, 'MALFORMED', 'expected exactly one signature packet');
  return parseRsaSignatureBody(packets[0]!.body);
}

/** Checks the hash prefix and the PKCS#1 v1.5 signature of a parsed RSA signature over `prefix`. */
function checkRsa(sig: ParsedRsaSignature, prefix: Uint8Array[], n: bigint, e: bigint): boolean {
  if (sig.hashAlgorithm !== 'sha256' && sig.hashAlgorithm !== 'sha512') return false;
  if (sig.hashedSubpackets.some((s) => s.critical && ![2, 9, 11, 16, 21, 22, 23, 25, 27, 30, 33].includes(s.type))) return false;
  const digest = v4Digest(sig.hashAlgorithm, prefix, sig.hashedArea);
  if (!bytesEqual(digest.subarray(0, 2), sig.digestPrefix)) return false;
  const k = Math.ceil(n.toString(2).length / 8);
  if (sig.signature.length > k) return false;
  const padded = new Uint8Array(k);
  padded.set(sig.signature, k - sig.signature.length); // RFC 9580 §5.2.3.1: MPIs drop leading zeros
  return fromBytes(padded) < n && verifySignature({ n, e }, sig.hashAlgorithm, digest, padded);
}

/** Verifies a binary (0x00) or text (0x01) RSA document signature over `data` (RFC 9580 §5.2.4). */
export function verifyRsaSignaturePacket(packet: Uint8Array | string, data: Uint8Array | string, n: bigint, e: bigint): boolean {
  const sig = parseRsaSignature(packet);
  check(sig.signatureType === SignatureType.Binary || sig.signatureType === SignatureType.Text, 'INVALID_ARGUMENT', 'not a document signature');
  const bytes = sig.signatureType === SignatureType.Text ? canonicalText(data) : typeof data === 'string' ? utf8(data) : data;
  return checkRsa(sig, [bytes], n, e);
}

/** Verifies an RSA user-ID certification (0x10–0x13) over key ‖ user ID (RFC 4880 §5.2.4). */
export function verifyRsaCertification(sig: ParsedRsaSignature, publicKeyBody: Uint8Array, userId: Uint8Array, n: bigint, e: bigint): boolean {
  check(sig.signatureType >= 0x10 && sig.signatureType <= 0x13, 'INVALID_ARGUMENT', `signature type 0x${sig.signatureType.toString(16)} is not a certification`);
  return checkRsa(sig, [keyHashPrefix(publicKeyBody), userIdHashPrefix(userId)], n, e);
}
