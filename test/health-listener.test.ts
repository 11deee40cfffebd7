/**
 * `healthListen`: the optional plaintext listener for Kubernetes gRPC probes
 * (which cannot present a client certificate) serves grpc.health.v1 and
 * nothing else — the node's and coordinator's own services stay reachable
 * only on their mutual-TLS ports.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { readFileSync, writeFileSync } from 'node:fs';
import { CoordinatorRpcClient, NodeRpcClient, ServingStatus, checkHealth } from '@qsign/rpc';
import { freePort } from '@qsign/devcluster';
import { TestCluster } from './helpers/cluster.js';

/** What a kubelet probe speaks: plaintext, no client certificate. */
const PLAIN = { kind: 'insecure' } as const;

describe('plaintext health listener (healthListen)', () => {
  let c: TestCluster;
  const health: Record<string, string> = {};

  beforeAll(async () => {
    for (const id of [1, 2, 3]) health[`node${id}`] = `127.0.0.1:${await freePort()}`;
    health.coordinator = `127.0.0.1:${await freePort()}`;
    c = await TestCluster.start({ nodes: 3, threshold: 2, nodeConfig: (id, base) => ({ ...base, healthListen: health[`node${id}`] }) });
    const cfgPath = c.file.coordinator.config;
    writeFileSync(cfgPath, JSON.stringify({ ...JSON.parse(readFileSync(cfgPath, 'utf8')), healthListen: health.coordinator }, null, 2));
    await c.restartCoordinator();
  }, 240_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('answers grpc.health.v1 Check in plaintext for nodes and the coordinator', async () => {
    for (const id of [1, 2, 3]) {
      expect(await checkHealth(health[`node${id}`]!, '', 5000, PLAIN)).toBe(ServingStatus.SERVING);
      expect(await checkHealth(health[`node${id}`]!, 'qsign.v1.Node', 5000, PLAIN)).toBe(ServingStatus.SERVING);
    }
    expect(await checkHealth(health.coordinator!, 'qsign.v1.Coordinator', 5000, PLAIN)).toBe(ServingStatus.SERVING);
    await expect(checkHealth(health.node1!, 'no.such.Service', 5000, PLAIN)).rejects.toThrow(/NOT_FOUND|unknown service/);
  });

  it('serves no other service: node and coordinator calls are unimplemented there', async () => {
    const node = new NodeRpcClient(health.node1!, 'node 1 health port', PLAIN);
    const coordinator = new CoordinatorRpcClient(health.coordinator!, PLAIN);
    try {
      await expect(node.status(5000)).rejects.toThrow(/UNIMPLEMENTED|not implemented|unimplemented/i);
      await expect(coordinator.clusterStatus(5000)).rejects.toThrow(/UNIMPLEMENTED|not implemented|unimplemented/i);
    } finally {
      node.close();
      coordinator.close();
    }
    // The same calls do work on the mutual-TLS port, so the refusal above is the listener's doing.
    const direct = c.node(1);
    try {
      expect((await direct.status(5000)).nodeId).toBe(1);
    } finally {
      direct.close();
    }
  });

  it('goes down with its node and comes back when the node restarts', async () => {
    await c.kill(2);
    await expect(checkHealth(health.node2!, '', 2000, PLAIN)).rejects.toThrow();
    await c.restartServing(2);
    expect(await checkHealth(health.node2!, '', 5000, PLAIN)).toBe(ServingStatus.SERVING);
  }, 120_000);
});
