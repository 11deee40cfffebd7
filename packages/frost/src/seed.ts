/** Importing an existing Ed25519 key (RFC 8032 §5.1.5) for a trusted-dealer split. */
import { sha512 } from '@noble/hashes/sha2.js';
import { assertBytes } from './bytes.js';
import { bytesToNumberLE, encodeScalar, mod } from './scalar.js';

/**
 * RFC 8032 §5.1.5: the secret scalar of a 32-byte Ed25519 seed, clamp(SHA-512(seed)[0..32])
 * reduced mod L, as a 32-byte little-endian scalar for `trustedDealerKeygen`. The resulting
 * group key equals the seed's ordinary Ed25519 public key.
 *
 * @example
 * const { shares, publicKeyPackage } = trustedDealerKeygen(3, 5, seedToScalar(gpgSeed));
 */
export function seedToScalar(seed: Uint8Array): Uint8Array {
  assertBytes(seed, 32, 'seed');
  const h = sha512(seed);
  const a = h.slice(0, 32);
  h.fill(0);
  a[0]! &= 248;
  a[31]! &= 127;
  a[31]! |= 64;
  const s = encodeScalar(mod(bytesToNumberLE(a)));
  a.fill(0);
  return s;
}
