/**
 * Locally held OpenPGP keys for tests of the pure subkey/window code: Ed25519 (noble) and
 * RSA (node:crypto, PKCS#1 v1.5 over a precomputed digest), each as the KeySigner callback
 * the cluster's threshold signers also provide.
 */
import { constants, generateKeyPairSync, privateEncrypt, type KeyObject } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { publicKeyPacketBody, rsaPublicKeyPacketBody, type HashAlgorithm, type KeySigner } from '@qsign/openpgp';

/** A fresh Ed25519 key created at `created`. */
export function localEd25519(created: number): KeySigner {
  const sk = ed25519.utils.randomSecretKey();
  return { publicKeyBody: publicKeyPacketBody(ed25519.getPublicKey(sk), created), sign: async (d) => ed25519.sign(d, sk) };
}

/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO: Record<string, string> = {
  sha256: '3031300d060960864801650304020105000420',
  sha512: '3051300d060960864801650304020305000440',
};

const big = (b64url: string) => BigInt('0x' + Buffer.from(b64url, 'base64url').toString('hex'));

/** A fresh 2048-bit RSA key created at `created`. */
export function localRsa(created: number): KeySigner {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = (privateKey as KeyObject).export({ format: 'jwk' });
  return {
    publicKeyBody: rsaPublicKeyPacketBody(big(jwk.n!), big(jwk.e!), created),
    sign: async (digest: Uint8Array, hash: HashAlgorithm) =>
      new Uint8Array(privateEncrypt({ key: privateKey, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[hash]!, 'hex'), digest]))),
  };
}
