/**
 * Several coordinators against the same nodes (issue 15): each coordinator
 * identity has its own nonce pool on every node, so one coordinator can
 * neither spend nor learn another's nonces; a client that lists two
 * coordinators fails over when the one in use dies, and no nonce is reused.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '@qsign/cli';
import { isQsignError } from '@qsign/protocol';
import { TestCluster } from './helpers/cluster.js';
import { signedRequest } from './helpers/operator.js';

describe('several coordinators', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('refuses a commitment handed out to another coordinator, and keeps it for its owner', async () => {
    const secret = loadClientConfig(c.file.clientConfig).secretKey;
    const ids = [1, 2, 3];
    const clients = ids.map((id) => c.node(id));
    try {
      // Coordinator A fetches one commitment from each of three nodes.
      const list = await Promise.all(clients.map(async (n, i) => {
        const r = await n.getCommitments(1, 'coordinator-a');
        return { identifier: ids[i]!, hiding: r.commitments[0]!.hiding, binding: r.commitments[0]!.binding };
      }));
      const request = signedRequest(secret, { keyName: 'demo', kind: 'raw', data: new TextEncoder().encode('two coordinators'), clientName: 'dev-client' });
      // Coordinator B presents A's commitments: node 1 refuses, naming why, and spends nothing.
      const stolen = await clients[0]!.signShare({ request, commitments: list, coordinatorId: 'coordinator-b' }).then(
        () => undefined,
        (e: unknown) => e,
      );
      expect(isQsignError(stolen, 'BAD_COMMITMENTS'), String(stolen)).toBe(true);
      expect(String((stolen as Error).message)).toMatch(/another coordinator/);
      const refusal = (await c.audit(1)).filter((r) => r.event === 'refused' && r.coordinator === 'coordinator-b').pop();
      expect(refusal?.code).toBe('BAD_COMMITMENTS');
      // The nonce is still there for A: its own attempt is signed by all three nodes.
      const shares = await Promise.all(clients.map((n) => n.signShare({ request, commitments: list, coordinatorId: 'coordinator-a' })));
      expect(shares.map((s) => s.identifier)).toEqual(ids);
    } finally {
      for (const n of clients) n.close();
    }
  }, 60_000);
});
