/** A party's signature share (Shoup protocol 1, §2 "Signature share generation"). */
import { byteLength, factorial, fromBytes, modPowPublic } from './bigint.js';
import { modPowSecret } from './backend.js';
import { check } from './errors.js';
import { expectIndex, validatePublicKey } from './params.js';
import { emsaPkcs1v15Encode, type RsaHash } from './pkcs1.js';
import { proveEquality, verifyEquality } from './proof.js';
import { defaultRandom } from './random.js';
import type { RandomBytes, RsaSignatureShare, SecretRsaShare, ThresholdRsaPublicKey } from './types.js';

/** x = OS2IP(EMSA-PKCS1-v1_5(H)) for this key's modulus length (RFC 8017 §8.2.1 steps 1–2a). */
export function messageRepresentative(pub: ThresholdRsaPublicKey, hash: RsaHash, digest: Uint8Array): bigint {
  return fromBytes(emsaPkcs1v15Encode(hash, digest, byteLength(pub.n)));
}

/**
 * Computes x_i = x^(2Δs_i) mod n for the PKCS#1 v1.5 representative x of `digest` — the
 * only input a node exponentiates is one it encoded itself, so it is never a raw RSA oracle —
 * and, for safe-prime keys, Shoup's proof of correctness.
 *
 * @throws ThresholdRsaError INVALID_DIGEST, OVERSIZED_EXPONENT (s_i ≥ n), INVALID_PARAMETERS.
 * @example const share = signShare(pub, myShare, 'sha256', sha256(data));
 */
export function signShare(pub: ThresholdRsaPublicKey, share: SecretRsaShare, hash: RsaHash, digest: Uint8Array, random: RandomBytes = defaultRandom): RsaSignatureShare {
  validatePublicKey(pub);
  check(typeof share === 'object' && share !== null, 'INVALID_PARAMETERS', 'share must be an object');
  expectIndex(share.index, pub.parties);
  check(typeof share.secret === 'bigint' && share.secret >= 0n, 'INVALID_PARAMETERS', 'share secret must be a non-negative bigint');
  check(share.secret < pub.n, 'OVERSIZED_EXPONENT', 'share exponent is not below n');
  const x = messageRepresentative(pub, hash, digest);
  const delta = factorial(pub.parties);
  const value = modPowSecret(x, 2n * delta * share.secret, pub.n);
  const out: RsaSignatureShare = { index: share.index, value };
  if (pub.verification !== undefined) {
    const xTilde = modPowPublic(x, 4n * delta, pub.n);
    const vi = pub.verification.verificationKeys[share.index - 1]!;
    out.proof = proveEquality(pub.n, pub.verification.v, vi, xTilde, value, share.secret, random);
  }
  return out;
}

/**
 * Checks one share's proof of correctness. False for shares without a proof, out-of-range
 * values, or keys without verification data (those are checked by combination instead).
 */
export function verifyShare(pub: ThresholdRsaPublicKey, hash: RsaHash, digest: Uint8Array, share: RsaSignatureShare): boolean {
  validatePublicKey(pub);
  if (pub.verification === undefined || share.proof === undefined) return false;
  if (!Number.isInteger(share.index) || share.index < 1 || share.index > pub.parties) return false;
  if (typeof share.value !== 'bigint' || share.value <= 0n || share.value >= pub.n) return false;
  const x = messageRepresentative(pub, hash, digest);
  const xTilde = modPowPublic(x, 4n * factorial(pub.parties), pub.n);
  const vi = pub.verification.verificationKeys[share.index - 1]!;
  return verifyEquality(pub.n, pub.verification.v, vi, xTilde, share.value, share.proof);
}
