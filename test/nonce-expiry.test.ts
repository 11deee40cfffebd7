/**
 * Nonces a node handed out but nobody used expire (nonceTtlSeconds), so they
 * neither pile up nor stay usable forever; the coordinator notices its pooled
 * commitments are gone, fetches fresh ones, and signing goes on.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { isQsignError, newRequestId, signRequestBody } from '@qsign/protocol';
import { encodeSignRequest } from '@qsign/rpc';
import { loadClientConfig } from '@qsign/client';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';

describe('nonce expiry across a running cluster', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 3, threshold: 2, nodeConfig: (_id, base) => ({ ...base, nonceTtlSeconds: 3 }) });
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('expires unused nonces with an audit record; an expired commitment is refused; the cluster still signs', async () => {
    const n1 = c.node(1);
    const n2 = c.node(2);
    try {
      // An older nonce handed out first, so an expiry sweep that removes it but
      // not `mine` always happens in this test. Waiting for just any
      // `nonces-expired` record raced with such sweeps (the coordinator's own
      // pool expires too) and made this test flaky.
      await n1.getCommitments(1, c.coordinatorId());
      await new Promise((r) => setTimeout(r, 1500));
      const mine = (await n1.getCommitments(1, c.coordinatorId())).commitments[0]!;
      const handedOutBy = Date.now();
      const other = (await n2.getCommitments(1, c.coordinatorId())).commitments[0]!;
      // Expired means: a sweep whose cutoff lies after `mine` was handed out.
      await waitFor(
        async () => (await c.audit(1)).some((r) => r.event === 'nonces-expired' && Date.parse(String(r.before)) > handedOutBy),
        20_000,
        'node 1 to expire the nonce handed out to the test',
      );
      const secret = loadClientConfig(c.file.clientConfig).secretKey;
      const body = encodeSignRequest({ requestId: newRequestId(), keyName: 'demo', createdAtMs: Date.now(), kind: 'raw', data: new Uint8Array(randomBytes(40)), clientName: 'dev-client', expectedGroupKey: c.groupKey('demo') });
      const list = [
        { identifier: 1, hiding: mine.hiding, binding: mine.binding },
        { identifier: 2, hiding: other.hiding, binding: other.binding },
      ];
      const err = await n1.signShare({ request: signRequestBody(body, secret), commitments: list, coordinatorId: c.coordinatorId() }).catch((e) => e);
      expect(isQsignError(err, 'BAD_COMMITMENTS')).toBe(true);
      expect(err.message).toMatch(/does not contain an unused commitment/);
      // The coordinator's pool went stale too: it refreshes and signs.
      const data = new Uint8Array(randomBytes(40));
      const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data });
      registerSignatures([res.signature]);
      expect(res.signers).toHaveLength(2);
    } finally {
      n1.close();
      n2.close();
    }
  });
});
