/**
 * Constant-time modular exponentiation through node:crypto's Diffie–Hellman object.
 *
 * `DiffieHellman.computeSecret(pub)` with prime p and private key a returns pub^a mod p via
 * OpenSSL's ossl_dh_compute_key (crypto/dh/dh_key.c), which marks the private exponent
 * BN_FLG_CONSTTIME, so BN_mod_exp_mont dispatches to BN_mod_exp_mont_consttime — the same
 * fixed-window, cache-safe Montgomery ladder OpenSSL's own non-CRT RSA path uses. OpenSSL does
 * not require p to be prime here (DH_check runs only to fill `verifyError`), so p may be the
 * RSA modulus n. Unlike a raw RSA private operation on a key object holding (n, s_i), there is
 * no blinding with a public exponent that does not match s_i.
 * OpenSSL refuses pub ≤ 1 or pub ≥ p − 1 (DH_check_pub_key) and moduli below 512 bits:
 * those public edge cases fall back to the pure backend. OpenSSL also refuses a shared secret
 * of 1 (ERR_CRYPTO_INVALID_KEYTYPE): legitimate in Miller–Rabin, never for a PKCS#1
 * representative; that result is recomputed with the pure backend (the outcome, 1, is the
 * only thing its timing reveals).
 */
import { createDiffieHellman, type DiffieHellman } from 'node:crypto';
import { bitLength, byteLength, fromBytes, pureBackend, toBytes, type ModexpBackend } from '@qsign/threshold-rsa';

const MIN_BITS = 512;
const MAX_BITS = 10_000; // OPENSSL_DH_MAX_MODULUS_BITS
const CACHE_SIZE = 16;
const ONE = Buffer.of(1);

/** Builds the node:crypto/OpenSSL backend (DH objects cached per modulus, since DH_check on construction costs a modexp). */
export function opensslDhBackend(): ModexpBackend {
  const cache = new Map<bigint, DiffieHellman>();
  const dhFor = (m: bigint): DiffieHellman => {
    let dh = cache.get(m);
    if (dh === undefined) {
      dh = createDiffieHellman(Buffer.from(toBytes(m, byteLength(m))));
      if (cache.size >= CACHE_SIZE) cache.delete(cache.keys().next().value!);
      cache.set(m, dh);
    }
    return dh;
  };
  return {
    name: 'openssl-dh',
    modPowSecret(base: bigint, exp: bigint, m: bigint): bigint {
      const bits = bitLength(m);
      const b = base % m;
      if (bits < MIN_BITS || bits > MAX_BITS || (m & 1n) === 0n || b <= 1n || b >= m - 1n || exp === 0n) return pureBackend.modPowSecret(base, exp, m);
      const dh = dhFor(m);
      const secret = Buffer.from(toBytes(exp, byteLength(exp)));
      try {
        dh.setPrivateKey(secret);
        return fromBytes(dh.computeSecret(Buffer.from(toBytes(b, byteLength(m)))));
      } catch {
        return pureBackend.modPowSecret(base, exp, m);
      } finally {
        secret.fill(0);
        dh.setPrivateKey(ONE); // do not leave the exponent in the cached OpenSSL object
      }
    },
  };
}
