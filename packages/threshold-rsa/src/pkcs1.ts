/** EMSA-PKCS1-v1_5 encoding with SHA-256 and SHA-512 DigestInfo (RFC 8017 §9.2). */
import { check, ThresholdRsaError } from './errors.js';

/** The hash functions this package signs with. */
export type RsaHash = 'sha256' | 'sha512';

/** DER DigestInfo prefixes (RFC 8017 §9.2, note 1). */
export const DIGEST_INFO_PREFIX: Readonly<Record<RsaHash, Uint8Array>> = {
  sha256: Uint8Array.from([0x30, 0x31, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x01, 0x05, 0x00, 0x04, 0x20]),
  sha512: Uint8Array.from([0x30, 0x51, 0x30, 0x0d, 0x06, 0x09, 0x60, 0x86, 0x48, 0x01, 0x65, 0x03, 0x04, 0x02, 0x03, 0x05, 0x00, 0x04, 0x40]),
};

const DIGEST_LENGTH: Readonly<Record<RsaHash, number>> = { sha256: 32, sha512: 64 };

/** Refuses anything but a SHA-256/SHA-512 name and a digest of the right length. */
export function expectDigest(hash: RsaHash, digest: Uint8Array): void {
  if (hash !== 'sha256' && hash !== 'sha512') throw new ThresholdRsaError('INVALID_DIGEST', `hash ${String(hash)} is not sha256 or sha512`);
  check(digest instanceof Uint8Array, 'INVALID_DIGEST', 'digest must be a Uint8Array');
  check(digest.length === DIGEST_LENGTH[hash], 'INVALID_DIGEST', `a ${hash} digest is ${DIGEST_LENGTH[hash]} bytes, got ${digest.length}`);
}

/**
 * EMSA-PKCS1-v1_5-ENCODE (RFC 8017 §9.2) of a precomputed digest:
 * EM = 0x00 || 0x01 || PS (0xff…, ≥ 8 octets) || 0x00 || DigestInfo || H, of length `emLen`.
 *
 * @example emsaPkcs1v15Encode('sha256', sha256(data), 256) // the 2048-bit representative
 */
export function emsaPkcs1v15Encode(hash: RsaHash, digest: Uint8Array, emLen: number): Uint8Array {
  expectDigest(hash, digest);
  const prefix = DIGEST_INFO_PREFIX[hash];
  const tLen = prefix.length + digest.length;
  check(Number.isInteger(emLen) && emLen >= tLen + 11, 'INVALID_PARAMETERS', 'intended encoded message length too short');
  const em = new Uint8Array(emLen).fill(0xff);
  em[0] = 0x00;
  em[1] = 0x01;
  em[emLen - tLen - 1] = 0x00;
  em.set(prefix, emLen - tLen);
  em.set(digest, emLen - digest.length);
  return em;
}

/**
 * Reads an encoded message back: the hash and digest of a well-formed EMSA-PKCS1-v1_5
 * encoding (RFC 8017 §9.2). A node calls this before exponentiating a representative it is
 * given, so it never acts as a raw RSA oracle.
 *
 * @throws ThresholdRsaError NOT_PKCS1 for anything else.
 */
export function parseEmsaPkcs1v15(em: Uint8Array): { hash: RsaHash; digest: Uint8Array } {
  check(em instanceof Uint8Array, 'NOT_PKCS1', 'encoded message must be a Uint8Array');
  for (const hash of ['sha256', 'sha512'] as const) {
    const want = DIGEST_LENGTH[hash];
    if (em.length < DIGEST_INFO_PREFIX[hash].length + want + 11) continue;
    const digest = em.slice(em.length - want);
    const expected = emsaPkcs1v15Encode(hash, digest, em.length);
    let diff = 0;
    for (let i = 0; i < em.length; i++) diff |= em[i]! ^ expected[i]!;
    if (diff === 0) return { hash, digest };
  }
  throw new ThresholdRsaError('NOT_PKCS1', 'not an EMSA-PKCS1-v1_5 encoding with a SHA-256 or SHA-512 DigestInfo');
}
