/**
 * Signing subkeys (RFC 9580 §5.5.1.2, §10.1.1): the public-subkey packet (tag 14), the
 * subkey binding signature (0x18) by the primary key with key flags and expiry and an
 * embedded primary key binding back-signature (0x19) by the subkey (§5.2.3.34: required
 * for signing subkeys), subkey revocations (0x28, §5.2.3.31), and certification-only
 * self-signatures of the primary (0x13) with an expiry. Hashes: §5.2.4 (key ‖ subkey).
 */
import { concat, expectTime, Reader, utf8 } from './bytes.js';
import { check } from './errors.js';
import { expectHashAlgorithm, type HashAlgorithm } from './hash.js';
import { EDDSA_LEGACY, fingerprint } from './key.js';
import { readRsaPublicFields } from './rsa-key.js';
import { parseRsaSignatureBody } from './rsa-signature.js';
import { keyAlgorithm, signPrepared, verifyRawSignature, type KeySigner } from './key-signer.js';
import { parseSignatureBody } from './parse-signature.js';
import { encodePacket, PacketTag } from './packet.js';
import {
  KeyFlag,
  keyHashPrefix,
  prepareCertification,
  preparedOver,
  QSIGN_KEY_PREFERENCES,
  signatureAreas,
  SignatureType,
  type KeyPreferences,
  type PreparedSignature,
  type SignatureParams,
} from './signature.js';
import { SubpacketType, type Subpacket } from './subpacket.js';

/** Reason-for-revocation codes (RFC 9580 §5.2.3.31). */
export const RevocationReason = {
  /** 0: no reason given — a hard revocation. */
  Unspecified: 0,
  /** 1: key superseded — soft: signatures made before the revocation stay valid. */
  Superseded: 1,
  /** 2: key material compromised — hard: every signature by the key is invalid. */
  Compromised: 2,
  /** 3: key retired — soft. */
  Retired: 3,
} as const;
/** One of {@link RevocationReason}'s values. */
export type RevocationReasonCode = (typeof RevocationReason)[keyof typeof RevocationReason];

/** True for the reasons OpenPGP implementations treat as hard (all but superseded and retired, RFC 9580 §5.2.3.31). */
export function isHardRevocation(reason: number): boolean {
  return reason !== RevocationReason.Superseded && reason !== RevocationReason.Retired;
}

/** Preferences of a certification-only primary: flags certify + split key (0x11), sign (0x02) clear; subkeys sign. */
export const CERTIFY_ONLY_PREFERENCES: Readonly<KeyPreferences> = Object.freeze({
  ...QSIGN_KEY_PREFERENCES,
  keyFlags: KeyFlag.Certify | KeyFlag.SplitKey,
});

/** Key flags a windowed signing subkey's binding carries: sign + split key (0x12). */
export const SIGNING_SUBKEY_FLAGS = KeyFlag.Sign | KeyFlag.SplitKey;

/** A complete public-subkey packet (tag 14) for a v4 key packet body (RFC 9580 §5.5.1.2). */
export function publicSubkeyPacket(subkeyBody: Uint8Array): Uint8Array {
  keyAlgorithm(subkeyBody);
  return encodePacket(PacketTag.PublicSubkey, subkeyBody);
}

/** Seconds from a key's creation to `expiresUnixSeconds` (subpacket 9), or undefined for "never". */
function expirySeconds(created: number, expiresUnixSeconds: number | undefined): number | undefined {
  if (expiresUnixSeconds === undefined) return undefined;
  expectTime(expiresUnixSeconds, 'expiresUnixSeconds');
  check(expiresUnixSeconds > created, 'INVALID_ARGUMENT', 'a key cannot expire at or before its creation');
  return expiresUnixSeconds - created;
}

/** Creation time of a v4 key packet body. */
function keyCreated(body: Uint8Array): number {
  keyAlgorithm(body);
  return ((body[1]! << 24) | (body[2]! << 16) | (body[3]! << 8) | body[4]!) >>> 0;
}

/** Prepares a signature over primary ‖ subkey (0x18, 0x19, 0x28; RFC 9580 §5.2.4). */
function prepareKeyPair(params: SignatureParams, primaryBody: Uint8Array, subkeyBody: Uint8Array, extra: Subpacket[]): PreparedSignature {
  const allowed = [SignatureType.SubkeyBinding, SignatureType.PrimaryKeyBinding, SignatureType.SubkeyRevocation];
  return preparedOver(params, signatureAreas(params, allowed, extra), [keyHashPrefix(primaryBody), keyHashPrefix(subkeyBody)]);
}

/** Inputs of {@link bindSubkey}. */
export interface SubkeyBindingOptions {
  /** The primary key (certifies the binding). */
  primary: KeySigner;
  /** The subkey (makes the back-signature). */
  subkey: KeySigner;
  /** Binding (and back-signature) creation time: at or before the first signature the subkey makes. */
  createdUnixSeconds: number;
  /** When the subkey stops being valid (absolute Unix time); omitted → never. */
  expiresUnixSeconds?: number;
  /** Hash (default 'sha256'). */
  hashAlgorithm?: HashAlgorithm;
  /** Key flags (default {@link SIGNING_SUBKEY_FLAGS}); must include sign (0x02). */
  keyFlags?: number;
}

/**
 * Makes a subkey binding signature (0x18) by the primary with key flags, key expiration
 * and, in its hashed area, the embedded primary key binding signature (0x19) made by the
 * subkey (RFC 9580 §5.2.3.34, §5.2.3.13, §5.2.3.29). Both are verified before return.
 * A later call with a new expiry is a renewal; the newest binding wins (RFC 9580 §10.1.1).
 *
 * @returns the 0x18 signature packet.
 * @throws OpenPgpError SIGNER_FAILED, BAD_SIGNATURE, INVALID_ARGUMENT.
 */
export async function bindSubkey(opts: SubkeyBindingOptions): Promise<Uint8Array> {
  const hashAlgorithm = opts.hashAlgorithm ?? 'sha256';
  const primaryBody = opts.primary.publicKeyBody;
  const subkeyBody = opts.subkey.publicKeyBody;
  const back = await signPrepared(opts.subkey, prepareBackSignature(primaryBody, subkeyBody, opts.createdUnixSeconds, hashAlgorithm));
  return signPrepared(
    opts.primary,
    prepareSubkeyBinding({ primaryBody, subkeyBody, createdUnixSeconds: opts.createdUnixSeconds, expiresUnixSeconds: opts.expiresUnixSeconds, keyFlags: opts.keyFlags, hashAlgorithm, backSignature: back }),
  );
}

/**
 * The primary key binding back-signature (0x19) over primary ‖ subkey, issued by the
 * subkey (RFC 9580 §5.2.3.34), prepared but unsigned: what a cluster holding the
 * subkey signs. Pure; {@link bindSubkey} uses it.
 */
export function prepareBackSignature(primaryBody: Uint8Array, subkeyBody: Uint8Array, createdUnixSeconds: number, hashAlgorithm: HashAlgorithm = 'sha256'): PreparedSignature {
  expectHashAlgorithm(hashAlgorithm);
  expectTime(createdUnixSeconds, 'createdUnixSeconds');
  keyAlgorithm(primaryBody);
  check(createdUnixSeconds >= keyCreated(subkeyBody), 'INVALID_ARGUMENT', 'the binding cannot predate the subkey');
  return prepareKeyPair(
    { signatureType: SignatureType.PrimaryKeyBinding, hashAlgorithm, createdUnixSeconds, issuerFingerprint: fingerprint(subkeyBody), publicKeyAlgorithm: keyAlgorithm(subkeyBody) },
    primaryBody,
    subkeyBody,
    [],
  );
}

/** Inputs of {@link prepareSubkeyBinding}. */
export interface SubkeyBindingParams {
  primaryBody: Uint8Array;
  subkeyBody: Uint8Array;
  createdUnixSeconds: number;
  expiresUnixSeconds?: number;
  keyFlags?: number;
  hashAlgorithm?: HashAlgorithm;
  /** The 0x19 back-signature packet by the subkey; checked here against the subkey. */
  backSignature: Uint8Array;
}

/**
 * The subkey binding signature (0x18) by the primary, prepared but unsigned, with key
 * flags, expiry and the embedded back-signature (RFC 9580 §5.2.3.34). The back-signature
 * must be exactly {@link prepareBackSignature}'s for the same pair and time and verify
 * under the subkey, so a primary never binds a subkey that did not sign for it.
 *
 * @throws OpenPgpError BAD_SIGNATURE, INVALID_ARGUMENT.
 */
export function prepareSubkeyBinding(p: SubkeyBindingParams): PreparedSignature {
  const hashAlgorithm = p.hashAlgorithm ?? 'sha256';
  const expected = prepareBackSignature(p.primaryBody, p.subkeyBody, p.createdUnixSeconds, hashAlgorithm);
  const header = packetHeaderLength(p.backSignature);
  check(p.backSignature.length > header && (p.backSignature[0]! & 0x3f) === PacketTag.Signature, 'INVALID_ARGUMENT', 'the back-signature must be a signature packet');
  const backBody = p.backSignature.subarray(header);
  const { hashedArea, value } = signatureValue(backBody, p.subkeyBody);
  check(toHexString(hashedArea) === toHexString(expected.hashedArea), 'INVALID_ARGUMENT', 'the back-signature is not the 0x19 signature of this primary, subkey and time');
  check(verifyRawSignature(p.subkeyBody, hashAlgorithm, expected.digest, value), 'BAD_SIGNATURE', 'the back-signature does not verify under the subkey');
  const flags = p.keyFlags ?? SIGNING_SUBKEY_FLAGS;
  check(Number.isInteger(flags) && flags >= 0 && flags <= 255 && (flags & KeyFlag.Sign) !== 0, 'INVALID_ARGUMENT', 'a signing subkey binding needs the sign flag (0x02)');
  const keyExpirationSeconds = expirySeconds(keyCreated(p.subkeyBody), p.expiresUnixSeconds);
  return prepareKeyPair(
    {
      signatureType: SignatureType.SubkeyBinding,
      hashAlgorithm,
      createdUnixSeconds: p.createdUnixSeconds,
      issuerFingerprint: fingerprint(p.primaryBody),
      publicKeyAlgorithm: keyAlgorithm(p.primaryBody),
      ...(keyExpirationSeconds !== undefined && { keyExpirationSeconds }),
    },
    p.primaryBody,
    p.subkeyBody,
    [
      { type: SubpacketType.KeyFlags, critical: false, body: Uint8Array.of(flags) },
      { type: SubpacketType.EmbeddedSignature, critical: false, body: backBody },
    ],
  );
}

const toHexString = (b: Uint8Array): string => Buffer.from(b).toString('hex');

/** Hashed area and raw signature value (Ed25519 R ‖ S, or RSA padded to the modulus length) of a signature body by `keyBody`. */
function signatureValue(sigBody: Uint8Array, keyBody: Uint8Array): { hashedArea: Uint8Array; value: Uint8Array } {
  if (keyAlgorithm(keyBody) === EDDSA_LEGACY) {
    const f = parseSignatureBody(sigBody);
    return { hashedArea: f.hashedArea, value: f.signature64 };
  }
  const f = parseRsaSignatureBody(sigBody);
  const k = Math.ceil(readRsaPublicFields(new Reader(keyBody, 'key packet')).n.toString(2).length / 8);
  const value = new Uint8Array(Math.max(k, f.signature.length));
  value.set(f.signature, value.length - f.signature.length);
  return { hashedArea: f.hashedArea, value };
}

/** Length of the new-format header encodePacket wrote (1 tag octet + 1, 2 or 5 length octets). */
function packetHeaderLength(packet: Uint8Array): number {
  const a = packet[1]!;
  return a < 192 ? 2 : a < 224 ? 3 : 6;
}

/** Inputs of {@link revokeSubkey}. */
export interface SubkeyRevocationOptions {
  /** The primary key (makes the revocation). */
  primary: KeySigner;
  /** The revoked subkey's v4 packet body. */
  subkeyBody: Uint8Array;
  /** Revocation creation time. */
  createdUnixSeconds: number;
  /** Why (RFC 9580 §5.2.3.31). */
  reason: RevocationReasonCode;
  /** Human-readable text after the code (UTF-8), e.g. "build host compromised 2026-12-01". */
  description?: string;
  /** Hash (default 'sha256'). */
  hashAlgorithm?: HashAlgorithm;
}

/**
 * Makes a subkey revocation signature (0x28) by the primary over primary ‖ subkey with a
 * reason-for-revocation subpacket (RFC 9580 §5.2.3.31, §5.2.4), verified before return.
 *
 * @throws OpenPgpError SIGNER_FAILED, BAD_SIGNATURE, INVALID_ARGUMENT.
 */
export async function revokeSubkey(opts: SubkeyRevocationOptions): Promise<Uint8Array> {
  return signPrepared(opts.primary, prepareSubkeyRevocation(opts.primary.publicKeyBody, opts.subkeyBody, opts.createdUnixSeconds, opts.reason, opts.description, opts.hashAlgorithm));
}

/** The subkey revocation (0x28) of {@link revokeSubkey}, prepared but unsigned (pure). */
export function prepareSubkeyRevocation(
  primaryBody: Uint8Array,
  subkeyBody: Uint8Array,
  createdUnixSeconds: number,
  reason: RevocationReasonCode,
  description = '',
  hashAlgorithm: HashAlgorithm = 'sha256',
): PreparedSignature {
  expectHashAlgorithm(hashAlgorithm);
  check(Object.values(RevocationReason).includes(reason), 'INVALID_ARGUMENT', `revocation reason ${String(reason)}; expected 0, 1, 2 or 3`);
  check(createdUnixSeconds >= keyCreated(subkeyBody), 'INVALID_ARGUMENT', 'the revocation cannot predate the subkey');
  const text = utf8(description);
  check(text.length <= 1024, 'INVALID_ARGUMENT', 'revocation description must be at most 1024 bytes');
  return prepareKeyPair(
    { signatureType: SignatureType.SubkeyRevocation, hashAlgorithm, createdUnixSeconds, issuerFingerprint: fingerprint(primaryBody), publicKeyAlgorithm: keyAlgorithm(primaryBody) },
    primaryBody,
    subkeyBody,
    [{ type: SubpacketType.ReasonForRevocation, critical: false, body: concat(Uint8Array.of(reason), text) }],
  );
}

/** Inputs of {@link certifyPrimary}. */
export interface PrimaryCertificationOptions {
  /** The primary key. */
  primary: KeySigner;
  /** User ID. */
  userId: string;
  /** Self-signature creation time (a renewal uses a later time than the one it replaces). */
  createdUnixSeconds: number;
  /** When the certificate expires (absolute); omitted → never. */
  expiresUnixSeconds?: number;
  /** Flags and preferences (default {@link CERTIFY_ONLY_PREFERENCES}). */
  keyPreferences?: KeyPreferences;
  /** Hash (default 'sha256'). */
  hashAlgorithm?: HashAlgorithm;
}

/**
 * Makes a positive certification (0x13) of `userId` by the primary with key flags,
 * preferences and key expiration (RFC 9580 §5.2.3.13, §5.2.4), verified before return.
 * Re-issuing it with a later creation time and a new expiry renews the certificate.
 */
export async function certifyPrimary(opts: PrimaryCertificationOptions): Promise<Uint8Array> {
  const hashAlgorithm = opts.hashAlgorithm ?? 'sha256';
  expectHashAlgorithm(hashAlgorithm);
  const body = opts.primary.publicKeyBody;
  const created = keyCreated(body);
  expectTime(opts.createdUnixSeconds, 'createdUnixSeconds');
  check(opts.createdUnixSeconds >= created, 'INVALID_ARGUMENT', 'the self-signature cannot predate the key');
  const keyExpirationSeconds = expirySeconds(created, opts.expiresUnixSeconds);
  const params: SignatureParams = {
    signatureType: SignatureType.PositiveCertification,
    hashAlgorithm,
    createdUnixSeconds: opts.createdUnixSeconds,
    issuerFingerprint: fingerprint(body),
    publicKeyAlgorithm: keyAlgorithm(body),
    keyPreferences: opts.keyPreferences ?? CERTIFY_ONLY_PREFERENCES,
    ...(keyExpirationSeconds !== undefined && { keyExpirationSeconds }),
  };
  return signPrepared(opts.primary, prepareCertification(params, body, opts.userId));
}

/** The key packet (tag 6) for a primary key body. */
export function primaryKeyPacket(body: Uint8Array): Uint8Array {
  keyAlgorithm(body);
  return encodePacket(PacketTag.PublicKey, body);
}

