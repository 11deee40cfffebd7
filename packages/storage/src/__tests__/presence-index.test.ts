/**
 * The replay and hold tables answer "no entry" for a request id they never
 * wrote without a LevelDB read (presence-index.ts), and that shortcut never
 * hides a row: rows written before the store was opened, rows written while
 * open, rows pruned or deleted, and an id marked again while its delete was
 * in flight are all answered from the database.
 */
import { afterEach, describe, expect, it, vi } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Level } from 'level';
import { NodeStore, Sealer } from '../index.js';
import { PresenceIndex } from '../presence-index.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'qsign-presence-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const sealer = () => new Sealer(new Uint8Array(32).fill(3));
/** Counts the store's LevelDB point reads. */
const countReads = (s: NodeStore) => vi.spyOn((s as unknown as { db: Level<string, Uint8Array> }).db, 'get');
const entry = (expiresAtMs: number) => ({ attempts: 1, lists: ['ab'], expiresAtMs });

describe('PresenceIndex', () => {
  it('unmarks only ids not marked again since the deleting scan began', () => {
    const p = new PresenceIndex('r!');
    expect(p.mayHave('a')).toBe(false);
    p.mark('a');
    p.mark('b');
    const since = p.seq; // a prune starts scanning
    p.mark('a'); // a new put of 'a' while the prune's delete is written
    p.unmark('a', since);
    p.unmark('b', since);
    p.unmark('never', since);
    expect(p.mayHave('a')).toBe(true);
    expect(p.mayHave('b')).toBe(false);
    p.unmark('a', p.seq);
    expect(p.mayHave('a')).toBe(false);
    expect(p.size).toBe(0);
  });
});

describe('replay table index', () => {
  it('reads nothing for a new request id, and finds every entry that exists', async () => {
    const dir = tmp();
    let s = await NodeStore.open(dir, sealer());
    const reads = countReads(s);
    expect(await s.getReplay('never-seen')).toBeUndefined();
    expect(reads).not.toHaveBeenCalled();
    await s.commitOneRoundSignature('req-1', entry(Date.now() + 60_000), { event: 'signed', requestId: 'req-1' });
    expect((await s.getReplay('req-1'))?.attempts).toBe(1);
    expect(reads).toHaveBeenCalledTimes(1);
    await s.close();
    // Rows written while the store was closed (a restored backup, an older build) are indexed at open.
    const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    await db.put('r!planted', new TextEncoder().encode(JSON.stringify(entry(Date.now() + 60_000))));
    await db.close();
    s = await NodeStore.open(dir, sealer());
    expect((await s.getReplay('planted'))?.lists).toEqual(['ab']);
    expect((await s.getReplay('req-1'))?.attempts).toBe(1);
    await s.close();
  });

  it('forgets pruned ids, and keeps one that was signed again during the prune', async () => {
    const s = await NodeStore.open(tmp(), sealer());
    const now = Date.now();
    await s.commitOneRoundSignature('old', entry(now - 1), { event: 'signed', requestId: 'old' });
    await s.commitOneRoundSignature('live', entry(now + 60_000), { event: 'signed', requestId: 'live' });
    expect(await s.pruneReplay(now)).toBe(1);
    const reads = countReads(s);
    expect(await s.getReplay('old')).toBeUndefined();
    expect(reads).not.toHaveBeenCalled();
    expect(await s.getReplay('live')).toBeDefined();
    // 'again' expires, and is written anew while the prune that deletes its old row runs.
    await s.commitOneRoundSignature('again', entry(now - 1), { event: 'signed', requestId: 'again' });
    const prune = s.pruneReplay(now);
    await s.commitOneRoundSignature('again', entry(now + 60_000), { event: 'signed', requestId: 'again' });
    await prune;
    reads.mockClear();
    await s.getReplay('again');
    expect(reads).toHaveBeenCalledTimes(1); // still looked up: the index did not drop it
    await s.close();
  });
});

describe('hold table index', () => {
  it('reads nothing for a request that was never held; finds held ones, also after reopen; forgets deleted ones', async () => {
    const dir = tmp();
    let s = await NodeStore.open(dir, sealer());
    const reads = countReads(s);
    expect(await s.getHold('req-x')).toBeUndefined();
    expect(reads).not.toHaveBeenCalled();
    await s.putHold({ requestId: 'req-h', status: 'pending' }, { event: 'held', requestId: 'req-h' });
    await s.putHold({ requestId: 'req-g', status: 'pending' }, { event: 'held', requestId: 'req-g' });
    expect((await s.getHold('req-h'))?.status).toBe('pending');
    await s.close();
    s = await NodeStore.open(dir, sealer());
    expect((await s.getHold('req-h'))?.status).toBe('pending');
    await s.deleteHolds(['req-h']);
    const after = countReads(s);
    expect(await s.getHold('req-h')).toBeUndefined();
    expect(after).not.toHaveBeenCalled();
    expect((await s.listHolds()).map((h) => h.requestId)).toEqual(['req-g']);
    await s.close();
  });
});
