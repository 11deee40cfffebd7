/** Verification of v4 EdDSALegacy signatures (RFC 9580 §5.2.4) with @noble/curves. */
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesEqual, expectBytes, utf8 } from './bytes.js';
import { check } from './errors.js';
import { parseSignature, type ParsedSignature } from './parse-signature.js';
import { keyHashPrefix, SignatureType, userIdBytes, userIdHashPrefix, v4Digest } from './signature.js';
import { SubpacketType } from './subpacket.js';
import { canonicalText } from './text.js';

/** Hashed subpacket types a verifier here understands; an unknown critical one invalidates (RFC 9580 §5.2.3.7). */
const UNDERSTOOD = new Set<number>([
  SubpacketType.SignatureCreationTime,
  SubpacketType.IssuerKeyId,
  SubpacketType.IssuerFingerprint,
  SubpacketType.KeyFlags,
  SubpacketType.PreferredSymmetric,
  SubpacketType.PreferredHash,
  SubpacketType.PreferredCompression,
  SubpacketType.Features,
  SubpacketType.KeyServerPreferences,
  25, // primary user ID
]);

function checkDigestAndSignature(sig: ParsedSignature, prefix: Uint8Array[], publicKey32: Uint8Array): boolean {
  if (sig.hashedSubpackets.some((s) => s.critical && !UNDERSTOOD.has(s.type))) return false;
  const digest = v4Digest(sig.hashAlgorithm, prefix, sig.hashedArea);
  if (!bytesEqual(digest.subarray(0, 2), sig.digestPrefix)) return false;
  try {
    return ed25519.verify(sig.signature64, digest, publicKey32, { zip215: false });
  } catch {
    return false;
  }
}

/**
 * Verifies a binary (0x00) or text (0x01) document signature over `data` with an
 * Ed25519 public key (RFC 9580 §5.2.4; text is canonicalised per §5.2.1.2).
 * Returns false if the signature does not verify; throws OpenPgpError on malformed input.
 * Does not check the issuer: the caller picks the key.
 */
export function verifySignaturePacket(packet: Uint8Array | string, data: Uint8Array | string, publicKey32: Uint8Array): boolean {
  expectBytes(publicKey32, 32, 'publicKey');
  const sig = parseSignature(packet);
  check(
    sig.signatureType === SignatureType.Binary || sig.signatureType === SignatureType.Text,
    'INVALID_ARGUMENT',
    `signature type 0x${sig.signatureType.toString(16)} is not a document signature`,
  );
  const bytes = sig.signatureType === SignatureType.Text ? canonicalText(data) : typeof data === 'string' ? utf8(data) : data;
  expectBytes(bytes, undefined, 'data');
  return checkDigestAndSignature(sig, [bytes], publicKey32);
}

/**
 * Verifies a user-ID certification (0x10–0x13) over key ‖ user ID (RFC 4880 §5.2.4).
 * Returns false if it does not verify; throws OpenPgpError on malformed input.
 */
export function verifyCertificationPacket(packet: Uint8Array | string, publicKeyBody: Uint8Array, userId: string, publicKey32: Uint8Array): boolean {
  expectBytes(publicKey32, 32, 'publicKey');
  expectBytes(publicKeyBody, undefined, 'publicKeyBody');
  const sig = parseSignature(packet);
  return verifyParsedCertification(sig, publicKeyBody, userIdBytes(userId), publicKey32);
}

/** As {@link verifyCertificationPacket}, for an already parsed signature and raw user-ID bytes. */
export function verifyParsedCertification(sig: ParsedSignature, publicKeyBody: Uint8Array, userId: Uint8Array, publicKey32: Uint8Array): boolean {
  check(sig.signatureType >= 0x10 && sig.signatureType <= 0x13, 'INVALID_ARGUMENT', `signature type 0x${sig.signatureType.toString(16)} is not a certification`);
  check(publicKeyBody.length <= 0xffff, 'INVALID_ARGUMENT', 'publicKeyBody too long');
  return checkDigestAndSignature(sig, [keyHashPrefix(publicKeyBody), userIdHashPrefix(userId)], publicKey32);
}
