/**
 * Deterministic v4 signature construction split in two halves around the
 * (threshold) Ed25519 signer (RFC 4880 §5.2.3–§5.2.4, RFC 9580 §5.2.3–§5.2.4).
 *
 * `prepare*` is a pure function of explicit parameters and data (no clock, no
 * randomness), so a client and every node compute the same digest independently;
 * the cluster signs the digest bytes with Ed25519 (EdDSALegacy signs the hash
 * value, RFC 9580 §5.2.3.3); `finishSignature` assembles the packet.
 */
import { concat, expectBytes, expectTime, u16, u32, utf8 } from './bytes.js';
import { check } from './errors.js';
import { createHasher, digestLength, expectHashAlgorithm, HASH_ALGORITHM_IDS, hashAlgorithmFromId, type HashAlgorithm } from './hash.js';
import { EDDSA_LEGACY, keyId } from './key.js';
import { RSA_ALGORITHM } from './rsa-key.js';
import { encodeMpi } from './mpi.js';
import { encodePacket, PacketTag } from './packet.js';
import { encodeSubpackets, SubpacketType, type Subpacket } from './subpacket.js';
import { canonicalText } from './text.js';

/** Signature types (RFC 9580 §5.2.1) this package writes. */
export const SignatureType = {
  /** 0x00: signature of a binary document. */
  Binary: 0x00,
  /** 0x01: signature of a canonical text document. */
  Text: 0x01,
  /** 0x10: generic certification of a user ID and public key — here another key's (a successor's, docs/rotation.md). */
  GenericCertification: 0x10,
  /** 0x13: positive certification of a user ID and public key. */
  PositiveCertification: 0x13,
  /** 0x18: subkey binding signature, made by the primary key. */
  SubkeyBinding: 0x18,
  /** 0x19: primary key binding ("back") signature, made by a signing subkey. */
  PrimaryKeyBinding: 0x19,
  /** 0x28: subkey revocation signature, made by the primary key. */
  SubkeyRevocation: 0x28,
} as const;
/** One of {@link SignatureType}'s values. */
export type SignatureTypeValue = (typeof SignatureType)[keyof typeof SignatureType];

/** Key flags (RFC 9580 §5.2.3.29). */
export const KeyFlag = { Certify: 0x01, Sign: 0x02, SplitKey: 0x10 } as const;

/** Self-signature preferences and flags written in a certification's hashed area (RFC 9580 §5.2.3.14–§5.2.3.32). */
export interface KeyPreferences {
  /** Key flags octet (27). */
  keyFlags: number;
  /** Preferred symmetric algorithm IDs (11). */
  preferredSymmetric: readonly number[];
  /** Preferred hash algorithm IDs (21). */
  preferredHash: readonly number[];
  /** Preferred compression algorithm IDs (22). */
  preferredCompression: readonly number[];
  /** Features octet (30), 0x01 = MDC / SEIPDv1. */
  features: number;
  /** Key server preferences octet (23), 0x80 = no-modify. */
  keyServerPreferences: number;
}

/**
 * What qsign writes in a self-signature: certify + sign + split key (the secret
 * exists only as threshold shares), and the preferences GnuPG 2.2 writes.
 */
export const QSIGN_KEY_PREFERENCES: Readonly<KeyPreferences> = Object.freeze({
  keyFlags: KeyFlag.Certify | KeyFlag.Sign | KeyFlag.SplitKey,
  preferredSymmetric: Object.freeze([9, 8, 7, 2]),
  preferredHash: Object.freeze([10, 9, 8, 11, 2]),
  preferredCompression: Object.freeze([2, 3, 1]),
  features: 0x01,
  keyServerPreferences: 0x80,
});

/** Everything that determines a signature's hashed and unhashed areas. */
export interface SignatureParams {
  /** RFC 9580 §5.2.1 signature type. */
  signatureType: SignatureTypeValue;
  /** Hash algorithm (ids 2 / 8 / 10). */
  hashAlgorithm: HashAlgorithm;
  /** Signature creation time (subpacket 2). */
  createdUnixSeconds: number;
  /** v4 fingerprint of the signing key (subpacket 33; its low 8 bytes go unhashed in subpacket 16). */
  issuerFingerprint: Uint8Array;
  /** Only for certifications (0x13): key flags and preferences; omitted → none written. */
  keyPreferences?: KeyPreferences;
  /** Public-key algorithm of the signing key (RFC 9580 §9.1): 22 EdDSALegacy (default) or 1 RSA. */
  publicKeyAlgorithm?: typeof EDDSA_LEGACY | typeof RSA_ALGORITHM;
  /** Only for self-signatures (0x13, 0x18): key expiration, seconds after the key's creation (subpacket 9, RFC 9580 §5.2.3.13); 0 or omitted → never. */
  keyExpirationSeconds?: number;
}

/** The output of `prepare*`: what the signer signs and what `finishSignature` needs. Plain data; serialisable. */
export interface PreparedSignature {
  /** Signature type copied from the params. */
  signatureType: SignatureTypeValue;
  /** Hash algorithm copied from the params. */
  hashAlgorithm: HashAlgorithm;
  /** Version 4 ‖ type ‖ algorithm (22 or 1) ‖ hash id ‖ hashed subpacket length ‖ hashed subpackets (RFC 9580 §5.2.3). */
  hashedArea: Uint8Array;
  /** Unhashed subpacket length ‖ unhashed subpackets. */
  unhashedArea: Uint8Array;
  /** The hash value; the Ed25519 message the cluster signs (RFC 9580 §5.2.3.3, §5.2.4). */
  digest: Uint8Array;
}

function octetList(v: readonly number[], what: string): Uint8Array {
  check(Array.isArray(v) && v.length <= 64, 'INVALID_ARGUMENT', `${what} must be an array of at most 64 ids`);
  for (const x of v) check(Number.isInteger(x) && x >= 0 && x <= 255, 'INVALID_ARGUMENT', `${what} entries must be octets`);
  return Uint8Array.from(v);
}

function octet(v: number, what: string): Uint8Array {
  check(Number.isInteger(v) && v >= 0 && v <= 255, 'INVALID_ARGUMENT', `${what} must be an octet`);
  return Uint8Array.of(v);
}

/**
 * Validates params and returns the hashed and unhashed areas (RFC 9580 §5.2.3): issuer
 * fingerprint, creation time, then key preferences, key expiration and `extraHashed`
 * (e.g. key flags, an embedded signature or a reason for revocation) in the hashed area.
 */
export function signatureAreas(
  params: SignatureParams,
  allowed: readonly number[],
  extraHashed: readonly Subpacket[] = [],
): { hashedArea: Uint8Array; unhashedArea: Uint8Array } {
  check(typeof params === 'object' && params !== null, 'INVALID_ARGUMENT', 'params must be an object');
  const { signatureType, hashAlgorithm, createdUnixSeconds, issuerFingerprint, keyPreferences } = params;
  const algorithm = params.publicKeyAlgorithm ?? EDDSA_LEGACY;
  check(algorithm === EDDSA_LEGACY || algorithm === RSA_ALGORITHM, 'UNSUPPORTED_ALGORITHM', `public-key algorithm ${String(algorithm)}; only EdDSALegacy (22) and RSA (1) are supported`);
  check(allowed.includes(signatureType), 'INVALID_ARGUMENT', `signature type ${String(signatureType)} not allowed here (expected one of ${allowed.join(', ')})`);
  expectHashAlgorithm(hashAlgorithm);
  expectTime(createdUnixSeconds, 'createdUnixSeconds');
  expectBytes(issuerFingerprint, 20, 'issuerFingerprint');
  const hashed: Subpacket[] = [
    { type: SubpacketType.IssuerFingerprint, critical: false, body: concat(Uint8Array.of(4), issuerFingerprint) },
    { type: SubpacketType.SignatureCreationTime, critical: false, body: u32(createdUnixSeconds) },
  ];
  if (keyPreferences !== undefined) {
    check(signatureType === SignatureType.PositiveCertification, 'INVALID_ARGUMENT', 'keyPreferences only apply to certifications');
    check(typeof keyPreferences === 'object' && keyPreferences !== null, 'INVALID_ARGUMENT', 'keyPreferences must be an object');
    const p = keyPreferences;
    hashed.push(
      { type: SubpacketType.KeyFlags, critical: false, body: octet(p.keyFlags, 'keyFlags') },
      { type: SubpacketType.PreferredSymmetric, critical: false, body: octetList(p.preferredSymmetric, 'preferredSymmetric') },
      { type: SubpacketType.PreferredHash, critical: false, body: octetList(p.preferredHash, 'preferredHash') },
      { type: SubpacketType.PreferredCompression, critical: false, body: octetList(p.preferredCompression, 'preferredCompression') },
      { type: SubpacketType.Features, critical: false, body: octet(p.features, 'features') },
      { type: SubpacketType.KeyServerPreferences, critical: false, body: octet(p.keyServerPreferences, 'keyServerPreferences') },
    );
  }
  if (params.keyExpirationSeconds !== undefined && params.keyExpirationSeconds !== 0) {
    check([SignatureType.PositiveCertification, SignatureType.SubkeyBinding].includes(signatureType as 0x13), 'INVALID_ARGUMENT', 'keyExpirationSeconds only applies to self-signatures (0x13, 0x18)');
    expectTime(params.keyExpirationSeconds, 'keyExpirationSeconds');
    hashed.push({ type: SubpacketType.KeyExpirationTime, critical: false, body: u32(params.keyExpirationSeconds) });
  }
  hashed.push(...extraHashed);
  const h = encodeSubpackets(hashed);
  const u = encodeSubpackets([{ type: SubpacketType.IssuerKeyId, critical: false, body: keyId(issuerFingerprint) }]);
  return {
    hashedArea: concat(Uint8Array.of(4, signatureType, algorithm, HASH_ALGORITHM_IDS[hashAlgorithm]), u16(h.length), h),
    unhashedArea: concat(u16(u.length), u),
  };
}

/**
 * The v4 hash: hash(prefix parts ‖ hashedArea ‖ 0x04 ‖ 0xFF ‖ len32(hashedArea)) (RFC 4880 §5.2.4).
 * Shared by signing and verification.
 */
export function v4Digest(hashAlgorithm: HashAlgorithm, prefix: readonly Uint8Array[], hashedArea: Uint8Array): Uint8Array {
  const h = createHasher(hashAlgorithm);
  for (const p of prefix) h.update(p);
  return h.update(hashedArea).update(Uint8Array.of(4, 0xff)).update(u32(hashedArea.length)).digest();
}

/**
 * Prepares a document signature (type 0x00 binary or 0x01 text): builds the hashed
 * area and digests data ‖ v4 trailer (RFC 4880 §5.2.4). For 0x01 the data is first
 * converted to canonical CR LF text (RFC 4880 §5.2.1). Pure and deterministic.
 *
 * @example
 * const p = prepareSignature({ signatureType: 0x00, hashAlgorithm: 'sha256', createdUnixSeconds: t, issuerFingerprint: fpr }, header);
 * const packet = finishSignature(p, await cluster.sign(p.digest));
 */
export function prepareSignature(params: SignatureParams, data: Uint8Array | string): PreparedSignature {
  const { hashedArea, unhashedArea } = signatureAreas(params, [SignatureType.Binary, SignatureType.Text]);
  const bytes = params.signatureType === SignatureType.Text ? canonicalText(data) : typeof data === 'string' ? utf8(data) : data;
  expectBytes(bytes, undefined, 'data');
  return {
    signatureType: params.signatureType,
    hashAlgorithm: params.hashAlgorithm,
    hashedArea,
    unhashedArea,
    digest: v4Digest(params.hashAlgorithm, [bytes], hashedArea),
  };
}

/** The user-ID hash prefix 0xB4 ‖ len32 ‖ uid (RFC 4880 §5.2.4). */
export function userIdHashPrefix(userId: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(0xb4), u32(userId.length), userId);
}

/** The key hash prefix 0x99 ‖ len16 ‖ body (RFC 4880 §5.2.4). */
export function keyHashPrefix(publicKeyBody: Uint8Array): Uint8Array {
  return concat(Uint8Array.of(0x99), u16(publicKeyBody.length), publicKeyBody);
}

/** Validates a user ID (UTF-8, 1..4096 bytes, no NUL/CR/LF) and returns its bytes. */
export function userIdBytes(userId: string): Uint8Array {
  check(typeof userId === 'string', 'INVALID_ARGUMENT', 'userId must be a string');
  const b = utf8(userId);
  check(b.length >= 1 && b.length <= 4096, 'INVALID_ARGUMENT', 'userId must be 1..4096 bytes of UTF-8');
  check(!/[\0\r\n]/.test(userId), 'INVALID_ARGUMENT', 'userId must not contain NUL, CR or LF');
  return b;
}

/**
 * Prepares a user-ID certification (type 0x13 self-certification, or 0x10 by another key): hashes the key ‖ user ID ‖ v4
 * trailer (RFC 4880 §5.2.4: 0x99 ‖ len16 ‖ key body, 0xB4 ‖ len32 ‖ uid). Pure and deterministic.
 */
export function prepareCertification(params: SignatureParams, publicKeyBody: Uint8Array, userId: string): PreparedSignature {
  const { hashedArea, unhashedArea } = signatureAreas(params, [SignatureType.GenericCertification, SignatureType.PositiveCertification]);
  expectBytes(publicKeyBody, undefined, 'publicKeyBody');
  check(publicKeyBody.length > 0 && publicKeyBody.length <= 0xffff, 'INVALID_ARGUMENT', 'publicKeyBody must be 1..65535 bytes');
  return preparedOver(params, { hashedArea, unhashedArea }, [keyHashPrefix(publicKeyBody), userIdHashPrefix(userIdBytes(userId))]);
}

/** The {@link PreparedSignature} for `areas` over the hash prefix parts `prefix` (RFC 4880 §5.2.4). */
export function preparedOver(params: SignatureParams, areas: { hashedArea: Uint8Array; unhashedArea: Uint8Array }, prefix: readonly Uint8Array[]): PreparedSignature {
  return {
    signatureType: params.signatureType,
    hashAlgorithm: params.hashAlgorithm,
    hashedArea: areas.hashedArea,
    unhashedArea: areas.unhashedArea,
    digest: v4Digest(params.hashAlgorithm, prefix, areas.hashedArea),
  };
}

/**
 * Assembles the v4 signature packet (tag 2, new-format header, RFC 9580 §5.2.3):
 * hashed area ‖ unhashed area ‖ left 16 bits of the digest ‖ MPI(R) ‖ MPI(S), with R
 * and S (each 32 bytes of the Ed25519 signature) as minimal MPIs — leading zero
 * octets stripped, as rpm-sequoia requires (RFC 9580 §5.2.3.3, §3.2).
 *
 * Does not verify `sig64`; use {@link verifySignaturePacket} or check the aggregate first.
 */
export function finishSignature(prepared: PreparedSignature, sig64: Uint8Array): Uint8Array {
  expectBytes(sig64, 64, 'signature');
  const { hashedArea, unhashedArea, digest } = checkPrepared(prepared, EDDSA_LEGACY);
  return encodePacket(
    PacketTag.Signature,
    concat(hashedArea, unhashedArea, digest.subarray(0, 2), encodeMpi(sig64.subarray(0, 32)), encodeMpi(sig64.subarray(32))),
  );
}

/** Validates a {@link PreparedSignature} made for public-key algorithm `algorithm` and returns it. */
export function checkPrepared(prepared: PreparedSignature, algorithm: number): PreparedSignature {
  check(typeof prepared === 'object' && prepared !== null, 'INVALID_ARGUMENT', 'prepared must be an object');
  const { hashedArea, unhashedArea, digest } = prepared;
  expectBytes(hashedArea, undefined, 'prepared.hashedArea');
  expectBytes(unhashedArea, undefined, 'prepared.unhashedArea');
  expectBytes(digest, undefined, 'prepared.digest');
  check(hashedArea.length >= 6 && hashedArea[0] === 4 && hashedArea[2] === algorithm, 'INVALID_ARGUMENT', `prepared.hashedArea is not a v4 hashed area for public-key algorithm ${algorithm}`);
  check(((hashedArea[4]! << 8) | hashedArea[5]!) === hashedArea.length - 6, 'INVALID_ARGUMENT', 'prepared.hashedArea length field is inconsistent');
  check(unhashedArea.length >= 2 && ((unhashedArea[0]! << 8) | unhashedArea[1]!) === unhashedArea.length - 2, 'INVALID_ARGUMENT', 'prepared.unhashedArea length field is inconsistent');
  const hash = hashAlgorithmFromId(hashedArea[3]!);
  check(digest.length === digestLength(hash), 'INVALID_ARGUMENT', `prepared.digest must be ${digestLength(hash)} bytes for ${hash}`);
  return prepared;
}
