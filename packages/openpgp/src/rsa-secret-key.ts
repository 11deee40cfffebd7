/** Importing an unprotected v4 RSA secret key as `gpg --export-secret-keys` writes it (RFC 4880 §5.5.3). */
import { bitLength, fromBytes } from '@qsign/threshold-rsa';
import { check } from './errors.js';
import { openSecretKey, readUnprotectedSecret } from './secret-key.js';
import { transferableRsaKey, type RsaKeyInfo } from './rsa-certificate.js';
import { readRsaPublicFields } from './rsa-key.js';

/** An imported RSA secret key. The primes are the whole key: never let them leave the ceremony host. */
export interface SecretRsaKeyMaterial extends RsaKeyInfo {
  /** Private exponent as gpg stored it. */
  d: bigint;
  /** The primes, p < q as OpenPGP stores them. */
  p: bigint;
  q: bigint;
}

const gcd = (a: bigint, b: bigint): bigint => (b === 0n ? a : gcd(b, a % b));

/**
 * Parses `gpg --export-secret-keys` output (binary or armored) for an RSA key without a
 * passphrase: a v4 secret-key packet, algorithm 1, S2K usage 0, MPIs d, p, q, u and the
 * two-octet checksum (RFC 4880 §5.5.3). n must equal p·q and e·d ≡ 1 mod lcm(p − 1, q − 1).
 * The returned certificate keeps the fingerprint, user IDs, expiry and gpg's self-signatures.
 *
 * @throws OpenPgpError ENCRYPTED_KEY for passphrase-protected or stub keys, BAD_CHECKSUM,
 *   KEY_MISMATCH, UNSUPPORTED_ALGORITHM (not RSA), MALFORMED, TRUNCATED.
 */
export function parseRsaSecretKey(input: Uint8Array | string): SecretRsaKeyMaterial {
  const { packets, reader: r } = openSecretKey(input);
  const pub = readRsaPublicFields(r);
  const [d, p, q] = readUnprotectedSecret(r, 4).map(fromBytes) as [bigint, bigint, bigint, bigint]; // d, p, q, u = p⁻¹ mod q (unused)
  check(p > 1n && q > 1n && p * q === pub.n, 'KEY_MISMATCH', 'the secret primes do not multiply to the public modulus');
  const lambda = ((p - 1n) * (q - 1n)) / gcd(p - 1n, q - 1n);
  check(d > 0n && bitLength(d) <= bitLength(pub.n) && (pub.e * d) % lambda === 1n, 'KEY_MISMATCH', 'the secret exponent does not match the public exponent');
  return { ...transferableRsaKey(pub, packets.slice(1)), d, p, q };
}
