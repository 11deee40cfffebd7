/** RSASSA-PKCS1-v1_5 verification (RFC 8017 §8.2.2) of a combined signature. */
import { byteLength, fromBytes, modPowPublic } from './bigint.js';
import { emsaPkcs1v15Encode, type RsaHash } from './pkcs1.js';

/** The public half of an RSA key. */
export interface RsaPublicKey {
  n: bigint;
  e: bigint;
}

/**
 * True if `signature` is the k-octet RSASSA-PKCS1-v1_5 signature of `digest` under (n, e):
 * s < n and s^e mod n equals the EMSA-PKCS1-v1_5 encoding (RFC 8017 §8.2.2).
 */
export function verifySignature(pub: RsaPublicKey, hash: RsaHash, digest: Uint8Array, signature: Uint8Array): boolean {
  const k = byteLength(pub.n);
  if (!(signature instanceof Uint8Array) || signature.length !== k) return false;
  const s = fromBytes(signature);
  if (s >= pub.n) return false;
  return modPowPublic(s, pub.e, pub.n) === fromBytes(emsaPkcs1v15Encode(hash, digest, k));
}
