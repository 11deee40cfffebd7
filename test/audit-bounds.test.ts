/**
 * Issue 9 finding 4 / acceptance 5 — bounded audit, on a real cluster:
 * the hostile RPM header (31 KB, one long dirname, 1,000 files) gives a
 * record under 64 KiB on every signing node; a digest-only signature is
 * joined by crosscheck without a false mismatch; and logs of 5,000 records
 * of 1,000-file RPMs are read completely by `qsign audit verify` and
 * `crosscheck` (real processes over real gRPC). The 5,000 records are
 * appended offline through the nodes' own record builder (the same
 * `rpmFacts` → `buildRecord` path a signature takes), then the daemons are
 * restarted on those logs.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createHash, randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { rpmFacts } from '@qsign/node';
import { AuditRpcClient } from '@qsign/rpc';
import { LogStore, Sealer } from '@qsign/storage';
import { TestCluster } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { hostileRpmHeader, syntheticRpmHeader } from './helpers/rpm-header.js';
import { checkpointAll, jsonLines, qsign } from './helpers/audit.js';

const openpgp = () => ({ signatureType: 0x00, hashAlgorithm: 'sha256' as const, createdUnixSeconds: Math.floor(Date.now() / 1000) });
const sha256hex = (b: Uint8Array) => createHash('sha256').update(b).digest('hex');

/** Every record of one log, as stored (bytes) and decoded. */
async function records(address: string, cluster: TestCluster): Promise<Array<{ bytes: Uint8Array; rec: Record<string, any> }>> {
  const c = new AuditRpcClient(address, undefined, cluster.as('client'));
  try {
    const out: Array<{ bytes: Uint8Array; rec: Record<string, any> }> = [];
    for await (const r of c.allRecords()) out.push({ bytes: r.record, rec: JSON.parse(new TextDecoder().decode(r.record)) });
    return out;
  } finally {
    c.close();
  }
}

describe('bounded audit on a cluster', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 3, threshold: 2, nodeConfig: (_id, base) => ({ ...base, digestOnlyKeys: ['demo'] }) });
  }, 120_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('records the hostile RPM header in under 64 KiB on every signing node', async () => {
    const header = hostileRpmHeader();
    const res = await c.client.sign({ keyName: 'demo', kind: 'rpm-header', data: header, openpgp: openpgp() });
    registerSignatures([res.signature]);
    for (const id of res.signers) {
      const mine = (await records(c.file.nodes.find((n) => n.id === id)!.address, c)).filter((r) => r.rec.requestId === res.requestId && r.rec.event === 'signed');
      expect(mine).toHaveLength(1);
      expect(mine[0]!.bytes.length).toBeLessThan(64 * 1024);
      expect(mine[0]!.rec.rpm).toMatchObject({ name: 'hostile', nevra: 'hostile-1-1.noarch', fileCount: 1000, filesTruncated: true, filesSummary: { count: 1000 } });
    }
  }, 120_000);

  it('records a digest-only signature with the digest of the message signed, so crosscheck joins it', async () => {
    const digest = new Uint8Array(randomBytes(32));
    const res = await c.client.sign({ keyName: 'demo', kind: 'digest', data: digest, openpgp: { ...openpgp(), signatureType: 0x00 } });
    registerSignatures([res.signature]);
    const issued = (await records(c.file.coordinator.address, c)).find((r) => r.rec.requestId === res.requestId && r.rec.event === 'issued')!;
    for (const id of res.signers) {
      const signed = (await records(c.file.nodes.find((n) => n.id === id)!.address, c)).find((r) => r.rec.requestId === res.requestId && r.rec.event === 'signed')!;
      expect(signed.rec.digest).toBe(issued.rec.digest);
      expect(signed.rec.details.opaqueDigest).toBe(bytesToHex(digest));
    }
    await checkpointAll(c);
    const cross = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--no-state', '--json']);
    expect(jsonLines(cross.stdout).filter((l) => l.type === 'finding'), cross.stdout + cross.stderr).toEqual([]);
    expect(cross.code).toBe(0);
  }, 120_000);

  it('reads logs of 5,000 records of 1,000-file RPMs completely with verify and crosscheck', async () => {
    const COUNT = 5000;
    const headers = Array.from({ length: 20 }, (_, i) => syntheticRpmHeader(`big-${i}`, '1.0', 1000));
    const facts = headers.map((h) => rpmFacts(h));
    const signers = [1, 2];
    // Stop the daemons that hold the logs, append, start them again.
    for (const id of signers) await c.kill(id);
    const co = c.file.coordinator;
    process.kill(co.pid, 'SIGTERM');
    const { alive } = await import('@qsign/devcluster');
    const { waitFor } = await import('./helpers/cluster.js');
    await waitFor(() => !alive(co.pid), 15_000, 'coordinator to stop');
    const entries = Array.from({ length: COUNT }, (_, i) => {
      const h = headers[i % headers.length]!;
      const digest = bytesToHex(randomBytes(32));
      return {
        requestId: `bulk-${i}`,
        client: 'dev-client',
        keyName: 'demo',
        payloadKind: 'rpm-header',
        dataSha256: sha256hex(h),
        messageSha256: digest,
        signers,
        fileName: `big-${i % headers.length}-1.0-1.noarch.rpm`,
        rpm: facts[i % headers.length],
      };
    });
    const appendAll = async (dir: string, event: string, extra: (i: number) => Record<string, unknown>) => {
      const store = await LogStore.open(dir, new Sealer(new Uint8Array(32)));
      try {
        for (let i = 0; i < COUNT; i += 500) await store.audit.appendMany(entries.slice(i, i + 500).map((e, j) => ({ ...e, event, ...extra(i + j) })));
      } finally {
        await store.close();
      }
    };
    for (const id of signers) await appendAll(c.file.nodes.find((n) => n.id === id)!.dataDir, 'signed', (i) => ({ nonce: bytesToHex(randomBytes(32)), attempt: 1, seqHint: i }));
    await appendAll(co.dataDir, 'issued', () => ({ rpm: undefined, signature: bytesToHex(randomBytes(64)) }));
    for (const id of signers) await c.restart(id, { QSIGN_TEST_FAULTS: '1' }, false);
    await c.restartCoordinator();
    await checkpointAll(c);

    const verify = await qsign(['audit', 'verify', '--cluster', c.dir, '--json'], 300_000);
    expect(verify.code, verify.stdout.slice(0, 4000) + verify.stderr).toBe(0);
    const logs = jsonLines(verify.stdout).filter((l) => l.type === 'log');
    for (const l of logs) {
      expect(l.ok).toBe(true);
      expect(l.checkpointedSize).toBe(l.size);
      if (l.log !== 'node-3') expect(l.size).toBeGreaterThan(COUNT);
    }

    const cross = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--no-state', '--json'], 300_000);
    const lines = jsonLines(cross.stdout);
    expect(lines.filter((l) => l.type === 'finding'), cross.stdout.slice(0, 4000) + cross.stderr).toEqual([]);
    expect(cross.code).toBe(0);
    const summary = lines.find((l) => l.type === 'summary')!;
    expect(summary.issued).toBeGreaterThanOrEqual(COUNT + 2);
    expect(summary.accounted).toBe(summary.issued);
    expect(summary.nodeSignatures).toBeGreaterThanOrEqual(2 * COUNT);
  }, 600_000);
});
