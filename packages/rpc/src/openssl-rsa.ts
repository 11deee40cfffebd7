/**
 * RSASSA-PKCS1-v1_5 verification of a signature over a precomputed SHA-256/SHA-512 digest
 * by OpenSSL (node:crypto `publicDecrypt` checks the type-1 padding, RFC 8017 §8.2.2): the
 * coordinator's independent check of a combined threshold RSA signature.
 */
import { createPublicKey, publicDecrypt, constants, type KeyObject } from 'node:crypto';
import { DIGEST_INFO_PREFIX, byteLength } from '@qsign/threshold-rsa';
import { parseRsaGroupPublicKey, rsaHashOfDigest } from '@qsign/protocol';

const cache = new Map<string, { key: KeyObject; k: number }>();

/** A node:crypto RSA public key from MPI(n) ‖ MPI(e) (cached). */
function rsaKeyObject(groupPublicKey: Uint8Array): { key: KeyObject; k: number } {
  const hex = Buffer.from(groupPublicKey).toString('hex');
  let hit = cache.get(hex);
  if (!hit) {
    const { n, e } = parseRsaGroupPublicKey(groupPublicKey);
    const b64 = (x: bigint): string => Buffer.from(x.toString(16).padStart(Math.ceil(x.toString(16).length / 2) * 2, '0'), 'hex').toString('base64url');
    hit = { key: createPublicKey({ key: { kty: 'RSA', n: b64(n), e: b64(e) }, format: 'jwk' }), k: byteLength(n) };
    if (cache.size > 1_000) cache.clear();
    cache.set(hex, hit);
  }
  return hit;
}

/** True if OpenSSL accepts `signature` as the PKCS#1 v1.5 signature of `digest`; false for any malformed input. */
export function opensslRsaVerify(signature: Uint8Array, digest: Uint8Array, groupPublicKey: Uint8Array): boolean {
  try {
    const { key, k } = rsaKeyObject(groupPublicKey);
    if (signature.length !== k) return false;
    const t = publicDecrypt({ key, padding: constants.RSA_PKCS1_PADDING }, signature);
    const want = Buffer.concat([DIGEST_INFO_PREFIX[rsaHashOfDigest(digest)], digest]);
    return t.length === want.length && t.equals(want);
  } catch {
    return false;
  }
}
