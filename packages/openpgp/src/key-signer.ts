/**
 * One signer interface for Ed25519 (EdDSALegacy, 22) and RSA (1) keys, so subkey bindings,
 * back-signatures and revocations are made the same way whichever algorithm (and whichever
 * cluster or ceremony) holds the key. RFC 9580 §5.2.3.
 */
import { ed25519 } from '@noble/curves/ed25519.js';
import { fromBytes, verifySignature } from '@qsign/threshold-rsa';
import { expectBytes, Reader, toHex } from './bytes.js';
import { check, OpenPgpError } from './errors.js';
import type { HashAlgorithm } from './hash.js';
import { EDDSA_LEGACY, fingerprint, readEd25519PublicFields } from './key.js';
import { readRsaPublicFields, RSA_ALGORITHM } from './rsa-key.js';
import { finishRsaSignature, rsaHashOf } from './rsa-signature.js';
import { finishSignature, type PreparedSignature } from './signature.js';

/**
 * A key that can sign: its v4 public-key packet body and a callback returning the raw
 * signature of a digest (64 bytes for Ed25519; the k-octet PKCS#1 v1.5 value for RSA).
 * The callback is the cluster's threshold signer, or a ceremony dealer in tests.
 */
export interface KeySigner {
  /** v4 public-key packet body (RFC 9580 §5.5.2), Ed25519 or RSA. */
  publicKeyBody: Uint8Array;
  /** Signs `digest`, computed with `hash` (RSA needs the hash for the DigestInfo). */
  sign: (digest: Uint8Array, hash: HashAlgorithm) => Promise<Uint8Array>;
}

/** The public-key algorithm of a v4 key packet body: 22 or 1; UNSUPPORTED_ALGORITHM otherwise. */
export function keyAlgorithm(publicKeyBody: Uint8Array): typeof EDDSA_LEGACY | typeof RSA_ALGORITHM {
  expectBytes(publicKeyBody, undefined, 'publicKeyBody');
  check(publicKeyBody.length > 6 && publicKeyBody[0] === 4, 'UNSUPPORTED_VERSION', 'only v4 key packets are supported');
  const alg = publicKeyBody[5]!;
  check(alg === EDDSA_LEGACY || alg === RSA_ALGORITHM, 'UNSUPPORTED_ALGORITHM', `public-key algorithm ${alg}; only EdDSALegacy (22) and RSA (1) sign here`);
  return alg;
}

/** Checks a raw signature of `digest` under the key whose packet body is `publicKeyBody`. */
export function verifyRawSignature(publicKeyBody: Uint8Array, hash: HashAlgorithm, digest: Uint8Array, signature: Uint8Array): boolean {
  try {
    if (keyAlgorithm(publicKeyBody) === EDDSA_LEGACY) {
      const pub = readEd25519PublicFields(new Reader(publicKeyBody, 'key packet'));
      return signature.length === 64 && ed25519.verify(signature, digest, pub.publicKey32, { zip215: false });
    }
    const { n, e } = readRsaPublicFields(new Reader(publicKeyBody, 'key packet'));
    const k = Math.ceil(n.toString(2).length / 8);
    return signature.length === k && fromBytes(signature) < n && verifySignature({ n, e }, rsaHashOf(hash), digest, signature);
  } catch {
    return false;
  }
}

/**
 * Asks `key` to sign `prepared.digest`, checks the result against the key, and assembles
 * the v4 signature packet (RFC 9580 §5.2.3) for the key's algorithm.
 *
 * @throws OpenPgpError SIGNER_FAILED if the callback rejects, BAD_SIGNATURE if its result does not verify.
 */
export async function signPrepared(key: KeySigner, prepared: PreparedSignature): Promise<Uint8Array> {
  check(typeof key === 'object' && key !== null && typeof key.sign === 'function', 'INVALID_ARGUMENT', 'key must be a KeySigner');
  const alg = keyAlgorithm(key.publicKeyBody);
  let sig: Uint8Array;
  try {
    sig = await key.sign(prepared.digest.slice(), prepared.hashAlgorithm);
  } catch (e) {
    throw new OpenPgpError('SIGNER_FAILED', 'the signer callback failed', { cause: e });
  }
  check(sig instanceof Uint8Array, 'BAD_SIGNATURE', 'the signer must return a Uint8Array');
  check(verifyRawSignature(key.publicKeyBody, prepared.hashAlgorithm, prepared.digest, sig), 'BAD_SIGNATURE', `the signature from the signer does not verify under key ${toHex(fingerprint(key.publicKeyBody))}`);
  return alg === EDDSA_LEGACY ? finishSignature(prepared, sig) : finishRsaSignature(prepared, sig);
}

