/**
 * Node-side import of ceremony share files: encrypted (v2, opened with the
 * node's enrollment key) or plain (v1, development). Every share is checked
 * against its VSS commitments (RFC 9591 App. C.2 vss_verify) and the public
 * package before anything is stored; many keys go in a few durable batches.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import { QsignError, decodeShareFile, type ShareFile } from '@qsign/protocol';
import { keyImportedEntry } from '@qsign/audit';
import { decryptShareFile, isEncryptedShareFile, type NodeStore, type StoredKey } from '@qsign/storage';
import type { NodeConfig } from './config.js';
import { enrollmentSecret } from './seal.js';
import { checkRsaShareFile, storedRsaKey } from './import-rsa.js';

/** Keys per durable batch in a bulk import. */
export const IMPORT_BATCH = 500;

/**
 * Checks a share against its public package: threshold, group key = first
 * commitment, vss_verify, and every verifying share derived from the
 * commitments. Throws INVALID_ARGUMENT saying what is wrong.
 */
export function checkShareFile(f: ShareFile, source = 'share file'): void {
  if (f.scheme === 'rsa-shoup') return checkRsaShareFile(f, source);
  const bad = (why: string): never => {
    throw new QsignError('INVALID_ARGUMENT', `${source}: key ${f.keyName}: ${why}`);
  };
  if (f.vssCommitment.length !== f.minSigners) bad(`VSS commitment has ${f.vssCommitment.length} points, threshold is ${f.minSigners}`);
  if (f.verifyingShares.size !== f.maxSigners) bad(`public package lists ${f.verifyingShares.size} verifying shares, expected ${f.maxSigners}`);
  if (bytesToHex(f.vssCommitment[0]!) !== bytesToHex(f.groupPublicKey)) bad('group public key is not the first VSS commitment (tampered public package)');
  let ok = false;
  try {
    ok = frost.vssVerify({ identifier: f.identifier, share: f.share }, f.vssCommitment);
  } catch {
    ok = false;
  }
  if (!ok) bad(`share of identifier ${f.identifier} does not match the VSS commitments (tampered share or public package)`);
  for (const [id, vs] of f.verifyingShares)
    if (bytesToHex(frost.verifyingShareFromCommitment(id, f.vssCommitment)) !== bytesToHex(vs)) bad(`verifying share of ${id} does not match the VSS commitments (tampered public package)`);
}

/** The stored form of a key share and its public package (from a ceremony, a DKG or a reshare). */
export function storedKey(
  name: string,
  share: frost.SecretSigningShare,
  pkp: Pick<frost.PublicKeyPackage, 'minSigners' | 'maxSigners' | 'groupPublicKey' | 'verifyingShares' | 'vssCommitment'>,
  meta: { createdUnixSeconds: number; userId: string; fingerprint?: string; certificate?: string },
): StoredKey {
  return {
    name,
    identifier: share.identifier,
    share: share.share,
    minSigners: pkp.minSigners,
    maxSigners: pkp.maxSigners,
    groupPublicKey: pkp.groupPublicKey,
    verifyingShares: Object.fromEntries([...pkp.verifyingShares].map(([k, v]) => [k, bytesToHex(v)])),
    vssCommitment: pkp.vssCommitment.map(bytesToHex),
    ...meta,
  };
}

/** The stored form of a checked share file. */
export function storedKeyFromShare(f: ShareFile): StoredKey {
  if (f.scheme === 'rsa-shoup') return storedRsaKey(f);
  return storedKey(f.keyName, { identifier: f.identifier, share: f.share }, f, { createdUnixSeconds: f.createdUnixSeconds, userId: f.userId });
}

/** Opens share file texts (decrypting v2 files) and checks each share; nothing is stored. */
export async function openShareTexts(texts: string[], config: NodeConfig, store: NodeStore): Promise<ShareFile[]> {
  const out: ShareFile[] = [];
  let secret: Uint8Array | undefined;
  try {
    for (const [i, text] of texts.entries()) {
      const source = `share file ${i + 1}`;
      let files: ShareFile[];
      if (isEncryptedShareFile(text)) {
        secret ??= await enrollmentSecret(store);
        files = decryptShareFile(text, secret, source);
      } else files = [decodeShareFile(text, source)];
      for (const f of files) {
        if (f.identifier !== config.nodeId) throw new QsignError('INVALID_ARGUMENT', `${source}: share of key ${f.keyName} is for node ${f.identifier}, this is node ${config.nodeId}`);
        checkShareFile(f, source);
      }
      out.push(...files);
    }
    return out;
  } catch (e) {
    for (const f of out) f.share.fill(0);
    throw e;
  } finally {
    secret?.fill(0);
  }
}

/**
 * Stores checked share files (from {@link openShareTexts}, or built in
 * process and checked here): each is for this node and passes
 * {@link checkShareFile}, no key appears twice, else nothing is written; then
 * one 'key-imported' audit record per key, IMPORT_BATCH keys per durable batch.
 */
export async function storeShareFiles(files: ShareFile[], config: NodeConfig, store: NodeStore, onProgress?: (done: number, total: number) => void): Promise<string[]> {
  const names = new Set<string>();
  for (const f of files) {
    if (f.identifier !== config.nodeId) throw new QsignError('INVALID_ARGUMENT', `share of key ${f.keyName} is for node ${f.identifier}, this is node ${config.nodeId}`);
    checkShareFile(f);
    if (names.has(f.keyName)) throw new QsignError('INVALID_ARGUMENT', `key ${f.keyName} appears twice in the import`);
    names.add(f.keyName);
  }
  for (let i = 0; i < files.length; i += IMPORT_BATCH) {
    const chunk = files.slice(i, i + IMPORT_BATCH);
    await store.putKeys(
      chunk.map((f) => ({
        key: storedKeyFromShare(f),
        record: keyImportedEntry({ keyName: f.keyName, groupPublicKey: bytesToHex(f.groupPublicKey), identifier: f.identifier, threshold: `${f.minSigners}-of-${f.maxSigners}` }),
      })),
    );
    onProgress?.(Math.min(i + IMPORT_BATCH, files.length), files.length);
  }
  return files.map((f) => `${f.keyName} (identifier ${f.identifier})`);
}

/**
 * Imports share file texts: all are opened and checked first (nothing is
 * written if any is bad), then stored by {@link storeShareFiles}.
 */
export async function importShareTexts(texts: string[], config: NodeConfig, store: NodeStore, onProgress?: (done: number, total: number) => void): Promise<string[]> {
  const files = await openShareTexts(texts, config, store);
  try {
    return await storeShareFiles(files, config, store, onProgress);
  } finally {
    for (const f of files) f.share.fill(0);
  }
}
