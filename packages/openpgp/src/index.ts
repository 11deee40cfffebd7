/**
 * @qsign/openpgp — pure OpenPGP v4 (RFC 4880 / RFC 9580) for an Ed25519 key held as
 * FROST shares, or an RSA key (algorithm 1) held as threshold-RSA shares: public-key packets and fingerprints, deterministic signature
 * preparation (digest computed identically by client and nodes), packet assembly
 * with minimal MPIs, verification, certificates, ASCII armor, cleartext
 * signatures, a bounded packet parser and unencrypted secret-key import; signing subkeys
 * with binding and back-signatures, subkey revocations and certificates laid out for rpm.
 * No I/O, no clock, no randomness.
 */
export { OpenPgpError, type OpenPgpErrorCode } from './errors.js';
export { toHex } from './bytes.js';
export { HASH_ALGORITHM_IDS, HASH_ARMOR_NAMES, type HashAlgorithm } from './hash.js';
export { encodeMpi } from './mpi.js';
export { encodePacket, parsePackets, PacketTag, type Packet, type ParseLimits } from './packet.js';
export { decodeSubpackets, encodeSubpackets, SubpacketType, type Subpacket } from './subpacket.js';
export { ED25519_OID, EDDSA_LEGACY, ed25519Fingerprint, fingerprint, keyId, publicKeyPacket, publicKeyPacketBody } from './key.js';
export { canonicalText } from './text.js';
export {
  finishSignature,
  KeyFlag,
  prepareCertification,
  prepareSignature,
  QSIGN_KEY_PREFERENCES,
  SignatureType,
  type KeyPreferences,
  type PreparedSignature,
  type SignatureParams,
  type SignatureTypeValue,
  keyHashPrefix,
  userIdHashPrefix,
  v4Digest,
} from './signature.js';
export { parseSignature, parseSignatureBody, parseSignatureFields, type ParsedSignature, type SignatureFields } from './parse-signature.js';
export { verifyCertificationPacket, verifyParsedCertification, verifySignaturePacket } from './verify.js';
export { armor, crc24, dearmor, toBinary, type ArmorHeader, type ArmorKind, type Dearmored } from './armor.js';
export { cleartextSignedMessage, cleartextSigningInput } from './cleartext.js';
export { buildCertificate, parseCertificate, type CertificateOptions, type Ed25519Signer, type KeyInfo } from './certificate.js';
export { parseSecretKey, type SecretKeyMaterial } from './secret-key.js';
export { LiteralDataTag, OnePassSignatureTag, openSignedMessage, signedMessage, type LiteralOptions, type OpenedSignedMessage } from './signed-message.js';
export { RSA_ALGORITHM, rsaPublicKeyPacketBody, readRsaPublicFields, type RsaPublicKeyFields } from './rsa-key.js';
export {
  finishRsaSignature,
  parseRsaSignature,
  parseRsaSignatureBody,
  verifyRsaSignaturePacket,
  verifyRsaCertification,
  type ParsedRsaSignature,
} from './rsa-signature.js';
export { buildRsaCertificate, parseRsaCertificate, type RsaCertificateOptions, type RsaKeyInfo, type RsaSigner } from './rsa-certificate.js';
export { parseRsaSecretKey, type SecretRsaKeyMaterial } from './rsa-secret-key.js';
export { keyAlgorithm, signPrepared, verifyRawSignature, type KeySigner } from './key-signer.js';
export {
  bindSubkey,
  certifyPrimary,
  CERTIFY_ONLY_PREFERENCES,
  isHardRevocation,
  prepareBackSignature,
  prepareSubkeyBinding,
  prepareSubkeyRevocation,
  primaryKeyPacket,
  publicSubkeyPacket,
  RevocationReason,
  revokeSubkey,
  SIGNING_SUBKEY_FLAGS,
  type PrimaryCertificationOptions,
  type RevocationReasonCode,
  type SubkeyBindingOptions,
  type SubkeyBindingParams,
  type SubkeyRevocationOptions,
} from './subkey.js';
export {
  assembleCertificate,
  readSubkeys,
  revocationReasonOf,
  signatureFieldsOf,
  type CertificateLayout,
  type PublishedSubkey,
  type SubkeyInfo,
} from './windowed-certificate.js';
export { primaryExpiry, type PrimaryExpiry } from './key-expiry.js';
