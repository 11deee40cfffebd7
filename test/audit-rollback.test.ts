/**
 * Issue 9 finding 6 / acceptance 6 — rollback detection, with real node
 * processes: a node whose data directory is restored from an earlier copy
 * has its spent nonces back. Its witnesses still hold the later checkpoint
 * they cosigned for it, so at start it refuses to sign (AUDIT_ROLLBACK,
 * naming the rollback, recorded in its log) — the restored nonce is never
 * used a second time. Also: unused nonces per coordinator identity are
 * bounded over gRPC.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { cpSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { isQsignError, newRequestId, signRequestBody, type SignedRequest } from '@qsign/protocol';
import { encodeSignRequest } from '@qsign/rpc';
import type { Commitment } from '@qsign/proto';
import { clusterTransport, waitHealthy } from '@qsign/devcluster';
import { loadClientConfig } from '@qsign/client';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { checkpointAll, waitCosigned } from './helpers/audit.js';

let c: TestCluster;
let clientSecret: Uint8Array;
let backup: string;

function request(text: string): SignedRequest {
  return signRequestBody(encodeSignRequest({ requestId: newRequestId(), keyName: 'demo', createdAtMs: Date.now(), kind: 'raw', data: new TextEncoder().encode(text), clientName: 'dev-client', expectedGroupKey: c.groupKey() }), clientSecret);
}

async function commitmentOf(id: number, coordinator: string): Promise<Commitment> {
  const n = c.node(id);
  try {
    const x = (await n.getCommitments(1, coordinator)).commitments[0]!;
    return { identifier: id, hiding: x.hiding, binding: x.binding };
  } finally {
    n.close();
  }
}

beforeAll(async () => {
  c = await TestCluster.start({ nodes: 3, threshold: 3, noCertificate: true }); // every signature needs node 1
  clientSecret = loadClientConfig(c.file.clientConfig).secretKey;
  backup = mkdtempSync(join(tmpdir(), 'qsign-backup-'));
}, 120_000);
afterAll(async () => {
  await c?.stop();
  if (backup) rmSync(backup, { recursive: true, force: true });
});

describe('rollback detection', () => {
  it('a node restored from an earlier copy of its data refuses to sign, naming the rollback, and never reuses a nonce', async () => {
    const sigs: Uint8Array[] = [];
    await waitHealthy(c.file.coordinator.address, 3, 60_000, clusterTransport(c.file));
    sigs.push((await c.client.sign({ keyName: 'demo', kind: 'raw', data: new TextEncoder().encode('before the backup') })).signature);
    // A commitment node 1 hands out before the backup (a coordinator keeps it).
    const kept = await commitmentOf(1, c.coordinatorId());
    const node1 = c.file.nodes.find((n) => n.id === 1)!;
    await c.kill(1);
    cpSync(node1.dataDir, join(backup, 'data'), { recursive: true });
    await c.restartServing(1);
    await waitFor(async () => (await c.client.status()).nodes.some((n) => n.nodeId === 1 && n.healthy && n.cachedCommitments > 0), 60_000, 'the coordinator to use node 1 again');

    // After the backup: the kept nonce is spent on one request, and more is signed and witnessed.
    const n1 = c.node(1);
    try {
      const share = await n1.signShare({ request: request('first use of the kept nonce'), commitments: [kept, await commitmentOf(2, c.coordinatorId()), await commitmentOf(3, c.coordinatorId())], coordinatorId: c.coordinatorId() });
      expect(share.share).toHaveLength(32);
    } finally {
      n1.close();
    }
    for (let i = 0; i < 3; i++) sigs.push((await c.client.sign({ keyName: 'demo', kind: 'raw', data: new TextEncoder().encode(`after the backup ${i}`) })).signature);
    await checkpointAll(c);
    await waitCosigned(c, 2, [1], 60_000);

    // The box is restored from the earlier copy: the kept nonce is back on disk.
    await c.kill(1);
    rmSync(node1.dataDir, { recursive: true, force: true });
    cpSync(join(backup, 'data'), node1.dataDir, { recursive: true });
    await c.restartServing(1);

    const n = c.node(1);
    try {
      // Signing with the restored nonce for another message would give away node 1's share: refused.
      const again = await n.signShare({ request: request('second use of the kept nonce, another message'), commitments: [kept, await commitmentOf(2, c.coordinatorId()), await commitmentOf(3, c.coordinatorId())], coordinatorId: c.coordinatorId() }).then(() => undefined, (e) => e);
      expect(isQsignError(again, 'AUDIT_ROLLBACK'), String(again)).toBe(true);
      expect(again.message).toMatch(/rollback: witness node [23] cosigned a checkpoint of this node's log at size \d+, but the log holds \d+ records/);
      const nonces = await n.getCommitments(4, c.coordinatorId()).then(() => undefined, (e) => e);
      expect(isQsignError(nonces, 'AUDIT_ROLLBACK'), String(nonces)).toBe(true);
    } finally {
      n.close();
    }
    // Through the cluster: once the coordinator has asked node 1 again, the signature fails and says why.
    // (A coordinator that never saw node 1 down may first spend commitments it pooled before the
    // restart; every attempt must fail, and the cluster must say "rollback" once it asks node 1 again.)
    let err: any;
    await waitFor(async () => {
      err = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new TextEncoder().encode('after the restore') }).then(() => undefined, (e) => e);
      expect(err, 'a signature needing node 1 must fail').toBeDefined();
      return /rollback/.test(String(err.message));
    }, 60_000, 'the cluster to name node 1\'s rollback');
    expect(String(err.message)).toMatch(/rollback/);

    // Recorded, and in the daemon's log.
    const audit = await c.audit(1);
    const detected = audit.filter((r) => r.event === 'rollback-detected');
    expect(detected).toHaveLength(1);
    expect(detected[0]).toMatchObject({ code: 'AUDIT_ROLLBACK', reason: expect.stringMatching(/restored from an older copy/) });
    expect(audit.some((r) => r.event === 'refused' && r.code === 'AUDIT_ROLLBACK')).toBe(true);
    expect(readFileSync(node1.log, 'utf8')).toMatch(/AUDIT LOG ROLLED BACK/);
    registerSignatures(sigs);
  }, 300_000);

  it('bounds the unused nonces one coordinator identity holds, over gRPC', async () => {
    const n = c.node(2);
    try {
      const before = (await n.status()).unusedNonces;
      for (let i = 0; i < 20; i++) await n.getCommitments(256, c.coordinatorId()); // 5,120 asked for
      const after = (await n.status()).unusedNonces;
      expect(after - before).toBeLessThanOrEqual(4096);
      expect(after - before).toBeGreaterThan(3000);
      // (Under TLS the identity is the certificate's, so a caller cannot invent more of them:
      // test/nonce-owner.test.ts; the bound on identities is shown there in plaintext mode.)
      const audit = await c.audit(2);
      expect(audit.some((r) => r.event === 'nonces-expired' && r.code === 'QUOTA_EXCEEDED' && r.coordinator === c.coordinatorId())).toBe(true);
    } finally {
      n.close();
    }
  }, 300_000);
});
