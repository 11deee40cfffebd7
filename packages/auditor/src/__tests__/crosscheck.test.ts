/**
 * The auditor over logs built in-process (real @qsign/audit records, tree
 * and checkpoints; no daemons): a tampered record is named with its log and
 * index; an issued signature the node logs do not account for is named; the
 * crosscheck holds each signature to its key's threshold at the time it was
 * signed (a reshare changes it).
 */
import { describe, expect, it } from 'vitest';
import { encodeRecord, resharedEntry, resharedInEntry, decodeRecord } from '@qsign/audit';
import { crosscheckLogs, verifyFetched, type FetchedLog } from '../index.js';
import { TestLog, digestOf, imported, issued, signed } from './logs.js';

const KEY = 'copr-2026';

/** A coordinator and three node logs of a 2-of-3 key, each node holding share `id`. */
function cluster(): { coordinator: TestLog; nodes: TestLog[] } {
  const nodes = [1, 2, 3].map((id) => new TestLog(id).append(imported(KEY, id, '2-of-3')));
  return { coordinator: new TestLog(0), nodes };
}

const check = (c: { coordinator: TestLog; nodes: TestLog[] }, fetched?: FetchedLog[]) => {
  const all = [c.coordinator, ...c.nodes];
  const logs = fetched ?? all.map((l) => l.fetched());
  return crosscheckLogs(logs, all.map((l) => l.target), { proofsFor: (t) => all.find((l) => l.target.name === t.name)!.proofs() });
};

describe('auditor over in-process logs', () => {
  it('names a tampered record by its node and index', async () => {
    const c = cluster();
    const n2 = c.nodes[1]!;
    n2.append(signed('r1', KEY, [1, 2])).checkpoint();
    for (const r of ['r2', 'r3', 'r4', 'r5']) n2.append(signed(r, KEY, [1, 2]));
    n2.checkpoint();
    // node-2's stored record 4 (request r4) is rewritten to claim another digest.
    const f = n2.fetched();
    const rec = decodeRecord(f.records[4]!.bytes);
    expect(rec.requestId).toBe('r4');
    const forged = encodeRecord({ ...rec, digest: digestOf('forged') });
    f.records[4] = { index: 4, bytes: forged, record: decodeRecord(forged) };

    const v = await verifyFetched(f, [], n2.proofs());
    expect(v.ok).toBe(false);
    expect(v.findings).toEqual([expect.objectContaining({ log: 'node-2', index: 4, kind: 'root-mismatch' })]);
    expect(v.findings[0]!.message).toContain('node-2: root-mismatch at index 4');

    const untouched = await verifyFetched(n2.fetched(), [], n2.proofs());
    expect(untouched).toMatchObject({ ok: true, size: 6, checkpoints: 2, checkpointedSize: 6, findings: [] });

    const logs = [c.coordinator, ...c.nodes].map((l) => (l === n2 ? f : l.fetched()));
    const r = await check(c, logs);
    expect(r.findings.filter((x) => x.kind === 'root-mismatch')).toEqual([expect.objectContaining({ log: 'node-2', index: 4 })]);
  });

  it('names an issued signature the node logs under-account', async () => {
    const c = cluster();
    // r1: signed by nodes 1 and 2, as issued. r2: the coordinator issued it naming 1 and 3, but only node 1 recorded a share.
    c.nodes[0]!.append(signed('r1', KEY, [1, 2])).append(signed('r2', KEY, [1, 3]));
    c.nodes[1]!.append(signed('r1', KEY, [1, 2]));
    c.coordinator.append(issued('r1', KEY, [1, 2])).append(issued('r2', KEY, [1, 3]));
    for (const l of [c.coordinator, ...c.nodes]) l.checkpoint();

    const r = await check(c);
    expect(r).toMatchObject({ issued: 2, accounted: 1, nodeSignatures: 3 });
    const under = r.findings.filter((x) => x.kind === 'under-accounted');
    expect(under).toEqual([expect.objectContaining({ log: 'coordinator', index: 1 })]);
    expect(under[0]!.message).toContain('request r2 is recorded by 1 node logs (1), needs 2');
    expect(r.findings.filter((x) => x.kind === 'missing-signature')).toEqual([expect.objectContaining({ log: 'node-3' })]);
    expect(r.findings.filter((x) => !['under-accounted', 'missing-signature'].includes(x.kind))).toEqual([]);
  });

  it("holds each signature to its key's threshold at the time it was signed", async () => {
    const c = cluster();
    const [n1, n2, n3] = c.nodes as [TestLog, TestLog, TestLog];
    // Before the reshare the key is 2-of-3: r1 with two shares is enough.
    for (const n of [n1, n2]) n.append(signed('r1', KEY, [1, 2]));
    c.coordinator.append(issued('r1', KEY, [1, 2]));
    // Reshared to 3-of-3: each node retires its old share and activates the new one.
    for (const n of c.nodes) {
      n.append(resharedEntry({ keyName: KEY }, { retired: true, identifier: n.id }));
      n.append(resharedInEntry({ keyName: KEY }, { keyName: KEY, groupPublicKey: 'cd'.repeat(32), identifier: n.id, threshold: '3-of-3' }, {}));
    }
    // After it, r2 with two shares is not enough; r3 with three is.
    for (const n of [n1, n2]) n.append(signed('r2', KEY, [1, 2]));
    c.coordinator.append(issued('r2', KEY, [1, 2]));
    for (const n of [n1, n2, n3]) n.append(signed('r3', KEY, [1, 2, 3]));
    c.coordinator.append(issued('r3', KEY, [1, 2, 3]));
    for (const l of [c.coordinator, ...c.nodes]) l.checkpoint();

    const r = await check(c);
    expect(r).toMatchObject({ issued: 3, accounted: 2, nodeSignatures: 7 });
    expect(r.findings).toEqual([expect.objectContaining({ log: 'coordinator', index: 1, kind: 'under-accounted' })]);
    expect(r.findings[0]!.message).toContain('request r2 is recorded by 2 node logs (1, 2), needs 3');
  });
});
