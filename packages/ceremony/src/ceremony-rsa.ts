/**
 * Threshold RSA dealing for ceremonies (Shoup, EUROCRYPT 2000, protocol 1, trusted dealer):
 * an imported RSA key (`gpg --export-secret-keys`, kept with its fingerprint, user IDs,
 * expiry and self-signatures) or a new safe-prime key is split k-of-l into share files.
 * The whole key exists only in this process, on the ceremony host, and its primes are
 * dropped as soon as the shares are dealt.
 */
import { readFileSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { OpenPgpError, buildRsaCertificate, parseRsaSecretKey, rsaPublicKeyPacketBody, fingerprint as v4Fingerprint, type SecretRsaKeyMaterial } from '@qsign/openpgp';
import { DIGEST_INFO_PREFIX, MODULUS_BITS, bitLength, dealShares, generateSafePrimeKey, toBytes, type SecretRsaKey } from '@qsign/threshold-rsa';
import { nodeSafePrime } from '@qsign/threshold-rsa-native';
import { QsignError, errorMessage, rsaShareFiles, type ShareFile } from '@qsign/protocol';
import { constants, createPrivateKey, privateEncrypt } from 'node:crypto';

/** An RSA key ready to deal, with its OpenPGP identity. */
export interface RsaDealerKey {
  key: SecretRsaKey;
  userId: string;
  createdUnixSeconds: number;
  /** The transferable public key (binary) with the original self-signatures. */
  certificate: Uint8Array;
  fingerprint: string;
}

/** Reads an RSA secret key exported by gpg, or undefined if the file holds a key of another algorithm. */
export function readGpgRsaKey(file: string): RsaDealerKey | undefined {
  let bytes: Uint8Array;
  try {
    bytes = new Uint8Array(readFileSync(file));
  } catch (e) {
    throw new QsignError('INVALID_ARGUMENT', `cannot read ${file}: ${errorMessage(e)}`);
  }
  let k: SecretRsaKeyMaterial;
  try {
    k = parseRsaSecretKey(bytes);
  } catch (e) {
    if (e instanceof OpenPgpError && e.code === 'UNSUPPORTED_ALGORITHM') return undefined;
    throw new QsignError('INVALID_ARGUMENT', `${file}: not an importable OpenPGP RSA secret key: ${errorMessage(e)}`);
  } finally {
    bytes.fill(0);
  }
  const bits = bitLength(k.n);
  if (!MODULUS_BITS.includes(bits)) throw new QsignError('INVALID_ARGUMENT', `${file}: an RSA-${bits} key cannot be dealt: threshold RSA supports RSA-2048, 3072 and 4096 only (WRONG_MODULUS_SIZE)`);
  if (k.userIds.length === 0) throw new QsignError('INVALID_ARGUMENT', `${file}: the secret key has no user id`);
  return { key: { n: k.n, e: k.e, p: k.p, q: k.q }, userId: k.userIds[0]!, createdUnixSeconds: k.createdUnixSeconds, certificate: k.certificate, fingerprint: bytesToHex(k.fingerprint) };
}

/** A new safe-prime RSA key (OpenSSL's safe primes), self-certified with `userId` before it is dealt. */
export async function generateRsaKey(bits: number, userId: string, createdUnixSeconds: number): Promise<RsaDealerKey> {
  const key = generateSafePrimeKey({ bits, safePrime: nodeSafePrime });
  const b64 = (x: bigint) => Buffer.from(toBytes(x, Math.ceil(x.toString(16).length / 2))).toString('base64url');
  const phi = (key.p - 1n) * (key.q - 1n);
  const inv = (a: bigint, m: bigint): bigint => {
    let [r0, r1, s0, s1] = [a % m, m, 1n, 0n];
    while (r1 !== 0n) [r0, r1, s0, s1] = [r1, r0 % r1, s1, s0 - (r0 / r1) * s1];
    return ((s0 % m) + m) % m;
  };
  const d = inv(key.e, phi);
  const priv = createPrivateKey({ key: { kty: 'RSA', n: b64(key.n), e: b64(key.e), d: b64(d), p: b64(key.p), q: b64(key.q), dp: b64(d % (key.p - 1n)), dq: b64(d % (key.q - 1n)), qi: b64(inv(key.q, key.p)) }, format: 'jwk' });
  // PKCS#1 v1.5 over a precomputed digest: OpenSSL's private-key operation on DigestInfo ‖ H (RFC 8017 §9.2).
  const certificate = await buildRsaCertificate({
    n: key.n,
    e: key.e,
    createdUnixSeconds,
    userId,
    sign: async (hash, digest) => new Uint8Array(privateEncrypt({ key: priv, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([DIGEST_INFO_PREFIX[hash], digest]))),
  });
  return { key, userId, createdUnixSeconds, certificate, fingerprint: bytesToHex(v4Fingerprint(rsaPublicKeyPacketBody(key.n, key.e, createdUnixSeconds))) };
}

/** Deals `key` k-of-l into one share file per identifier (proofs when its primes are safe). */
export function splitRsaKey(keyName: string, threshold: number, shares: number, k: RsaDealerKey): ShareFile[] {
  return rsaShareFiles(dealShares(k.key, { parties: shares, threshold }), { keyName, userId: k.userId, createdUnixSeconds: k.createdUnixSeconds, certificate: k.certificate });
}
