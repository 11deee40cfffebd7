/**
 * Key ceremonies: a trusted-dealer split (RFC 9591 App. C) into one share
 * file per node, written all-or-nothing.
 */
import { mkdirSync, renameSync, writeFileSync, existsSync, readdirSync, rmSync } from 'node:fs';
import { join, dirname, basename } from 'node:path';
import * as frost from '@qsign/frost';
import { QsignError, encodeShareFile, isValidKeyName, type ShareFile } from '@qsign/protocol';

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

/**
 * Writes split output to `outDir` atomically: everything goes to a temporary
 * sibling directory first, which is renamed into place only when complete.
 */
export function writeSplit(outDir: string, files: ShareFile[], publicKeyPackage: frost.PublicKeyPackage): string[] {
  if (existsSync(outDir) && readdirSync(outDir).length > 0)
    throw new QsignError('INVALID_ARGUMENT', `output directory ${outDir} is not empty; refusing to overwrite a ceremony`);
  const tmp = join(dirname(outDir), `.${basename(outDir)}.partial-${process.pid}`);
  rmSync(tmp, { recursive: true, force: true });
  mkdirSync(tmp, { recursive: true, mode: 0o700 });
  const names: string[] = [];
  try {
    for (const f of files) {
      const name = `node-${f.identifier}.share.json`;
      writeFileSync(join(tmp, name), encodeShareFile(f) + '\n', { mode: 0o600 });
      names.push(name);
    }
    writeFileSync(join(tmp, 'public-key.json'), JSON.stringify({ keyName: files[0]!.keyName, userId: files[0]!.userId, ...frost.encodePublicKeyPackage(publicKeyPackage) }, null, 2) + '\n');
    names.push('public-key.json');
    if (existsSync(outDir)) rmSync(outDir, { recursive: true });
    mkdirSync(dirname(outDir), { recursive: true });
    renameSync(tmp, outDir);
  } catch (e) {
    rmSync(tmp, { recursive: true, force: true });
    throw e;
  }
  return names.map((n) => join(outDir, n));
}

/** The default user ID of a dev key: "NAME <EMAIL>" for email-shaped key names (obs-sign / Copr style), else a demo address. */
export function defaultUserId(keyName: string): string {
  return keyName.includes('@') ? `${keyName.slice(0, keyName.lastIndexOf('@'))} <${keyName}>` : `qsign demo <${keyName}@qsign.invalid>`;
}
