/**
 * Client sign requests: the domain shape of `qsign.v1.SignRequestBody`, and
 * the end-to-end client signature every node checks (DESIGN.md, trust model 2).
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { utf8ToBytes, concatBytes, bytesToHex } from '@noble/hashes/utils.js';
import { QsignError } from './errors.js';

/** How the message a node signs is derived from a request's data. */
export type PayloadKind = 'raw' | 'openpgp' | 'rpm-header' | 'digest' | 'certification' | 'repomd' | 'container' | 'key-binding';

/** OpenPGP signature parameters (RFC 4880 §5.2.3) chosen by the client. */
export interface OpenPgpParams {
  signatureType: number;
  hashAlgorithm: 'sha1' | 'sha256' | 'sha512';
  createdUnixSeconds: number;
  /**
   * Certifications (0x13) only: the key's absolute expiry the self-signature carries (RFC 9580
   * §5.2.3.13 key expiration time). A certification with one, for a key that already has a
   * certificate, is a renewal (docs/windows.md "No accidental expiry"): nodes check it first.
   */
  keyExpiresUnixSeconds?: number;
}

/** What the client says about the file (audit only; never trusted). */
export interface FileClaims {
  fileName: string;
  size: number;
  sha256: Uint8Array;
}

/** A decoded client request. */
export interface SignRequest {
  requestId: string;
  keyName: string;
  createdAtMs: number;
  kind: PayloadKind;
  data: Uint8Array;
  openpgp?: OpenPgpParams;
  claims?: FileClaims;
  clientName: string;
  /** The group public key (32 bytes) the client pinned for `keyName`; nodes refuse a request naming another (KEY_MISMATCH). */
  expectedGroupKey?: Uint8Array;
}

/** A request as it travels: the exact body bytes plus the client's signature. */
export interface SignedRequest {
  body: Uint8Array;
  clientPublicKey: Uint8Array;
  clientSignature: Uint8Array;
}

/** Domain separation prefix of the client signature. */
export const REQUEST_SIGNATURE_CONTEXT = utf8ToBytes('qsign/v1/sign-request\n');

/** Largest request id accepted (characters). */
export const MAX_REQUEST_ID_LENGTH = 128;

/** A fresh random request id (16 bytes, hex). */
export function newRequestId(): string {
  return bytesToHex(ed25519.utils.randomSecretKey().subarray(0, 16));
}

/** An Ed25519 signer holding one secret key: its public key and RFC 8032 (deterministic) signing. */
export interface Ed25519Signer {
  readonly publicKey: Uint8Array;
  sign(message: Uint8Array): Uint8Array;
}

/**
 * Signs serialised body bytes with a client's Ed25519 secret key. Clients may
 * pass a faster signer over the same key (OpenSSL; Ed25519 is deterministic, so
 * the signature is byte-identical); the default is noble's.
 */
export function signRequestBody(body: Uint8Array, clientSecretKey: Uint8Array, signer?: Ed25519Signer): SignedRequest {
  const message = concatBytes(REQUEST_SIGNATURE_CONTEXT, body);
  if (signer) return { body, clientPublicKey: signer.publicKey, clientSignature: signer.sign(message) };
  return { body, clientPublicKey: ed25519.getPublicKey(clientSecretKey), clientSignature: ed25519.sign(message, clientSecretKey) };
}

/** An Ed25519 verifier (signature, message, public key) → valid. */
export type Ed25519Verify = (signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array) => boolean;

/**
 * Verifies the client's signature over the body; throws BAD_CLIENT_SIGNATURE.
 * Daemons may pass a faster RFC 8032 verifier (OpenSSL); the default is noble's.
 */
export function verifyRequestSignature(req: SignedRequest, verify: Ed25519Verify = (s, m, k) => ed25519.verify(s, m, k)): void {
  let ok = false;
  try {
    ok =
      req.clientPublicKey.length === 32 &&
      req.clientSignature.length === 64 &&
      verify(req.clientSignature, concatBytes(REQUEST_SIGNATURE_CONTEXT, req.body), req.clientPublicKey);
  } catch {
    ok = false;
  }
  if (!ok) throw new QsignError('BAD_CLIENT_SIGNATURE', 'client signature does not verify over the request body');
}

/** Checks the request's fields are well-formed (lengths, names, kinds). */
export function validateSignRequest(req: SignRequest): void {
  const bad = (why: string): never => {
    throw new QsignError('MALFORMED_REQUEST', `malformed request: ${why}`);
  };
  if (!req.requestId || req.requestId.length > MAX_REQUEST_ID_LENGTH || !/^[A-Za-z0-9._:-]+$/.test(req.requestId))
    bad('request id must be 1-128 characters of [A-Za-z0-9._:-]');
  if (!isValidKeyName(req.keyName)) bad(`key name ${JSON.stringify(req.keyName.slice(0, 80))} is not valid`);
  if (!Number.isSafeInteger(req.createdAtMs) || req.createdAtMs <= 0) bad('created_at_ms must be a positive time');
  // Container payloads say themselves whether they are OpenPGP-signed (atomic) or not (cosign): see signingMessage.
  if (req.kind !== 'raw' && req.kind !== 'certification' && req.kind !== 'container' && !req.openpgp) bad(`${req.kind} requests need OpenPGP parameters`);
  if (req.kind === 'digest' && ![20, 32, 64].includes(req.data.length)) bad('a digest must be 20, 32 or 64 bytes');
  const expires = req.openpgp?.keyExpiresUnixSeconds;
  if (expires !== undefined) {
    if (req.kind !== 'certification') bad('only a certification (self-signature) carries a key expiry');
    if (!Number.isSafeInteger(expires) || expires <= req.openpgp!.createdUnixSeconds || expires > 0xffffffff) bad('a key expiry must be a Unix time after the self-signature\'s creation');
  }
}

/** Key names: 1-200 characters, letters, digits and . _ @ + # - (emails are key names; Copr's contain #). */
export function isValidKeyName(name: string): boolean {
  return typeof name === 'string' && name.length > 0 && name.length <= 200 && /^[A-Za-z0-9._@+#-]+$/.test(name);
}

/**
 * Freshness (replay window): a request older than `windowMs`, or more than
 * `windowMs` in the future, is refused as stale.
 */
export function checkFreshness(createdAtMs: number, nowMs: number, windowMs: number): void {
  const age = nowMs - createdAtMs;
  if (age > windowMs || age < -windowMs) {
    throw new QsignError(
      'STALE_REQUEST',
      `stale request: created ${(Math.abs(age) / 1000).toFixed(1)} s ${age >= 0 ? 'ago' : 'in the future'}, window is ${windowMs / 1000} s`,
    );
  }
}
