/**
 * NodeStore key lifecycle: the maintained key counter (start-up does not
 * scan keys), bulk import in one durable batch with one audit record per
 * key, sealed stores that refuse until the right master key is given, and
 * share-file envelopes bound to their recipient and header.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Level } from 'level';
import { isQsignError, type ShareFile } from '@qsign/protocol';
import * as frost from '@qsign/frost';
import { NodeStore, Sealer, decryptShareFile as decryptShareFiles, encryptShareFiles, newEnrollmentKey, type StoredKey } from '../index.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'qsign-store-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const key = (name: string): StoredKey => ({
  name,
  identifier: 1,
  share: new Uint8Array(randomBytes(32)),
  minSigners: 2,
  maxSigners: 3,
  groupPublicKey: new Uint8Array(32).fill(7),
  verifyingShares: {},
  vssCommitment: [],
  createdUnixSeconds: 1,
  userId: name,
});

describe('NodeStore key counter and bulk import', () => {
  it('maintains the key count across bulk imports, deletes and reopen, without scanning keys', async () => {
    const dir = tmp();
    const sealer = new Sealer(new Uint8Array(32).fill(1));
    let s = await NodeStore.open(dir, sealer);
    await s.putKeys(Array.from({ length: 1200 }, (_, i) => ({ key: key(`k${i}`), record: { event: 'key-imported', keyName: `k${i}` } })));
    await s.putKey(key('single'), { event: 'key-imported' });
    await s.deleteKey('k5', { event: 'reshared' });
    expect(await s.countKeys()).toBe(1200);
    expect(s.audit.size).toBe(1202);
    await expect(s.putKeys([{ key: key('k7'), record: { event: 'x' } }])).rejects.toSatisfy((e) => isQsignError(e, 'KEY_EXISTS'));
    await s.close();
    // Plant a key slot behind the store's back: a reopened store still reports its maintained
    // counter, which shows start-up reads the counter instead of iterating the keys.
    const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.put('k!planted', new Uint8Array(1));
    await db.close();
    s = await NodeStore.open(dir, sealer);
    expect(s.keyCount).toBe(1200);
    expect((await s.getKey('k1199'))!.name).toBe('k1199');
    await s.close();
  });
});

describe('sealed NodeStore', () => {
  it('refuses sealed values until unsealed with the right master key; a wrong key is a clear SEALED error', async () => {
    const dir = tmp();
    const master = new Uint8Array(randomBytes(32));
    let s = await NodeStore.open(dir, new Sealer(master));
    await s.putKey(key('a'), { event: 'key-imported' });
    await s.close();
    s = await NodeStore.open(dir);
    expect(s.sealed).toBe(true);
    expect(s.keyCount).toBe(1);
    await expect(s.getKey('a')).rejects.toSatisfy((e) => isQsignError(e, 'SEALED'));
    await expect(s.unseal(new Sealer(new Uint8Array(32).fill(9)))).rejects.toThrow(/do not reconstruct this node's master key/);
    expect(s.sealed).toBe(true);
    await s.unseal(new Sealer(master));
    expect((await s.getKey('a'))!.name).toBe('a');
    await s.close();
    await expect(NodeStore.open(dir, new Sealer(new Uint8Array(32).fill(3)))).rejects.toSatisfy((e) => isQsignError(e, 'SEALED'));
  });
});

describe('encrypted share files', () => {
  const share = (): ShareFile => {
    const { shares, publicKeyPackage: p } = frost.trustedDealerKeygen(2, 3);
    return { keyName: 'k', identifier: 1, share: shares[0]!.share, minSigners: 2, maxSigners: 3, groupPublicKey: p.groupPublicKey, verifyingShares: p.verifyingShares, vssCommitment: p.vssCommitment, createdUnixSeconds: 1, userId: 'u' };
  };
  it('open only with the recipient key and an unaltered header', () => {
    const me = newEnrollmentKey();
    const other = newEnrollmentKey();
    const f = share();
    const text = encryptShareFiles([f], me.publicKey);
    expect(text).not.toContain(Buffer.from(f.share).toString('hex'));
    expect(Buffer.from(decryptShareFiles(text, me.secretKey)[0]!.share).equals(Buffer.from(f.share))).toBe(true);
    expect(() => decryptShareFiles(text, other.secretKey)).toThrow(/wrong node or wrong enrollment key/);
    const renamed = text.replace('"keyName":"k"', '"keyName":"z"');
    expect(() => decryptShareFiles(renamed, me.secretKey)).toThrow(/does not decrypt/);
    expect(() => decryptShareFiles(text.slice(0, 100), me.secretKey)).toThrow(/truncated/);
  });
});
