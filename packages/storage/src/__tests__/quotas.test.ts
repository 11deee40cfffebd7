/**
 * Quotas (issue 9): unused nonces per coordinator identity are bounded, also
 * across a restart; and a refusal flood is coalesced into one record per
 * who, code and second plus one with the count, so every refusal is
 * accounted for without unbounded growth.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { decodeRecord } from '@qsign/audit';
import { AuditCoalescer, FULL_RECORDS_PER_SECOND, NodeStore, Sealer, type StoredNonce } from '../index.js';

const dirs: string[] = [];
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'qsign-quota-'));
  dirs.push(d);
  return d;
};
const key = new Uint8Array(randomBytes(32));
const nonce = (): StoredNonce => ({ hiding: new Uint8Array(randomBytes(32)), binding: new Uint8Array(randomBytes(32)), hidingCommitment: new Uint8Array(randomBytes(32)), bindingCommitment: new Uint8Array(randomBytes(32)), coordinator: 'test' });

async function records(store: NodeStore): Promise<Array<Record<string, any>>> {
  const out: Array<Record<string, any>> = [];
  for await (const r of store.audit.records()) out.push(decodeRecord(r.bytes) as never);
  return out;
}

describe('nonce quota per coordinator identity', () => {
  it('never lets one identity hold more than its quota of unused nonces, retiring its oldest, also after a restart', async () => {
    const dir = tmp();
    let store = await NodeStore.open(dir, new Sealer(key));
    const first = Array.from({ length: 100 }, nonce);
    await store.addNonces(first, 'flooder', 256);
    for (let i = 0; i < 9; i++) await store.addNonces(Array.from({ length: 100 }, nonce), 'flooder', 256);
    const other = Array.from({ length: 50 }, nonce);
    await store.addNonces(other, 'honest', 256);
    expect(store.outstandingNonces('flooder')).toBe(256);
    expect(store.outstandingNonces('honest')).toBe(50);
    expect(store.nonceCount).toBe(306);
    // The oldest went first; the other identity's nonces are untouched.
    expect(await store.getNonce(first[0]!.hidingCommitment)).toBeUndefined();
    expect(await store.getNonce(other[0]!.hidingCommitment)).toBeDefined();
    // Every eviction is in the log (coalesced, with a count).
    const evictions = (await records(store)).filter((r) => r.event === 'nonces-expired');
    expect(evictions.length).toBeGreaterThan(0);
    expect(evictions[0]).toMatchObject({ code: 'QUOTA_EXCEEDED', coordinator: 'flooder' });
    await store.close();

    store = await NodeStore.open(dir, new Sealer(key));
    try {
      expect(store.outstandingNonces('flooder')).toBe(256);
      expect(store.outstandingNonces('honest')).toBe(50);
      await store.addNonces(Array.from({ length: 10 }, nonce), 'flooder', 256);
      expect(store.outstandingNonces('flooder')).toBe(256);
      expect(store.nonceCount).toBe(306);
    } finally {
      await store.close();
    }
  });
});

describe('coalesced refusals', () => {
  it('records a flood as a few full records per who, code and second plus one with the count', async () => {
    const store = await NodeStore.open(tmp(), new Sealer(key));
    try {
      let now = 1_800_000_000_000;
      const c = new AuditCoalescer(store.audit, async () => undefined, () => now);
      for (let i = 0; i < 1000; i++) await c.append({ event: 'refused', code: 'UNKNOWN_CLIENT', reason: `unknown client ${i}`, coordinator: 'x' }, 'coordinator:x');
      await c.append({ event: 'refused', code: 'STALE_REQUEST', reason: 'stale', client: 'a' }, 'client:a');
      expect(store.audit.size).toBe(FULL_RECORDS_PER_SECOND + 1);
      now += 1000;
      await c.append({ event: 'refused', code: 'UNKNOWN_CLIENT', reason: 'next second', coordinator: 'x' }, 'coordinator:x');
      await c.flush();
      const recs = await records(store);
      const K = FULL_RECORDS_PER_SECOND;
      expect(recs.map((r) => [r.code, r.details?.count ?? 1])).toEqual([
        ...Array.from({ length: K }, () => ['UNKNOWN_CLIENT', 1]),
        ['STALE_REQUEST', 1],
        ['UNKNOWN_CLIENT', 1000 - K],
        ['UNKNOWN_CLIENT', 1],
      ]);
      expect(recs[K + 1]!.details).toMatchObject({ coalescedWith: 0, who: 'coordinator:x' });
      // Every refusal accounted for.
      expect(recs.filter((r) => r.code === 'UNKNOWN_CLIENT').reduce((n, r) => n + (r.details?.count ?? 1), 0)).toBe(1001);
    } finally {
      await store.close();
    }
  });
});
