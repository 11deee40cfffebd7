/**
 * Issue #4 acceptance 5: a restarted node signs nothing until it is unsealed
 * with K unseal shares; too few or wrong shares give a clear error (and are
 * audited); no share or nonce is readable on disk (the LevelDB files are
 * searched for the plaintext share and a nonce, with a positive control).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { randomBytes } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import { QSIGN_BIN } from '@qsign/devcluster';
import { splitKey } from '@qsign/ceremony';
import { encodeShareFile, isQsignError } from '@qsign/protocol';
import { loadNodeConfig, openStoreWithShares } from '@qsign/node';
import { AuditRpcClient, NodeAdminRpcClient, NodeSealRpcClient } from '@qsign/rpc';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { grepDir } from './helpers/secrets.js';

const run = promisify(execFile);

async function qsign(args: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  try {
    const r = await run(process.execPath, [QSIGN_BIN, ...args]);
    return { code: 0, stdout: r.stdout, stderr: r.stderr };
  } catch (e) {
    const x = e as { code: number; stdout: string; stderr: string };
    return { code: x.code, stdout: x.stdout, stderr: x.stderr };
  }
}

describe('sealed nodes', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 3, threshold: 2, keyName: 'demo', unseal: { threshold: 2, shares: 3 } });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('a restarted node is sealed and signs nothing until unsealed with K shares; too few or wrong shares are refused clearly', async () => {
    const shares = c.file.unsealShares!;
    expect(shares[1]).toHaveLength(3);
    const sig = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) });
    registerSignatures([sig.signature]);

    await c.kill(1);
    await c.restart(1, undefined, false);
    const cfg = loadNodeConfig(c.file.nodes[0]!.config);
    const admin = new NodeAdminRpcClient(cfg.adminSocket);
    await waitFor(async () => (await admin.status(1000).catch(() => undefined))?.sealed === true, 15_000, 'node 1 to report sealed');
    admin.close();

    // Sealed: the audit log is still served (records), but no new checkpoint: the identity key is sealed.
    const a1 = new AuditRpcClient(c.file.nodes[0]!.address, undefined, c.as('client'));
    try {
      expect((await a1.records(0, 10)).records.length).toBeGreaterThan(0);
      await expect(a1.checkpoint(true)).rejects.toSatisfy((e) => isQsignError(e, 'SEALED'));
    } finally {
      a1.close();
    }

    // Sealed: no commitments, no signature shares (SEALED), and the cluster cannot use it.
    const n1 = c.node(1);
    await expect(n1.getCommitments(1, c.coordinatorId())).rejects.toSatisfy((e) => isQsignError(e, 'SEALED'));
    n1.close();
    await c.kill(2);
    await expect(c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) })).rejects.toThrow(/node 1|not enough|cannot sign/i);

    // Too few shares.
    const few = await qsign(['node', 'unseal', '--config', c.file.nodes[0]!.config, shares[1]![0]!]);
    expect(few.code).not.toBe(0);
    expect(few.stderr).toMatch(/too few unseal shares: 1 distinct given, 2 needed/);
    expect(few.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Wrong shares (node 2's).
    const wrong = await qsign(['node', 'unseal', '--config', c.file.nodes[0]!.config, shares[2]![0]!, shares[2]![1]!]);
    expect(wrong.code).not.toBe(0);
    expect(wrong.stderr).toMatch(/do not reconstruct this node's master key/);
    // Still sealed.
    const n1b = c.node(1);
    await expect(n1b.getCommitments(1, c.coordinatorId())).rejects.toSatisfy((e) => isQsignError(e, 'SEALED'));
    n1b.close();

    // The right K shares, from stdin.
    const ok = await new Promise<{ code: number | null; out: string }>((resolve) => {
      const child = execFile(process.execPath, [QSIGN_BIN, 'node', 'unseal', '--config', c.file.nodes[0]!.config], (err, stdout) => resolve({ code: err ? 1 : 0, out: stdout }));
      child.stdin!.end(`${shares[1]![2]}\n${shares[1]![0]}\n`);
    });
    expect(ok.out).toMatch(/node 1 unsealed/);
    expect(ok.code).toBe(0);
    await waitFor(async () => (await c.client.status()).nodes.find((n) => n.nodeId === 1)?.cachedCommitments! > 0, 15_000, 'node 1 healthy');
    const after = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) });
    expect(after.signers).toEqual([1, 3]);
    registerSignatures([after.signature]);
    // Unsealed without a restart: the audit notary signs checkpoints again.
    const a1b = new AuditRpcClient(c.file.nodes[0]!.address, undefined, c.as('client'));
    try {
      expect((await a1b.checkpoint(true)).checkpoint).toMatch(/^qsign-node-1\./);
    } finally {
      a1b.close();
    }

    const audit = await c.audit(1);
    const refusals = audit.filter((r) => r.event === 'refused' && r.operation === 'unseal');
    expect(refusals.map((r) => r.reason)).toEqual([expect.stringMatching(/too few/), expect.stringMatching(/do not reconstruct/)]);
    expect(audit.filter((r) => r.event === 'unsealed').length).toBeGreaterThanOrEqual(2); // cluster up, and now
    await c.restart(2, undefined, false);
    await c.unseal(2);
  });

  it('no share or nonce is readable in the LevelDB files', async () => {
    // A key whose shares the test knows, imported over the operator socket.
    const { files } = splitKey({ keyName: 'grep-me', threshold: 2, shares: 3, userId: 'grep <grep@example.org>' });
    const cfg = loadNodeConfig(c.file.nodes[2]!.config);
    const seal = new NodeSealRpcClient(cfg.adminSocket);
    await seal.importShares([encodeShareFile(files[2]!)]);
    seal.close();
    // Nonces exist (the coordinator fetched commitments); stop the node and read one back with the unseal shares.
    await c.kill(3);
    const store = await openStoreWithShares(cfg, c.file.unsealShares![3]!.slice(0, 2));
    const key = await store.getKey('grep-me');
    expect(bytesToHex(key!.share)).toBe(bytesToHex(files[2]!.share));
    const nonceIds: Uint8Array[] = [];
    // eslint-disable-next-line @typescript-eslint/no-explicit-any
    for await (const k of (store as any).db.keys({ gt: 'n!', lt: 'n!\xff', limit: 3 })) nonceIds.push(Buffer.from(k.slice(2), 'hex'));
    expect(nonceIds.length).toBeGreaterThan(0);
    const nonces = await Promise.all(nonceIds.map((h) => store.getNonce(h)));
    await store.close();
    const secrets = [files[2]!.share, ...nonces.flatMap((n) => [n!.hiding, n!.binding])];
    expect(grepDir(cfg.dataDir, secrets)).toEqual([]);
    // Positive control: public values stored in the clear ARE found by the same search.
    expect(grepDir(cfg.dataDir, [files[2]!.groupPublicKey])).toHaveLength(1);
    await c.restart(3, undefined, false);
  });
});
