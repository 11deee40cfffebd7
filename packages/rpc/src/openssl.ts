/**
 * Ed25519 verification through OpenSSL (node:crypto) for daemons and
 * clients: about 15x faster than pure-JS verification, and an independent
 * implementation. KeyObjects are cached per public key.
 */
import { createPublicKey, verify, type KeyObject } from 'node:crypto';

const SPKI_PREFIX = Buffer.from('302a300506032b6570032100', 'hex');
const cache = new Map<string, KeyObject>();

/** A node:crypto public key from 32 raw Ed25519 bytes (cached). */
export function ed25519KeyObject(raw: Uint8Array): KeyObject {
  const hex = Buffer.from(raw).toString('hex');
  let k = cache.get(hex);
  if (!k) {
    k = createPublicKey({ key: Buffer.concat([SPKI_PREFIX, raw]), format: 'der', type: 'spki' });
    if (cache.size > 10_000) cache.clear();
    cache.set(hex, k);
  }
  return k;
}

/** RFC 8032 Ed25519 verification by OpenSSL; false for any malformed input. */
export function opensslVerify(signature: Uint8Array, message: Uint8Array, publicKey: Uint8Array): boolean {
  if (signature.length !== 64 || publicKey.length !== 32) return false;
  try {
    return verify(null, message, ed25519KeyObject(publicKey), signature);
  } catch {
    return false;
  }
}
