/**
 * A node's nonce pools are owned by the coordinator identity in the caller's
 * TLS certificate (qsign:coordinator:NAME), not by the coordinatorId a
 * message claims: a coordinator with a valid certificate can neither take
 * nonces into another coordinator's pool (draining it through the quota)
 * nor spend another's commitments nor act on another's holds by naming it.
 * Each such call is refused with PEER_REFUSED and recorded in the audit log.
 * Only the development plaintext mode (loopback) takes the message's id, and
 * there the number of identities holding nonces is bounded.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadClientConfig } from '@qsign/client';
import { isQsignError } from '@qsign/protocol';
import type { NodeRpcClient } from '@qsign/rpc';
import { TestCluster } from './helpers/cluster.js';
import { signedRequest } from './helpers/operator.js';

describe('nonce pool owner bound to the TLS certificate', () => {
  let c: TestCluster;
  let a: string;
  let b: string;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 3, threshold: 2, coordinators: 2 });
    [a, b] = [c.coordinatorId(0), c.coordinatorId(1)];
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  /** Node clients 1 and 2 as coordinator number `index`. */
  const nodesAs = (index: number): NodeRpcClient[] => [c.node(1, index), c.node(2, index)];
  const closeAll = (ns: NodeRpcClient[]) => ns.forEach((n) => n.close());
  const refusedFor = async (node: number, by: string) => (await c.audit(node)).filter((r) => r.event === 'refused' && r.code === 'PEER_REFUSED' && r.coordinator === by);
  const request = (text: string) => signedRequest(loadClientConfig(c.file.clientConfig).secretKey, { keyName: 'demo', kind: 'raw', data: new TextEncoder().encode(text), clientName: 'dev-client', expectedGroupKey: c.groupKey() });

  it('refuses commitments asked for in another coordinator\'s name, and records who asked', async () => {
    const [asB] = nodesAs(1);
    try {
      const before = (await refusedFor(1, b)).length;
      const e = await asB!.getCommitments(4, a).then(() => undefined, (x: unknown) => x);
      expect(isQsignError(e, 'PEER_REFUSED'), String(e)).toBe(true);
      expect(String((e as Error).message)).toContain(`qsign:coordinator:${b}`);
      const after = await refusedFor(1, b);
      expect(after.length).toBe(before + 1);
      expect(String(after.at(-1)!.reason)).toContain(JSON.stringify(a));
      // Its own name is served: the pool it fills is its own.
      expect((await asB!.getCommitments(1, b)).commitments).toHaveLength(1);
    } finally {
      asB!.close();
    }
  }, 60_000);

  it('refuses to spend another coordinator\'s commitments in its name, and leaves them to their owner', async () => {
    const asA = nodesAs(0);
    const asB = nodesAs(1);
    try {
      const list = await Promise.all(asA.map(async (n, i) => ({ identifier: i + 1, ...(await n.getCommitments(1, a)).commitments[0]! })));
      const req = request('spent in another coordinator\'s name');
      const stolen = await asB[0]!.signShare({ request: req, commitments: list, coordinatorId: a }).then(() => undefined, (x: unknown) => x);
      expect(isQsignError(stolen, 'PEER_REFUSED'), String(stolen)).toBe(true);
      expect((await refusedFor(1, b)).length).toBeGreaterThan(0);
      // The nonces are unspent: the owner signs with them on both nodes.
      const shares = await Promise.all(asA.map((n) => n.signShare({ request: req, commitments: list, coordinatorId: a })));
      expect(shares.map((s) => s.identifier)).toEqual([1, 2]);
    } finally {
      closeAll([...asA, ...asB]);
    }
  }, 60_000);

  it('refuses CheckRequest and EndRequest in another coordinator\'s name', async () => {
    const [asB] = nodesAs(1);
    try {
      const req = request('checked in another coordinator\'s name');
      const checked = await asB!.checkRequest(req, a).then(() => undefined, (x: unknown) => x);
      expect(isQsignError(checked, 'PEER_REFUSED'), String(checked)).toBe(true);
      const ended = await asB!.endRequest(req, a, 'abandoned').then(() => undefined, (x: unknown) => x);
      expect(isQsignError(ended, 'PEER_REFUSED'), String(ended)).toBe(true);
      expect((await asB!.checkRequest(req, b)).ready).toBe(true);
    } finally {
      asB!.close();
    }
  }, 60_000);
});

describe('nonce pool owner in the development plaintext mode', () => {
  let c: TestCluster;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 3, threshold: 2, plaintext: true });
  }, 180_000);
  afterAll(async () => {
    await c?.stop();
  });

  it('takes the message\'s coordinatorId, and refuses new identities once 16 hold nonces', async () => {
    const n = c.node(2);
    try {
      expect((await n.getCommitments(1, 'made-up-coordinator')).commitments).toHaveLength(1);
      let refused: unknown;
      for (let i = 0; i < 20 && !refused; i++) refused = await n.getCommitments(1, `identity-${i}`).then(() => undefined, (e: unknown) => e);
      expect(isQsignError(refused, 'QUOTA_EXCEEDED'), String(refused)).toBe(true);
      expect((await c.audit(2)).some((r) => r.event === 'refused' && r.code === 'QUOTA_EXCEEDED')).toBe(true);
    } finally {
      n.close();
    }
  }, 60_000);
});
