/**
 * Node-side checks of a threshold RSA share file (Shoup, EUROCRYPT 2000, protocol 1) before
 * it is stored: the public key is valid (modulus 2048/3072/4096 bits, exponent coprime to
 * l!), the share is below n, and for safe-prime keys v^(s_i) = v_i, so a corrupted share or
 * verification key is refused at import rather than blamed at every signature.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { fromBytes, modPowSecret, toBytes, byteLength } from '@qsign/threshold-rsa';
import { QsignError, errorMessage, keyFingerprint, parseRsaGroupPublicKey, rsaPublicKeyOf, type ShareFile } from '@qsign/protocol';
import type { StoredKey } from '@qsign/storage';

/** Checks an RSA share file; throws INVALID_ARGUMENT saying what is wrong. */
export function checkRsaShareFile(f: ShareFile, source = 'share file'): void {
  const bad = (why: string): never => {
    throw new QsignError('INVALID_ARGUMENT', `${source}: key ${f.keyName}: ${why}`);
  };
  let pub;
  try {
    pub = rsaPublicKeyOf({ groupPublicKey: f.groupPublicKey, minSigners: f.minSigners, maxSigners: f.maxSigners, verifyingShares: f.verifyingShares, verificationBase: f.verificationBase });
  } catch (e) {
    return bad(`invalid threshold RSA public key: ${errorMessage(e)}`);
  }
  if (f.identifier > pub.parties) bad(`identifier ${f.identifier} is not in 1..${pub.parties}`);
  const s = fromBytes(f.share);
  if (s >= pub.n) bad('share exponent is not below n (oversized exponent)');
  if (pub.verification) {
    const vi = modPowSecret(pub.verification.v, s, pub.n);
    if (vi !== pub.verification.verificationKeys[f.identifier - 1]) bad(`share of identifier ${f.identifier} does not match its verification key (tampered share or public package)`);
  }
}

/** The stored form of a checked RSA share file. */
export function storedRsaKey(f: ShareFile): StoredKey {
  const k = byteLength(parseRsaGroupPublicKey(f.groupPublicKey).n);
  return {
    name: f.keyName,
    identifier: f.identifier,
    share: f.share,
    minSigners: f.minSigners,
    maxSigners: f.maxSigners,
    groupPublicKey: f.groupPublicKey,
    verifyingShares: Object.fromEntries([...f.verifyingShares].map(([id, v]) => [id, bytesToHex(toBytes(fromBytes(v), k))])),
    vssCommitment: [],
    createdUnixSeconds: f.createdUnixSeconds,
    userId: f.userId,
    scheme: 'rsa-shoup',
    fingerprint: bytesToHex(keyFingerprint({ groupPublicKey: f.groupPublicKey, createdUnixSeconds: f.createdUnixSeconds, userId: f.userId, scheme: 'rsa-shoup' })),
    ...(f.verificationBase && { verificationBase: bytesToHex(f.verificationBase) }),
    ...(f.certificate && { certificate: bytesToHex(f.certificate) }),
  };
}
