/**
 * Key ceremonies: a trusted-dealer split (RFC 9591 App. C) into one share
 * file per node, written all-or-nothing.
 */
import * as frost from '@qsign/frost';
import { QsignError, encodeShareFile, isValidKeyName, type ShareFile } from '@qsign/protocol';
import { writeDirAtomic, type DirContents } from './atomic-dir.js';

/** Parameters of a split. */
export interface SplitParams {
  keyName: string;
  threshold: number;
  shares: number;
  userId: string;
  createdUnixSeconds?: number;
  /** Optional 32-byte group secret scalar (import); random if absent. */
  secretScalar?: Uint8Array;
}

/** Checks split parameters; errors say what to change. */
export function validateSplitParams(p: SplitParams): void {
  if (!isValidKeyName(p.keyName)) throw new QsignError('INVALID_ARGUMENT', `key name ${JSON.stringify(p.keyName)} is not valid (letters, digits, . _ @ + -)`);
  if (!Number.isInteger(p.shares) || p.shares < 2 || p.shares > 255) throw new QsignError('INVALID_ARGUMENT', `--shares must be an integer from 2 to 255, got ${p.shares}`);
  if (!Number.isInteger(p.threshold) || p.threshold < 2) throw new QsignError('INVALID_ARGUMENT', `--threshold must be at least 2 (a 1-of-M key is a copied key), got ${p.threshold}`);
  if (p.threshold > p.shares) throw new QsignError('INVALID_ARGUMENT', `--threshold ${p.threshold} is greater than --shares ${p.shares}`);
}

/** Splits a (new or given) key into share files, one per identifier 1..M. */
export function splitKey(p: SplitParams): { files: ShareFile[]; publicKeyPackage: frost.PublicKeyPackage } {
  validateSplitParams(p);
  const { shares, publicKeyPackage } = frost.trustedDealerKeygen(p.threshold, p.shares, p.secretScalar);
  const created = p.createdUnixSeconds ?? Math.floor(Date.now() / 1000);
  const files = shares.map((s) => ({
    keyName: p.keyName,
    identifier: s.identifier,
    share: s.share,
    minSigners: publicKeyPackage.minSigners,
    maxSigners: publicKeyPackage.maxSigners,
    groupPublicKey: publicKeyPackage.groupPublicKey,
    verifyingShares: publicKeyPackage.verifyingShares,
    vssCommitment: publicKeyPackage.vssCommitment,
    createdUnixSeconds: created,
    userId: p.userId,
  }));
  return { files, publicKeyPackage };
}

/** Wipes the secret shares of split output from memory. */
export function wipeShares(files: ShareFile[]): void {
  for (const f of files) f.share.fill(0);
}

/** Writes split output to `outDir` all-or-nothing ({@link writeDirAtomic}): one share file per node and public-key.json. */
export function writeSplit(outDir: string, files: ShareFile[], publicKeyPackage: frost.PublicKeyPackage): string[] {
  const out: DirContents = {};
  for (const f of files) out[`node-${f.identifier}.share.json`] = encodeShareFile(f) + '\n';
  out['public-key.json'] = JSON.stringify({ keyName: files[0]!.keyName, userId: files[0]!.userId, ...frost.encodePublicKeyPackage(publicKeyPackage) }, null, 2) + '\n';
  return writeDirAtomic(outDir, out);
}

/** The default user ID of a dev key: "NAME <EMAIL>" for email-shaped key names (obs-sign / Copr style), else a demo address. */
export function defaultUserId(keyName: string): string {
  return keyName.includes('@') ? `${keyName.slice(0, keyName.lastIndexOf('@'))} <${keyName}>` : `qsign demo <${keyName}@qsign.invalid>`;
}
