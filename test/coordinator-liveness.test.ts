/**
 * Issue 12, lever "the coordinator probes before it declares too few nodes,
 * and hears about a restarted node at once" (packages/coordinator/src/liveness.ts),
 * on a real 3-of-5 cluster over mutual TLS.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { isQsignError } from '@qsign/protocol';
import { CoordinatorRpcClient } from '@qsign/rpc';
import { clusterTransport } from '@qsign/devcluster';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';

describe('coordinator liveness', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
  }, 180_000);
  afterAll(async () => c?.stop());

  const sign = async () => {
    const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) });
    registerSignatures([res.signature]);
    return res;
  };

  it('releases no share for a request that cannot complete, and says how many nodes are reachable', async () => {
    await c.kill(4);
    await c.kill(5);
    expect((await sign()).signers).toEqual([1, 2, 3]);
    await c.kill(3);
    // A node killed within the liveness window (500 ms) of its last answer is still used once (its
    // peers' shares for that attempt are then audited as abandoned); wait until the coordinator knows.
    const co = new CoordinatorRpcClient(c.file.coordinator.address, clusterTransport(c.file));
    try {
      await waitFor(async () => (await co.clusterStatus(2000)).nodes.find((n) => n.nodeId === 3)?.healthy === false, 30_000, 'the coordinator to see node 3 down');
    } finally {
      co.close();
    }
    const before = await Promise.all([1, 2].map(async (id) => (await c.audit(id)).filter((r) => r.event === 'signed').length));
    const err = await sign().then(() => undefined, (e: unknown) => e);
    expect(isQsignError(err, 'NOT_ENOUGH_NODES'), String(err)).toBe(true);
    expect(String((err as Error).message)).toMatch(/needs 3 of 5 nodes; 2 reachable/);
    const after = await Promise.all([1, 2].map(async (id) => (await c.audit(id)).filter((r) => r.event === 'signed').length));
    expect(after).toEqual(before);
  }, 120_000);

  it('signs with a restarted node as soon as it answers, without waiting for the health loop', async () => {
    // Node 3 restarts; the coordinator still marks it dead (its health loop runs once a second).
    await c.restartServing(3);
    const res = await sign();
    expect(res.signers).toEqual([1, 2, 3]);
  }, 120_000);
});
