/**
 * The durable audit log on a real LevelDB: canonical records with tree
 * hashes and state in one batch, validation at open, fail-closed writes,
 * checkpoints never inconsistent with the last one signed, and witnesses
 * that catch a forked peer log.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { Level } from 'level';
import {
  CompactRange,
  decodeRecord,
  inclusionProof,
  consistencyProof,
  leafHash,
  openCheckpoint,
  parseVerifierKey,
  verifyConsistency,
  verifyInclusion,
  verifyLog,
  signCheckpoint,
} from '@qsign/audit';
import { isQsignError } from '@qsign/protocol';
import { AuditLog, AuditNotary, LogStore, Sealer, Witness, auditSlot, hashSlot, loadOrCreateIdentity } from '../index.js';

const dirs: string[] = [];
const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), 'qsign-audit-'));
  dirs.push(d);
  return d;
};
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true });
});

const key = new Uint8Array(randomBytes(32));
async function open(dir: string, prefix = 'qsign-node-1') {
  const store = await LogStore.open(dir, new Sealer(key));
  const identity = await loadOrCreateIdentity(store, prefix);
  const notary = await AuditNotary.open(store.audit, identity);
  return { store, log: store.audit, identity, notary };
}

async function fill(log: AuditLog, n: number, from = 0) {
  for (let i = from; i < from + n; i++) {
    await log.append({ event: 'signed', requestId: `req-${i}`, keyName: 'demo', digest: '00'.repeat(32), clientId: 'c', details: { nonce: 'ab', attempt: 1, extra: new Uint8Array([i & 0xff]) } });
  }
}

describe('AuditLog', () => {
  it('writes canonical records whose leaf and subtree hashes and tree state land in the same batch', async () => {
    const dir = tmp();
    const { store, log, notary } = await open(dir);
    await fill(log, 13);
    const note = await notary.checkpoint();
    const vkey = parseVerifierKey(notary.verifierKey);
    const cp = openCheckpoint(note, [vkey]).checkpoint;
    expect(cp.size).toBe(13);
    const bytes: Uint8Array[] = [];
    for await (const r of log.records()) bytes.push(r.bytes);
    // Unknown fields go to details; renamed ones to the schema's names.
    const r0 = decodeRecord(bytes[0]!);
    expect(r0).toMatchObject({ seq: 0, event: 'signed', clientId: 'c', digest: '00'.repeat(32), digestAlgorithm: 'sha256', details: { nonce: 'ab', attempt: 1, extra: '00' } });
    const ok = await verifyLog(bytes, [note], vkey);
    expect(ok.ok).toBe(true);
    for (const i of [0, 5, 12]) verifyInclusion(leafHash(bytes[i]!), i, 13, await inclusionProof(log, i, 13), cp.rootHash);
    await store.close();

    // Reopen: state and hashes were persisted; proofs still verify; a consistency proof links 13 → 20.
    const again = await open(dir);
    expect(again.log.size).toBe(13);
    expect(again.log.damage).toBeUndefined();
    await fill(again.log, 7, 13);
    const cp2 = openCheckpoint(await again.notary.checkpoint(), [vkey]).checkpoint;
    verifyConsistency(13, 20, cp.rootHash, cp2.rootHash, await consistencyProof(again.log, 13, 20));
    expect((await again.log.checkpoints()).length).toBe(2);
    await again.store.close();
  });

  it('refuses the write, and applies nothing, when the database is closed', async () => {
    const dir = tmp();
    const { store, log } = await open(dir);
    await fill(log, 2);
    await store.close();
    const err = await log.append({ event: 'signed', requestId: 'x' }, [{ type: 'put', key: 'n!zz', value: new Uint8Array(1) }]).catch((e) => e);
    expect(isQsignError(err, 'AUDIT_WRITE_FAILED')).toBe(true);
    expect(err.message).toMatch(/cannot write the audit record, refusing: the audit database is closed/);
    const again = await open(dir);
    expect(again.log.size).toBe(2);
    await again.store.close();
  });

  it('group commit: concurrent appends share one synchronous batch, each with its own ops, and each resolves only once durable', async () => {
    const dir = tmp();
    const { store, log } = await open(dir);
    const db = (log as unknown as { db: Level<string, Uint8Array> }).db;
    const real = db.batch.bind(db);
    const batches: Array<{ ops: number; sync: boolean }> = [];
    let durable = 0;
    (db as unknown as { batch: unknown }).batch = async (ops: unknown[], opts: { sync?: boolean }) => {
      batches.push({ ops: ops.length, sync: opts?.sync === true });
      await real(ops as never, opts as never);
      durable += ops.length;
    };
    const seen: number[] = [];
    const appends = Array.from({ length: 10 }, (_, i) =>
      log.append({ event: 'signed', requestId: `req-${i}`, keyName: 'demo', digest: '00'.repeat(32) }, [{ type: 'put', key: `r!req-${i}`, value: new Uint8Array([i]) }]).then((r) => {
        // Resolved only after the batch holding this record was written (synchronously).
        expect(durable).toBeGreaterThan(0);
        seen.push(r.seq);
        return r;
      }),
    );
    // A record that cannot be built (no such event) fails alone; the rest of its group is written.
    const bad = log.append({ event: 'no-such-event' as never, requestId: 'bad' }, [{ type: 'put', key: 'r!bad', value: new Uint8Array(1) }]).catch((e) => e);
    const records = await Promise.all(appends);
    expect(isQsignError(await bad, 'AUDIT_WRITE_FAILED')).toBe(true);
    expect(records.map((r) => r.seq)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(seen.sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
    expect(batches.length).toBe(1);
    expect(batches[0]!.sync).toBe(true);
    for (let i = 0; i < 10; i++) expect([...(await db.get(`r!req-${i}`))!]).toEqual([i]);
    expect(await db.get('r!bad')).toBeUndefined();
    await store.close();
    // The grouped records re-hash to the stored tree at open, in order.
    const again = await open(dir);
    expect(again.log.damage).toBeUndefined();
    expect(again.log.size).toBe(10);
    expect(decodeRecord((await again.log.readBytes(7))!).requestId).toBe('req-7');
    await again.store.close();
  });

  it('detects a record edited in LevelDB at open, names its index, and refuses to append or checkpoint', async () => {
    const dir = tmp();
    const first = await open(dir);
    await fill(first.log, 10);
    await first.notary.checkpoint();
    await first.store.close();
    const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    const rec = (await db.get(auditSlot(6)))!;
    const edited = new TextEncoder().encode(new TextDecoder().decode(rec).replace('req-6', 'req-X'));
    await db.put(auditSlot(6), edited);
    await db.close();

    const { store, log, notary } = await open(dir);
    expect(log.damage?.firstBadIndex).toBe(6);
    expect(log.damage?.reason).toMatch(/record 6 does not match its stored leaf hash/);
    const err = await log.append({ event: 'signed' }).catch((e) => e);
    expect(isQsignError(err, 'AUDIT_WRITE_FAILED')).toBe(true);
    expect(err.message).toMatch(/damaged from index 6/);
    await expect(notary.checkpoint()).rejects.toMatchObject({ code: 'AUDIT_LOG_DAMAGED' });
    await store.close();
  });

  it('never signs a checkpoint inconsistent with the last one: a truncated and re-appended log is caught at open', async () => {
    const dir = tmp();
    const first = await open(dir);
    await fill(first.log, 10);
    const before = await first.notary.checkpoint();
    await first.store.close();
    // An attacker with the master key rewrites the tail consistently: records, hashes and state for 7 records, then re-appends.
    await rewriteTail(dir, 7);
    const { store, log, notary } = await open(dir);
    expect(log.size).toBe(7);
    expect(log.damage?.reason).toMatch(/holds 7 records but checkpoint 10 was signed/);
    await expect(notary.checkpoint()).rejects.toMatchObject({ code: 'AUDIT_LOG_DAMAGED' });
    expect(notary.latest).toBe(before);
    await store.close();
  });

  it('a witness cosigns consistent checkpoints and catches a fork, keeping both notes as evidence', async () => {
    const peer = await open(tmp(), 'qsign-node-2');
    const wit = await open(tmp(), 'qsign-node-1');
    const witness = new Witness(wit.log, wit.identity, [{ id: 2, verifierKey: peer.notary.verifierKey }]);
    await fill(peer.log, 5);
    const a = await peer.notary.checkpoint();
    const r1 = await witness.addCheckpoint(a, 0, []);
    expect(r1.kind).toBe('cosigned');
    await fill(peer.log, 4, 5);
    const b = await peer.notary.checkpoint();
    // Wrong old size: the witness says what it holds (tlog-witness conflict).
    expect(await witness.addCheckpoint(b, 0, [])).toEqual({ kind: 'conflict', knownSize: 5 });
    expect((await witness.addCheckpoint(b, 5, await consistencyProof(peer.log, 5, 9))).kind).toBe('cosigned');

    // The peer's owner forks its log: same key, a different history of 12 records.
    const forked = new CompactRange();
    for (let i = 0; i < 12; i++) forked.append(leafHash(new Uint8Array([i])));
    const fork = signCheckpoint({ origin: peer.identity.origin, size: 12, rootHash: forked.root(), extensions: [] }, peer.identity.secretKey);
    const err = await witness.addCheckpoint(fork, 9, await consistencyProof(peer.log, 5, 9)).catch((e) => e);
    expect(isQsignError(err, 'AUDIT_LOG_FORK')).toBe(true);
    expect(await wit.log.witnessed(peer.identity.origin)).toBe(b);
    const evidence: unknown[] = [];
    for await (const r of wit.log.records()) evidence.push(decodeRecord(r.bytes));
    expect(evidence).toContainEqual(expect.objectContaining({ event: 'fork-detected', details: expect.objectContaining({ previous: b, presented: fork, peer: 2 }) }));
    // An unknown log, and a note not signed by the configured key, are refused.
    const stranger = await open(tmp(), 'qsign-node-9');
    await fill(stranger.log, 1);
    await expect(witness.addCheckpoint(await stranger.notary.checkpoint(), 0, [])).rejects.toMatchObject({ code: 'INVALID_ARGUMENT' });
    for (const s of [peer, wit, stranger]) await s.store.close();
  });

  it('rejects a one-bit change to a stored record, an inclusion proof, or a checkpoint (acceptance 1, node storage path)', async () => {
    const { store, log, notary } = await open(tmp());
    await fill(log, 9);
    const note = await notary.checkpoint();
    const vkey = parseVerifierKey(notary.verifierKey);
    const cp = openCheckpoint(note, [vkey]).checkpoint;
    const bytes: Uint8Array[] = [];
    for await (const r of log.records()) bytes.push(r.bytes);
    const proof = await inclusionProof(log, 4, 9);
    verifyInclusion(leafHash(bytes[4]!), 4, 9, proof, cp.rootHash);
    const flip = (b: Uint8Array, bit: number) => {
      const c = b.slice();
      c[bit >> 3]! ^= 1 << (bit & 7);
      return c;
    };
    for (const bit of [0, 77, bytes[4]!.length * 8 - 1]) {
      const tampered = bytes.map((b, i) => (i === 4 ? flip(b, bit) : b));
      const v = await verifyLog(tampered, [note], vkey);
      expect(v.ok).toBe(false);
      if (!v.ok) expect(v.firstBadIndex).toBe(v.code === 'bad-record' ? 4 : 0);
      expect(() => verifyInclusion(leafHash(tampered[4]!), 4, 9, proof, cp.rootHash)).toThrow();
    }
    for (const bit of [0, 100, 255]) {
      const p = proof.map((h, i) => (i === 1 ? flip(h, bit) : h));
      expect(() => verifyInclusion(leafHash(bytes[4]!), 4, 9, p, cp.rootHash)).toThrow();
    }
    const enc = new TextEncoder().encode(note);
    for (let bit = 0; bit < enc.length * 8; bit += 29) {
      const t = new TextDecoder().decode(flip(enc, bit));
      const v = await verifyLog(bytes, [t], vkey).catch(() => ({ ok: false }));
      expect(v.ok, `checkpoint bit ${bit}`).toBe(false);
    }
    await store.close();
  });
});

/** Rewrites a log offline to its first `keep` records, consistently (records, hashes, state). */
async function rewriteTail(dir: string, keep: number): Promise<void> {
  const db = new Level<string, Uint8Array>(dir, { keyEncoding: 'utf8', valueEncoding: 'view' });
  const tree = new CompactRange();
  const ops: Array<{ type: 'put'; key: string; value: Uint8Array } | { type: 'del'; key: string }> = [];
  let i = 0;
  for await (const [k, v] of db.iterator({ gte: 'a!', lt: 'a!\xff' })) {
    if (i < keep) tree.append(leafHash(v));
    else ops.push({ type: 'del', key: k });
    i++;
  }
  for await (const k of db.keys({ gte: 'h!', lt: 'h!\xff' })) ops.push({ type: 'del', key: k });
  const fresh = new CompactRange();
  for (let j = 0; j < keep; j++) fresh.append((await db.get(hashSlot(0, j)))!, (l, x, h) => ops.push({ type: 'put', key: hashSlot(l, x), value: h }));
  ops.push({ type: 'put', key: 't!state', value: tree.toBytes() });
  await db.batch(ops);
  await db.close();
}
