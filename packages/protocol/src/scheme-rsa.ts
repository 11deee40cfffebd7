/**
 * Shoup threshold RSA (EUROCRYPT 2000, protocol 1; `@qsign/threshold-rsa`) behind the
 * {@link ThresholdScheme} seam: one round, nothing prepared, no session list. The message
 * is a SHA-256 or SHA-512 digest (its length names the hash) that every node encodes
 * itself with EMSA-PKCS1-v1_5 (RFC 8017 §9.2), so a node is never a raw RSA oracle.
 * Shares of safe-prime keys carry Shoup's proofs (blame by proof); shares of imported
 * keys do not (blame by combination, which needs 2k − 1 shares to name anyone).
 */
import {
  CHALLENGE_BITS,
  ThresholdRsaError,
  byteLength,
  combine,
  fromBytes,
  signShare as rsaSignShare,
  toBytes,
  type RsaHash,
  type RsaSignatureShare,
  type ThresholdRsaPublicKey,
} from '@qsign/threshold-rsa';
import { rsaPublicKeyOf } from './scheme-rsa-key.js';
import type { SchemeShare, SignatureVerifier, ThresholdScheme } from './scheme.js';

const CHALLENGE_BYTES = CHALLENGE_BITS / 8;

/** The hash a digest message was made with: SHA-256 (32 octets) or SHA-512 (64); INVALID_DIGEST otherwise. */
export function rsaHashOfDigest(message: Uint8Array): RsaHash {
  if (message.length === 32) return 'sha256';
  if (message.length === 64) return 'sha512';
  throw new ThresholdRsaError('INVALID_DIGEST', `threshold RSA signs a SHA-256 or SHA-512 digest (32 or 64 bytes), got ${message.length} bytes`);
}

/** Wire form of a share: x_i as k octets, then (safe-prime keys) the challenge c (32 octets) and the response z. */
export function encodeRsaShare(s: RsaSignatureShare, n: bigint): Uint8Array {
  const k = byteLength(n);
  if (!s.proof) return toBytes(s.value, k);
  const z = toBytes(s.proof.z, Math.max(1, Math.ceil(s.proof.z.toString(16).length / 2)));
  const out = new Uint8Array(k + CHALLENGE_BYTES + z.length);
  out.set(toBytes(s.value, k));
  out.set(toBytes(s.proof.c, CHALLENGE_BYTES), k);
  out.set(z, k + CHALLENGE_BYTES);
  return out;
}

/** Reads {@link encodeRsaShare}'s form; a proof is expected exactly when the key has verification data. */
export function decodeRsaShare(s: SchemeShare, pub: ThresholdRsaPublicKey): RsaSignatureShare {
  const k = byteLength(pub.n);
  const value = fromBytes(s.share.subarray(0, k));
  if (!pub.verification) return { index: s.identifier, value };
  return { index: s.identifier, value, proof: { c: fromBytes(s.share.subarray(k, k + CHALLENGE_BYTES)), z: fromBytes(s.share.subarray(k + CHALLENGE_BYTES)) } };
}

/** Largest proof response accepted: z = s_i·c + r has at most |n| + 2·L1 + 1 bits (Shoup §2). */
function maxShareBytes(k: number): number {
  return k + CHALLENGE_BYTES + k + 2 * CHALLENGE_BYTES + 1;
}

/** True if a share's length does not fit the key: k octets, plus a proof exactly for safe-prime keys. */
function sizeProblem(s: SchemeShare, pub: ThresholdRsaPublicKey): boolean {
  const k = byteLength(pub.n);
  const len = s.share.length;
  return pub.verification ? len <= k + CHALLENGE_BYTES || len > maxShareBytes(k) : len !== k;
}

/**
 * Threshold RSA (RSASSA-PKCS1-v1_5) with `verify` (daemons pass OpenSSL's) as the
 * independent final check. `combine` itself only returns a signature that verifies.
 */
export function shoupRsaScheme(verify: SignatureVerifier): ThresholdScheme {
  return {
    id: 'rsa-shoup',
    preparesAhead: false,
    sharesBoundToSet: false,
    prepare() {
      throw new ThresholdRsaError('INVALID_PARAMETERS', 'threshold RSA prepares nothing ahead (one round, no nonces)');
    },
    checkSession(session) {
      if (session.length !== 0) throw new ThresholdRsaError('INVALID_PARAMETERS', `threshold RSA takes no session list, got ${session.length} entries`);
    },
    signShare(secret, key, _prepared, _session, message) {
      const pub = rsaPublicKeyOf(key);
      const share = rsaSignShare(pub, { index: secret.identifier, secret: fromBytes(secret.share) }, rsaHashOfDigest(message), message);
      return { identifier: secret.identifier, share: encodeRsaShare(share, pub.n) };
    },
    validatePrepared() {
      throw new ThresholdRsaError('INVALID_PARAMETERS', 'threshold RSA has no prepared material to validate');
    },
    shareProblem(s, expected, key) {
      if (s.identifier !== expected) return `answered with a share for identifier ${s.identifier}, expected ${expected}`;
      return key && sizeProblem(s, rsaPublicKeyOf(key)) ? 'answered with a malformed signature share' : undefined;
    },
    combine(shares, key, _session, message) {
      const pub = rsaPublicKeyOf(key);
      return combine(pub, rsaHashOfDigest(message), message, shares.map((s) => decodeRsaShare(s, pub))).signature;
    },
    verify: (signature, message, key) => verify(signature, message, key.groupPublicKey),
    blame(shares, key, _session, message) {
      const pub = rsaPublicKeyOf(key);
      const malformed = shares.filter((s) => sizeProblem(s, pub)).map((s) => s.identifier);
      const decoded = shares.filter((s) => !malformed.includes(s.identifier)).map((s) => decodeRsaShare(s, pub));
      try {
        return [...malformed, ...combine(pub, rsaHashOfDigest(message), message, decoded).excluded].sort((a, b) => a - b);
      } catch (e) {
        if (e instanceof ThresholdRsaError && e.code === 'NOT_ENOUGH_SHARES') return [...malformed, ...(e.culprits ?? [])].sort((a, b) => a - b);
        throw e;
      }
    },
  };
}
