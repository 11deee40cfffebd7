/**
 * Share files of a dealt threshold RSA key (Shoup, EUROCRYPT 2000, protocol 1): one per
 * identifier, as the offline ceremony writes them and a dealer node seals them to its peers.
 * Pure.
 */
import { byteLength, toBytes, type Dealt } from '@qsign/threshold-rsa';
import { rsaSchemeKey } from './scheme-rsa-key.js';
import type { ShareFile } from './share-file.js';

/** The key's identity in its share files. */
export interface RsaShareMeta {
  keyName: string;
  userId: string;
  createdUnixSeconds: number;
  /** The transferable public key, when one exists already (imported keys); new keys are certified by the cluster. */
  certificate?: Uint8Array;
}

/**
 * One share file per dealt share (identifier = Shoup index), and zeroes the dealt share
 * values (a BigInt cannot be wiped; this drops the dealer's references).
 */
export function rsaShareFiles(dealt: Dealt, meta: RsaShareMeta): ShareFile[] {
  const sk = rsaSchemeKey(dealt.publicKey);
  const len = byteLength(dealt.publicKey.n);
  const files = dealt.shares.map((s) => ({
    keyName: meta.keyName,
    identifier: s.index,
    share: toBytes(s.secret, len),
    minSigners: dealt.publicKey.threshold,
    maxSigners: dealt.publicKey.parties,
    groupPublicKey: sk.groupPublicKey,
    verifyingShares: new Map(sk.verifyingShares),
    vssCommitment: [],
    createdUnixSeconds: meta.createdUnixSeconds,
    userId: meta.userId,
    scheme: 'rsa-shoup' as const,
    ...(sk.verificationBase && { verificationBase: sk.verificationBase }),
    ...(meta.certificate && { certificate: meta.certificate }),
  }));
  for (const s of dealt.shares) s.secret = 0n;
  return files;
}
