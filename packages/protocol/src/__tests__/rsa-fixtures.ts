/** An RSA-2048 key held whole by node:crypto, as a threshold RSA key context and a PKCS#1 v1.5 signer (test fixture). */
import { generateKeyPairSync, privateEncrypt, constants, type KeyObject } from 'node:crypto';
import { rsaGroupPublicKey } from '../scheme-rsa-key.js';
import type { KeyContext } from '../message.js';

/** The fixture keys' creation time. */
export const T = 1_700_000_000;
/** The fixture keys' user ID. */
export const UID = 'Copr RSA <rsa@copr.invalid>';
/** DER DigestInfo prefixes (RFC 8017 §9.2 note 1). */
const DIGEST_INFO = { sha256: '3031300d060960864801650304020105000420', sha512: '3051300d060960864801650304020305000440' };

/** A new key: its context (scheme rsa-shoup, created at {@link T}, user ID {@link UID}), signer and (n, e). */
export function rsaKey(): { key: KeyContext; sign: (hash: 'sha256' | 'sha512', digest: Uint8Array) => Promise<Uint8Array>; n: bigint; e: bigint } {
  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const jwk = privateKey.export({ format: 'jwk' });
  const big = (s: string) => BigInt(`0x${Buffer.from(s, 'base64url').toString('hex')}`);
  const n = big(jwk.n!);
  const e = big(jwk.e!);
  const sign = async (hash: 'sha256' | 'sha512', digest: Uint8Array) =>
    new Uint8Array(privateEncrypt({ key: privateKey as KeyObject, padding: constants.RSA_PKCS1_PADDING }, Buffer.concat([Buffer.from(DIGEST_INFO[hash], 'hex'), digest])));
  return { key: { groupPublicKey: rsaGroupPublicKey(n, e), createdUnixSeconds: T, userId: UID, scheme: 'rsa-shoup' }, sign, n, e };
}
