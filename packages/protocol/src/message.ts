/**
 * The message the group signs for a request. Every node derives it itself
 * from the request's data (RFC 9591 §7.7: check what you sign); the client
 * derives the same OpenPGP hashed area to assemble the packet.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import {
  RSA_ALGORITHM,
  ed25519Fingerprint,
  fingerprint,
  prepareCertification,
  prepareSignature,
  publicKeyPacketBody,
  QSIGN_KEY_PREFERENCES,
  SignatureType,
  type PreparedSignature,
  type SignatureTypeValue,
} from '@qsign/openpgp';
import { QsignError, errorMessage } from './errors.js';
import type { OpenPgpParams, SignRequest } from './request.js';
import { parseSimpleSigning } from './simple-signing.js';
import { preparedKeyBinding } from './key-binding.js';

/** What a node or client knows about the key that determines OpenPGP digests. */
export interface KeyContext {
  /** 32-byte Ed25519 group public key, or MPI(n) ‖ MPI(e) for an RSA key. */
  groupPublicKey: Uint8Array;
  /** The key's threshold scheme (a `SchemeId`, as KeyInfo carries it); absent or '' means `frost-ed25519`. */
  scheme?: string;
  /** Key creation time: part of the v4 fingerprint (RFC 9580 §5.5.4.2). */
  createdUnixSeconds: number;
  /** The key's one user ID; the only one a certification request may certify. */
  userId: string;
}

/** Digest sizes of the hashes a request may name. */
export const DIGEST_LENGTHS = { sha1: 20, sha256: 32, sha512: 64 } as const;

/**
 * Raw data of these lengths could be an OpenPGP (or other) hash value: signing
 * it raw would be an opaque digest signature, so nodes treat it as one.
 */
export const DIGEST_LIKE_LENGTHS: readonly number[] = [20, 28, 32, 48, 64];

function bad(why: string): never {
  throw new QsignError('MALFORMED_REQUEST', `malformed request: ${why}`);
}

/** Checks data-signature parameters: binary (0x00) or text (0x01), a known hash, a sane time. */
function documentParams(p: OpenPgpParams | undefined): { signatureType: SignatureTypeValue; hashAlgorithm: OpenPgpParams['hashAlgorithm']; createdUnixSeconds: number } {
  if (!p) bad('OpenPGP parameters are missing');
  if (p.signatureType !== SignatureType.Binary && p.signatureType !== SignatureType.Text)
    bad(`signature type 0x${p.signatureType.toString(16)} is not a document signature (0x00 binary, 0x01 text)`);
  if (!(p.hashAlgorithm in DIGEST_LENGTHS)) bad(`unsupported hash algorithm ${JSON.stringify(p.hashAlgorithm)}`);
  if (!Number.isSafeInteger(p.createdUnixSeconds) || p.createdUnixSeconds <= 0 || p.createdUnixSeconds > 0xffffffff)
    bad('OpenPGP creation time must be a positive 32-bit time');
  return { signatureType: p.signatureType as SignatureTypeValue, hashAlgorithm: p.hashAlgorithm, createdUnixSeconds: p.createdUnixSeconds };
}

/** True for keys whose signatures are RSA (algorithm 1), false for Ed25519 (EdDSALegacy, 22). */
export function isRsaKey(key: Pick<KeyContext, 'scheme'>): boolean {
  return key.scheme === 'rsa-shoup';
}

/**
 * The v4 public-key packet body (RFC 9580 §5.5.2): version 4 ‖ creation time ‖ algorithm ‖
 * key material; for RSA the material is the group public key MPI(n) ‖ MPI(e) itself.
 */
export function keyPacketBody(key: KeyContext): Uint8Array {
  if (!isRsaKey(key)) return publicKeyPacketBody(key.groupPublicKey, key.createdUnixSeconds);
  const t = key.createdUnixSeconds;
  const out = new Uint8Array(6 + key.groupPublicKey.length);
  out.set([4, (t >>> 24) & 0xff, (t >>> 16) & 0xff, (t >>> 8) & 0xff, t & 0xff, RSA_ALGORITHM]);
  out.set(key.groupPublicKey, 6);
  return out;
}

/** The v4 fingerprint of the key as OpenPGP names it (issuer fingerprint subpacket 33). */
export function keyFingerprint(key: KeyContext): Uint8Array {
  return isRsaKey(key) ? fingerprint(keyPacketBody(key)) : ed25519Fingerprint(key.groupPublicKey, key.createdUnixSeconds);
}

/**
 * The prepared OpenPGP signature of an 'openpgp', 'rpm-header', 'repomd',
 * 'container' or 'certification' request (RFC 4880 §5.2.4): hashed area and digest. Client and
 * nodes compute it from the same request, so the client can assemble the packet
 * with `finishSignature` and each node knows exactly what it signs.
 * Certifications certify only the key's own user ID, over its own public-key
 * packet, with qsign's fixed preferences and flags (split key).
 */
export function preparedOpenPgp(req: SignRequest, key: KeyContext): PreparedSignature {
  try {
    switch (req.kind) {
      case 'openpgp':
      case 'rpm-header':
      case 'repomd':
      case 'container': {
        const p = documentParams(req.openpgp);
        // Metadata and simple-signing payloads are signed as the exact bytes (a text
        // signature would let verifiers that canonicalise line ends read other bytes).
        if (req.kind !== 'openpgp' && p.signatureType !== SignatureType.Binary) bad(`a ${req.kind} signature must be a binary (0x00) signature`);
        return prepareSignature({ ...p, issuerFingerprint: keyFingerprint(key), ...(isRsaKey(key) && { publicKeyAlgorithm: RSA_ALGORITHM }) }, req.data);
      }
      case 'certification': {
        const uid = new TextDecoder('utf-8', { fatal: true }).decode(req.data);
        if (uid !== key.userId) bad(`a certification may only certify the key's own user ID ${JSON.stringify(key.userId)}`);
        const p = req.openpgp;
        const hashAlgorithm = p?.hashAlgorithm ?? 'sha256';
        if (hashAlgorithm === 'sha1') bad('a certification must not use SHA-1');
        if (p && p.signatureType !== SignatureType.PositiveCertification) bad(`certification signature type must be 0x13, got 0x${p.signatureType.toString(16)}`);
        const created = p?.createdUnixSeconds ?? key.createdUnixSeconds;
        if (!Number.isSafeInteger(created) || created < key.createdUnixSeconds || created > 0xffffffff) bad('a certification cannot predate the key');
        const body = keyPacketBody(key);
        return prepareCertification(
          {
            signatureType: SignatureType.PositiveCertification,
            hashAlgorithm,
            createdUnixSeconds: created,
            issuerFingerprint: keyFingerprint(key),
            keyPreferences: QSIGN_KEY_PREFERENCES,
            // RFC 9580 §5.2.3.13: key expiration is seconds after the key's creation.
            ...(p?.keyExpiresUnixSeconds !== undefined && { keyExpirationSeconds: p.keyExpiresUnixSeconds - key.createdUnixSeconds }),
            ...(isRsaKey(key) && { publicKeyAlgorithm: RSA_ALGORITHM }),
          },
          body,
          uid,
        );
      }
      default:
        return bad(`payload kind ${req.kind} has no OpenPGP hashed area to prepare`);
    }
  } catch (e) {
    if (e instanceof QsignError) throw e;
    throw new QsignError('MALFORMED_REQUEST', `malformed request: ${errorMessage(e)}`, { cause: e });
  }
}

/**
 * Derives the message the scheme signs for a request (for RSA keys, always a SHA-256 or
 * SHA-512 digest that each node encodes with EMSA-PKCS1-v1_5 itself):
 * - 'raw': the data itself (RSA: its SHA-256, as `openssl dgst -sha256 -sign` signs);
 * - 'openpgp' / 'rpm-header' / 'repomd' / 'container': the OpenPGP v4 digest
 *   of the data with the request's parameters (EdDSALegacy signs the hash value, RFC 9580 §5.2.3.3);
 * - 'digest': the data IS the digest (its length must match the hash);
 * - 'certification': the digest of the key's self-certification of its user ID;
 * - 'container': see {@link containerMessage}.
 */
export function signingMessage(req: SignRequest, key: KeyContext): Uint8Array {
  switch (req.kind) {
    case 'raw':
      return isRsaKey(key) ? sha256(req.data) : req.data;
    case 'digest': {
      const p = documentParams(req.openpgp);
      if (req.data.length !== DIGEST_LENGTHS[p.hashAlgorithm]) bad(`a ${p.hashAlgorithm} digest is ${DIGEST_LENGTHS[p.hashAlgorithm]} bytes, got ${req.data.length}`);
      return req.data;
    }
    case 'container':
      return containerMessage(req, key);
    case 'openpgp':
    case 'rpm-header':
    case 'repomd':
    case 'certification':
      return preparedOpenPgp(req, key).digest;
    case 'key-binding':
      return preparedKeyBinding(req, key).digest;
    default:
      throw new QsignError('UNSUPPORTED_PAYLOAD', `payload kind ${String(req.kind)} is not supported`);
  }
}

/**
 * The message of a 'container' request, by the payload's own `critical.type`:
 * an atomic (containers/image) payload is signed as an OpenPGP binary
 * signature (the client wraps it into a signed message); a cosign payload is
 * signed as it is — cosign verifies a plain signature over the payload bytes
 * (sigstore `LoadVerifier`; for Ed25519, RFC 8032 over the bytes) — and
 * carries no OpenPGP parameters. Only a payload that passes the strict parser
 * (`parseSimpleSigning`) is signed raw, so this is never a way to sign
 * arbitrary bytes raw; anything else is an OpenPGP document here (as for
 * 'openpgp'), and every node refuses it in its own payload check before it
 * signs — the coordinator, which also derives the message, does not get to
 * refuse it for them.
 */
export function containerMessage(req: SignRequest, key: KeyContext): Uint8Array {
  let format: 'atomic' | 'cosign' = 'atomic';
  try {
    format = parseSimpleSigning(req.data).format ?? 'atomic';
  } catch {
    // Not a valid payload: the nodes' payload check refuses it, with the reason, in their audit logs.
  }
  if (format === 'atomic') return preparedOpenPgp(req, key).digest;
  if (req.openpgp) bad('a cosign payload is signed as it is: the request must not carry OpenPGP parameters');
  return isRsaKey(key) ? sha256(req.data) : req.data;
}
