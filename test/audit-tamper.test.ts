/**
 * Issue #5 acceptance 1 (through a node), 3, 4 and 5 on a real 3-of-5
 * cluster: a record edited in a node's LevelDB and a truncated, re-appended
 * log are named (node and index) by `qsign audit verify` and `crosscheck`; a
 * log forked with its checkpoints is caught by the peers that witnessed it;
 * a node whose audit write fails (injected fault, or a really closed
 * database) refuses and releases no share; and `qsign audit query` answers
 * "was this RPM signed, when, by which nodes" from the package file alone.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { Level } from 'level';
import { bytesToHex } from '@noble/hashes/utils.js';
import { decodeRecord, leafHash, openCheckpoint, parseVerifierKey, verifyInclusion, verifyLog } from '@qsign/audit';
import { isQsignError, newRequestId, signRequestBody } from '@qsign/protocol';
import { AuditRpcClient, encodeSignRequest } from '@qsign/rpc';
import { fileClaims, loadClientConfig } from '@qsign/client';
import { loadNodeConfig, openNodeStore, startNode } from '@qsign/node';
import { auditSlot } from '@qsign/storage';
import { headerSignatureInput } from '@qsign/rpm';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { checkpointAll, jsonLines, qsign, truncateLog, waitCosigned } from './helpers/audit.js';
import { buildRpm, readBytes, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

describe('audit: tampering, fail-closed writes, queries by package file', () => {
  let c: TestCluster;
  let rpmPath: string;
  let rpmSig: { signature: Uint8Array; signers: number[]; requestId: string };
  let t0: number;
  const sign = async (data: Uint8Array, name = 'file.bin') => {
    const r = await c.client.sign({ keyName: 'demo', kind: 'raw', data, claims: fileClaims(name, data) });
    registerSignatures([r.signature]);
    return r;
  };
  const nodeCfg = (id: number) => c.file.nodes.find((n) => n.id === id)!;

  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3, noCertificate: true }); // exact signature counts below
    t0 = Date.now();
    for (let i = 0; i < 24; i++) await sign(new Uint8Array(randomBytes(65 + i)), `f${i}.bin`); // 65+: hash-sized raw data is a digest (docs/signing.md)
    // Acceptance 5's package: a real RPM whose main header (what rpm signs) is
    // sent as a 'raw' payload until the 'rpm-header' kind lands.
    const dir = tempDir('audit');
    rpmPath = buildRpm(dir, { name: 'qsign-audit-demo', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/qsign', 'echo hi > $RPM_BUILD_ROOT/usr/share/qsign/hi'], files: ['/usr/share/qsign/hi'] });
    const header = headerSignatureInput(readBytes(rpmPath));
    rpmSig = await sign(header, 'qsign-audit-demo-1.0-1.noarch.rpm');
    for (let i = 0; i < 6; i++) await sign(new Uint8Array(randomBytes(40)));
    await checkpointAll(c);
    const first = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--json']);
    expect(first.code, first.stdout + first.stderr).toBe(0);
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('acceptance 5: query answers "was this RPM signed, when, by which nodes" from the package file alone', async () => {
    const q = await qsign(['audit', 'query', '--cluster', c.dir, '--file', rpmPath, '--json']);
    expect(q.code, q.stderr).toBe(0);
    const rows = jsonLines(q.stdout);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ key: 'demo', requestId: rpmSig.requestId, signature: bytesToHex(rpmSig.signature), signers: rpmSig.signers, recordedBy: rpmSig.signers, fileName: 'qsign-audit-demo-1.0-1.noarch.rpm' });
    const when = Date.parse(rows[0]!.time);
    expect(when).toBeGreaterThanOrEqual(t0 - 1000);
    expect(when).toBeLessThanOrEqual(Date.now());
    const table = await qsign(['audit', 'query', '--cluster', c.dir, '--file', rpmPath]);
    expect(table.stdout).toMatch(/RECORDED BY NODES/);
    expect(table.stdout).toContain(rpmSig.signers.join(','));
    // Same question by key and time window: all 31 signatures, the RPM among them.
    const window = await qsign(['audit', 'query', '--cluster', c.dir, '--key', 'demo', '--since', new Date(t0 - 1000).toISOString(), '--until', new Date().toISOString(), '--json']);
    expect(jsonLines(window.stdout).length).toBe(31);
    // A package that was never signed: nothing, exit code 3.
    const other = buildRpm(tempDir('audit2'), { name: 'qsign-audit-unsigned', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/qsign2', 'echo x > $RPM_BUILD_ROOT/usr/share/qsign2/x'], files: ['/usr/share/qsign2/x'] });
    const none = await qsign(['audit', 'query', '--cluster', c.dir, '--file', other]);
    expect(none.code).toBe(3);
    expect(none.stdout).toMatch(/no matching signatures/);
  });

  it('acceptance 1 through a node: a one-bit change to a served record, proof or checkpoint is rejected', async () => {
    const n = nodeCfg(1);
    const a = new AuditRpcClient(n.address, undefined, c.as('client'));
    try {
      const vkey = parseVerifierKey(n.verifierKey!);
      const note = (await a.checkpoint(true)).checkpoint;
      const cp = openCheckpoint(note, [vkey]).checkpoint;
      const recs = (await a.records(0, cp.size)).records.map((r) => r.record);
      expect((await verifyLog(recs, [note], vkey)).ok).toBe(true);
      const i = Math.floor(cp.size / 2);
      const proof = await a.inclusionProof(i, cp.size);
      verifyInclusion(leafHash(recs[i]!), i, cp.size, proof, cp.rootHash);
      const flip = (b: Uint8Array, bit: number) => {
        const x = b.slice();
        x[bit >> 3]! ^= 1 << (bit & 7);
        return x;
      };
      const bad = recs.map((r, j) => (j === i ? flip(r, 8 * 20 + 1) : r));
      expect((await verifyLog(bad, [note], vkey)).ok).toBe(false);
      expect(() => verifyInclusion(leafHash(bad[i]!), i, cp.size, proof, cp.rootHash)).toThrow();
      expect(() => verifyInclusion(leafHash(recs[i]!), i, cp.size, [flip(proof[0]!, 3), ...proof.slice(1)], cp.rootHash)).toThrow();
      const noteBytes = new TextEncoder().encode(note);
      for (const bit of [5, 8 * 20, 8 * (noteBytes.length - 10)]) {
        expect((await verifyLog(recs, [new TextDecoder().decode(flip(noteBytes, bit))], vkey).catch(() => ({ ok: false }))).ok).toBe(false);
      }
    } finally {
      a.close();
    }
  });

  /** A valid client request to one node directly, with fresh commitments of `ids`. */
  async function directRequest(target: number, ids: number[]) {
    const client = loadClientConfig(c.file.clientConfig);
    const body = encodeSignRequest({ requestId: newRequestId(), keyName: 'demo', createdAtMs: Date.now(), kind: 'raw', data: new Uint8Array(randomBytes(50)), clientName: 'dev-client', expectedGroupKey: c.groupKey('demo') });
    const commitments = await Promise.all(ids.map(async (id) => {
      const n = c.node(id);
      try {
        return { identifier: id, ...(await n.getCommitments(1, c.coordinatorId())).commitments[0]! };
      } finally {
        n.close();
      }
    }));
    const list = commitments.map((x) => ({ identifier: x.identifier, hiding: x.hiding, binding: x.binding }));
    return { request: signRequestBody(body, client.secretKey), commitments: list, coordinatorId: c.coordinatorId(), target };
  }

  it('acceptance 4: with the audit write failing (injected fault) the node refuses, says why, and releases no share', async () => {
    const n5 = c.node(5);
    try {
      const before = (await n5.status()).auditSize;
      await n5.setFault('fail-audit-write');
      const req = await directRequest(5, [1, 2, 5]);
      const err = await n5.signShare(req).catch((e) => e);
      expect(isQsignError(err, 'AUDIT_WRITE_FAILED')).toBe(true);
      expect(err.message).toMatch(/cannot write the audit record, refusing: audit log write failed \(injected fault: disk full\)/);
      expect((await n5.status()).auditSize).toBe(before);
      // Through the cluster: node 5 is excluded with its reason; the signature still comes from 3 others.
      for (let i = 0; i < 4; i++) {
        const r = await sign(new Uint8Array(randomBytes(30)));
        expect(r.signers).not.toContain(5);
      }
      await n5.setFault('');
      expect((await n5.status()).auditSize).toBe(before);
    } finally {
      n5.close();
    }
  });

  it('acceptance 4: with the database really closed the node refuses, says why, and releases no share', async () => {
    await c.kill(5);
    const running = await startNode(nodeCfg(5).config, { log: () => undefined });
    try {
      const req = await directRequest(5, [1, 3, 5]);
      await running.store.close();
      const n5 = c.node(5);
      try {
        const err = await n5.signShare(req).catch((e) => e);
        expect(isQsignError(err)).toBe(true);
        expect(['AUDIT_WRITE_FAILED', 'STORAGE']).toContain(err.code);
        expect(err.message).toMatch(/not open|closed/i);
        expect(err.share).toBeUndefined();
        // A refusal that must be recorded cannot be: refused all the same, naming both reasons.
        const bad = { ...req, request: { ...req.request, clientSignature: new Uint8Array(64) } };
        const err2 = await n5.signShare(bad).catch((e) => e);
        expect(isQsignError(err2, 'AUDIT_WRITE_FAILED')).toBe(true);
        expect(err2.message).toMatch(/client signature does not verify.*could not be recorded.*the audit database is closed/);
      } finally {
        n5.close();
      }
    } finally {
      await running.stop().catch(() => undefined);
    }
    await c.restart(5);
  });

  it('acceptance 3: a record edited in a node\'s LevelDB is named by node and index by verify and crosscheck', async () => {
    await checkpointAll(c);
    const n3 = nodeCfg(3);
    await c.kill(3);
    const db = new Level<string, Uint8Array>(n3.dataDir, { keyEncoding: 'utf8', valueEncoding: 'view' });
    let edited = -1;
    for await (const [k, v] of db.iterator({ gte: 'a!', lt: 'a!\xff' })) {
      const r = decodeRecord(v);
      if (r.event === 'signed' && r.seq >= 5) {
        edited = r.seq;
        const text = new TextDecoder().decode(v).replace(`"dataSha256":"${r.dataSha256}"`, `"dataSha256":"${r.dataSha256!.startsWith('0') ? '1' : '0'}${r.dataSha256!.slice(1)}"`);
        await db.put(k, new TextEncoder().encode(text));
        expect(k).toBe(auditSlot(edited));
        break;
      }
    }
    await db.close();
    expect(edited).toBeGreaterThanOrEqual(5);
    await c.restart(3);

    const v = await qsign(['audit', 'verify', '--cluster', c.dir, '--only', 'node-3', '--json']);
    expect(v.code).toBe(1);
    const vf = jsonLines(v.stdout).filter((l) => l.type === 'finding');
    expect(vf, v.stdout).toContainEqual(expect.objectContaining({ log: 'node-3', index: edited, kind: 'root-mismatch' }));
    expect(v.stderr).toMatch(/1 of 1 logs failed verification/);
    const x = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--json']);
    expect(x.code).toBe(1);
    const xf = jsonLines(x.stdout).filter((l) => l.type === 'finding');
    expect(xf).toContainEqual(expect.objectContaining({ log: 'node-3', index: edited, kind: 'root-mismatch' }));
    expect(xf).toContainEqual(expect.objectContaining({ log: 'node-3', kind: 'damaged', message: expect.stringMatching(new RegExp(`damaged from index ${edited}`)) }));
    // The damaged node refuses to sign (its log takes no appends); the cluster signs without it.
    for (let i = 0; i < 4; i++) expect((await sign(new Uint8Array(randomBytes(21)))).signers).not.toContain(3);
  });

  it('acceptance 3: a truncated and re-appended log is named by node and index by verify and crosscheck', async () => {
    await checkpointAll(c);
    const n4 = nodeCfg(4);
    const size = (await c.audit(4)).length;
    const keep = size - 5;
    await c.kill(4);
    await truncateLog(n4.dataDir, keep);
    const store = await openNodeStore(loadNodeConfig(n4.config));
    for (let i = 0; i < 2; i++) await store.audit.append({ event: 'signed', requestId: `forged-${i}`, keyName: 'demo', messageSha256: 'ab'.repeat(32), client: 'dev-client' });
    await store.close();
    // Not waiting for the coordinator to use it: if its witnesses cosigned past `keep`, it refuses to sign (rollback).
    await c.restartServing(4);

    const v = await qsign(['audit', 'verify', '--cluster', c.dir, '--only', 'node-4', '--json']);
    expect(v.code).toBe(1);
    const vf = jsonLines(v.stdout).filter((l) => l.type === 'finding');
    const bad = vf.find((f) => f.log === 'node-4' && f.kind !== 'damaged')!;
    expect(bad, v.stdout + v.stderr).toBeDefined();
    expect(bad.kind).toMatch(/root-mismatch|missing-records/);
    expect(bad.index).toBeLessThanOrEqual(keep);
    const x = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--json']);
    const xf = jsonLines(x.stdout).filter((l) => l.type === 'finding');
    expect(xf).toContainEqual(expect.objectContaining({ log: 'node-4', index: keep, kind: 'not-in-coordinator-log' }));
    expect(xf).toContainEqual(expect.objectContaining({ log: 'node-4', index: keep + 1, kind: 'not-in-coordinator-log' }));
    expect(xf.filter((f) => f.log === 'node-4' && f.kind === 'missing-signature').length).toBeGreaterThan(0);
  });

  it('a log forked together with its checkpoints is caught by the peers that witnessed it, and by the auditor\'s state', async () => {
    await checkpointAll(c, [1]);
    await waitCosigned(c, 2, [1]);
    // The auditor's state now holds node 1's latest checkpoint (other findings from earlier tests aside).
    await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--json']);
    const n1 = nodeCfg(1);
    const size = (await c.audit(1)).length;
    await c.kill(1);
    await truncateLog(n1.dataDir, size - 3, true);
    const store = await openNodeStore(loadNodeConfig(n1.config));
    for (let i = 0; i < 6; i++) await store.audit.append({ event: 'refused', code: 'STALE_REQUEST', reason: `rewritten history ${i}` });
    await store.close();
    await c.restartServing(1);
    // Node 1's own checkpoints match what is left, but its witnesses hold a larger one: it refuses to sign (rollback).
    await waitFor(async () => (await c.audit(1)).some((r) => r.event === 'rollback-detected'), 30_000, 'node 1 to detect the rollback');
    // It still publishes a checkpoint of the forked log: its peers refuse to cosign it.
    await checkpointAll(c, [1]);
    await waitFor(async () => (await c.audit(2)).some((r) => r.event === 'fork-detected'), 15_000, 'node 2 to record the fork');
    const evidence = (await c.audit(2)).find((r) => r.event === 'fork-detected')!;
    expect(evidence.peer).toBe(1);
    expect(String(evidence.reason)).toMatch(/node 1 .* inconsistent with the one this node witnessed/);
    const x = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--json']);
    const xf = jsonLines(x.stdout).filter((l) => l.type === 'finding' && l.log === 'node-1');
    expect(xf.map((f) => f.kind)).toEqual(expect.arrayContaining(['fork', 'inconsistent-with-state']));
    expect(xf.find((f) => f.kind === 'fork')!.message).toMatch(/inconsistent with the checkpoint node-\d witnessed/);
  });
});
