import { ed25519 } from '@noble/curves/ed25519.js';
import { describe, expect, it } from 'vitest';
import {
  type AuditRecord,
  MemoryTree,
  checkConsistencyWithPrevious,
  consistencyProof,
  encodeRecord,
  makeVerifierKey,
  parseVerifierKey,
  signCheckpoint,
  verifyLog,
} from '../index.js';
import { code } from './helpers.js';

const origin = 'node-1.qsign.example/audit';
const sk = new Uint8Array(32).fill(5);
const vkey = makeVerifierKey(origin, ed25519.getPublicKey(sk));
const rec = (seq: number): Uint8Array => encodeRecord({ seq, timeMs: 1_700_000_000_000 + seq, event: 'signed', digest: seq.toString(16).padStart(4, '0') } as AuditRecord);

function build(n: number, at: number[]): { records: Uint8Array[]; checkpoints: string[]; tree: MemoryTree } {
  const tree = new MemoryTree();
  const records: Uint8Array[] = [];
  const checkpoints: string[] = [];
  const sign = (): void => void checkpoints.push(signCheckpoint({ origin, size: tree.size, rootHash: tree.root(), extensions: [] }, sk));
  if (at.includes(0)) sign();
  for (let i = 0; i < n; i++) {
    records.push(rec(i));
    tree.appendEntry(records[i]!);
    if (at.includes(i + 1)) sign();
  }
  return { records, checkpoints, tree };
}

async function* slowly(records: Uint8Array[]): AsyncGenerator<Uint8Array> {
  for (const r of records) yield await Promise.resolve(r);
}


describe('verifyLog', () => {
  const { records, checkpoints, tree } = build(40, [0, 1, 5, 16, 33]); // checkpoints[i] at sizes 0, 1, 5, 16, 33

  it('accepts an intact log (array or async iterable) and reports the unattested tail', async () => {
    expect(await verifyLog(records, checkpoints, vkey)).toEqual({ ok: true, size: 40, rootHash: tree.root(), checkpointedSize: 33 });
    expect((await verifyLog(slowly(records), checkpoints, parseVerifierKey(vkey))).ok).toBe(true);
    const repeated = [...checkpoints.slice(0, 4), checkpoints[3]!, checkpoints[4]!]; // same size twice
    expect((await verifyLog(records, repeated, vkey)).ok).toBe(true);
    expect(await verifyLog([], [], vkey)).toMatchObject({ ok: true, size: 0, checkpointedSize: 0 });
  });

  it('detects a rewritten record at the first checkpoint after it', async () => {
    const bad = records.slice();
    bad[10] = encodeRecord({ seq: 10, timeMs: 1, event: 'signed', digest: 'ffff' } as AuditRecord);
    expect(await verifyLog(bad, checkpoints, vkey)).toMatchObject({ ok: false, code: 'root-mismatch', firstBadIndex: 5, checkpointIndex: 3 });
  });

  it('pinpoints a malformed or out-of-sequence record', async () => {
    const garbled = records.slice();
    garbled[20] = new TextEncoder().encode('{"event":"signed", "seq":20,"timeMs":1}');
    expect(await verifyLog(garbled, checkpoints, vkey)).toMatchObject({ ok: false, code: 'bad-record', firstBadIndex: 20 });
    const dropped = [...records.slice(0, 7), ...records.slice(8)];
    expect(await verifyLog(dropped, checkpoints, vkey)).toMatchObject({ ok: false, code: 'bad-record', firstBadIndex: 7 });
  });

  it('detects a truncated log', async () => {
    expect(await verifyLog(records.slice(0, 30), checkpoints, vkey)).toMatchObject({ ok: false, code: 'missing-records', firstBadIndex: 30, checkpointIndex: 4 });
  });

  it('refuses a checkpoint not signed by the node key, of another origin, or out of order', async () => {
    const otherSk = new Uint8Array(32).fill(6);
    const forged = signCheckpoint({ origin, size: 33, rootHash: tree.root(), extensions: [] }, otherSk);
    expect(await verifyLog(records, [...checkpoints.slice(0, 4), forged], vkey)).toMatchObject({ ok: false, code: 'bad-checkpoint', firstBadIndex: 16, checkpointIndex: 4 });
    const tampered = checkpoints[3]!.replace('\n16\n', '\n17\n');
    expect(await verifyLog(records, [...checkpoints.slice(0, 3), tampered], vkey)).toMatchObject({ ok: false, code: 'bad-checkpoint', firstBadIndex: 5, checkpointIndex: 3 });
    expect(await verifyLog(records, checkpoints, vkey, { origin: 'elsewhere' })).toMatchObject({ ok: false, code: 'bad-checkpoint', firstBadIndex: 0, checkpointIndex: 0 });
    expect(await verifyLog(records, [checkpoints[2]!, checkpoints[1]!], vkey)).toMatchObject({ ok: false, code: 'bad-checkpoint', checkpointIndex: 1 });
  });

  it('detects a split view: a second checkpoint of the same size with another root', async () => {
    const fork = build(16, [16]);
    const other = encodeRecord({ seq: 3, timeMs: 9, event: 'denied' } as AuditRecord);
    const t = new MemoryTree();
    fork.records.forEach((r, i) => t.appendEntry(i === 3 ? other : r));
    const forked = signCheckpoint({ origin, size: 16, rootHash: t.root(), extensions: [] }, sk);
    expect(await verifyLog(records, [...checkpoints.slice(0, 3), forked], vkey)).toMatchObject({ ok: false, code: 'root-mismatch', firstBadIndex: 5 });
  });
});

describe('checkConsistencyWithPrevious', () => {
  const { checkpoints, tree } = build(40, [0, 5, 16, 33, 40]);

  it('accepts a consistent newer checkpoint and returns it', async () => {
    const proof = await consistencyProof(tree, 5, 33);
    expect(checkConsistencyWithPrevious(checkpoints[1]!, checkpoints[3]!, proof, vkey).size).toBe(33);
    expect(checkConsistencyWithPrevious(checkpoints[0]!, checkpoints[4]!, [], vkey).size).toBe(40);
    expect(checkConsistencyWithPrevious(checkpoints[2]!, checkpoints[2]!, [], vkey).size).toBe(16);
  });

  it('refuses a rollback, a fork at the same size, and a bad proof', async () => {
    expect(code(() => checkConsistencyWithPrevious(checkpoints[3]!, checkpoints[1]!, [], vkey))).toBe('inconsistent-checkpoints');
    const t = new MemoryTree();
    for (let i = 0; i < 16; i++) t.appendEntry(i === 0 ? rec(99) : rec(i));
    const fork = signCheckpoint({ origin, size: 16, rootHash: t.root(), extensions: [] }, sk);
    expect(code(() => checkConsistencyWithPrevious(checkpoints[2]!, fork, [], vkey))).toBe('inconsistent-checkpoints');
    const proof = await consistencyProof(tree, 5, 33);
    const wrong = await consistencyProof(t, 5, 16);
    expect(code(() => checkConsistencyWithPrevious(checkpoints[1]!, checkpoints[3]!, wrong, vkey))).toBeDefined();
    expect(code(() => checkConsistencyWithPrevious(checkpoints[1]!, checkpoints[3]!, proof.slice(1), vkey))).toBe('proof-size');
    const forkAt33 = new MemoryTree();
    for (let i = 0; i < 33; i++) forkAt33.appendEntry(i === 2 ? rec(77) : rec(i));
    const forked33 = signCheckpoint({ origin, size: 33, rootHash: forkAt33.root(), extensions: [] }, sk);
    const forkProof = await consistencyProof(forkAt33, 5, 33);
    expect(code(() => checkConsistencyWithPrevious(checkpoints[1]!, forked33, forkProof, vkey))).toBe('root-mismatch');
  });

  it('refuses checkpoints from another key or origin', () => {
    const otherSk = new Uint8Array(32).fill(6);
    const forged = signCheckpoint({ origin, size: 40, rootHash: tree.root(), extensions: [] }, otherSk);
    expect(code(() => checkConsistencyWithPrevious(checkpoints[0]!, forged, [], vkey))).toBe('no-verified-signature');
    const otherOrigin = signCheckpoint({ origin: 'x.example/log', size: 40, rootHash: tree.root(), extensions: [] }, sk, origin);
    expect(code(() => checkConsistencyWithPrevious(checkpoints[0]!, otherOrigin, [], vkey))).toBe('inconsistent-checkpoints');
  });
});
