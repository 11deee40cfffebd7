/**
 * Nonces handed out and never used (their coordinator died) do not pile up:
 * after their time they are deleted, with an audit record, and can never be
 * signed with.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { NodeStore, Sealer, type StoredNonce } from '../index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const open = async () => {
  const d = mkdtempSync(join(tmpdir(), 'qsign-nonce-'));
  dirs.push(d);
  return NodeStore.open(d, new Sealer(new Uint8Array(randomBytes(32))));
};
const nonce = (): StoredNonce => ({
  hiding: new Uint8Array(randomBytes(32)),
  binding: new Uint8Array(randomBytes(32)),
  hidingCommitment: new Uint8Array(randomBytes(32)),
  bindingCommitment: new Uint8Array(randomBytes(32)),
  coordinator: 'test-coordinator',
});

describe('nonce expiry', () => {
  it('deletes unused nonces handed out before the cut-off, records it, and keeps newer and used ones apart', async () => {
    const store = await open();
    try {
      const old = [nonce(), nonce(), nonce()];
      await store.addNonces(old);
      // One of the old nonces is used for a signature before it expires.
      await store.commitSignature(old[0]!.hidingCommitment, 'req-1', { attempts: 1, lists: ['x'], expiresAtMs: Date.now() + 60_000 }, { event: 'signed', requestId: 'req-1' });
      const cutoff = Date.now() + 1;
      await new Promise((r) => setTimeout(r, 5));
      const fresh = [nonce()];
      await store.addNonces(fresh);
      expect(store.nonceCount).toBe(3);

      const sizeBefore = store.audit.size;
      expect(await store.expireNonces(cutoff)).toBe(2);
      expect(store.nonceCount).toBe(1);
      expect(await store.getNonce(old[1]!.hidingCommitment)).toBeUndefined();
      expect(await store.getNonce(old[2]!.hidingCommitment)).toBeUndefined();
      expect((await store.getNonce(fresh[0]!.hidingCommitment))?.coordinator).toBe('test-coordinator');
      expect(store.audit.size).toBe(sizeBefore + 1);
      const rec = JSON.parse(new TextDecoder().decode((await store.audit.readBytes(sizeBefore))!));
      expect(rec.event).toBe('nonces-expired');
      expect(JSON.stringify(rec)).toMatch(/"count":2/);
      // Nothing left to expire: no record, no change.
      expect(await store.expireNonces(cutoff)).toBe(0);
      expect(store.audit.size).toBe(sizeBefore + 1);
    } finally {
      await store.close();
    }
  });
});
