/**
 * Several coordinators against the same nodes (issue 15): each coordinator
 * identity has its own nonce pool on every node, so one coordinator can
 * neither spend nor learn another's nonces; a client that lists two
 * coordinators fails over when the one in use dies, and no nonce is reused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '@qsign/client';
import { isQsignError } from '@qsign/protocol';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { clusterCoordinators } from '@qsign/devcluster';
import { QsignClient } from '@qsign/client';
import { signedRequest } from './helpers/operator.js';

describe('several coordinators', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3, coordinators: 2 });
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('refuses a commitment handed out to another coordinator, and keeps it for its owner', async () => {
    const secret = loadClientConfig(c.file.clientConfig).secretKey;
    const ids = [1, 2, 3];
    const [a, b] = [c.coordinatorId(0), c.coordinatorId(1)];
    const clients = ids.map((id) => c.node(id, 0));
    const asB = c.node(1, 1);
    try {
      // Coordinator A fetches one commitment from each of three nodes.
      const list = await Promise.all(clients.map(async (n, i) => {
        const r = await n.getCommitments(1, a);
        return { identifier: ids[i]!, hiding: r.commitments[0]!.hiding, binding: r.commitments[0]!.binding };
      }));
      const request = signedRequest(secret, { keyName: 'demo', kind: 'raw', data: new TextEncoder().encode('two coordinators'), clientName: 'dev-client', expectedGroupKey: c.groupKey() });
      // Coordinator B (its own certificate and name) presents A's commitments: node 1 refuses, naming why, and spends nothing.
      const stolen = await asB.signShare({ request, commitments: list, coordinatorId: b }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isQsignError(stolen, 'BAD_COMMITMENTS'), String(stolen)).toBe(true);
      expect(String((stolen as Error).message)).toMatch(/another coordinator/);
      const refusal = (await c.audit(1)).filter((r) => r.event === 'refused' && r.coordinator === b).pop();
      expect(refusal?.code).toBe('BAD_COMMITMENTS');
      // The nonce is still there for A: its own attempt is signed by all three nodes.
      const shares = await Promise.all(clients.map((n) => n.signShare({ request, commitments: list, coordinatorId: a })));
      expect(shares.map((s) => s.identifier)).toEqual(ids);
    } finally {
      for (const n of [...clients, asB]) n.close();
    }
  }, 60_000);

  it('keeps signing through the other coordinator when the one in use is killed under load; no nonce is reused', async () => {
    const failovers: string[] = [];
    const client = new QsignClient(loadClientConfig(c.file.clientConfig), (m) => failovers.push(m));
    const [first, second] = clusterCoordinators(c.file);
    const signatures: Uint8Array[] = [];
    const failures: unknown[] = [];
    let stop = false;
    let n = 0;
    const worker = async () => {
      while (!stop) {
        const data = new TextEncoder().encode(`under load ${n++}`);
        try {
          signatures.push((await client.sign({ keyName: 'demo', kind: 'raw', data }, 60_000)).signature);
        } catch (e) {
          failures.push(e);
        }
      }
    };
    try {
      const workers = [worker(), worker(), worker(), worker()];
      await waitFor(() => signatures.length >= 8 || failures.length > 0, 120_000, '8 signatures through the first coordinator');
      expect(client.coordinator).toBe(first!.address);
      await c.killCoordinator(0);
      const atKill = signatures.length;
      await waitFor(() => signatures.length >= atKill + 12 || failures.length > 0, 120_000, '12 more signatures after the kill');
      stop = true;
      await Promise.all(workers);
      expect(failures.map(String)).toEqual([]);
      expect(client.coordinator).toBe(second!.address);
      expect(failovers.length).toBeGreaterThan(0);
      expect(failovers[0]).toMatch(new RegExp(`coordinator at ${first!.address} is unreachable.*trying coordinator ${second!.address}`));
      registerSignatures(signatures);
    } finally {
      stop = true;
      client.close();
    }
  }, 300_000);
});
