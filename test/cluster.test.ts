/**
 * Issue #2 acceptance 3, 4 and 6: a real 3-of-5 cluster (separate processes,
 * gRPC on loopback, LevelDB on disk) signs; survives a killed node; fails
 * fast without a quorum; names and excludes a node that sends a corrupted
 * share; and never reuses a nonce, also across a crash.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createPublicKey, verify, randomBytes } from 'node:crypto';
import { hexToBytes } from '@noble/hashes/utils.js';
import { DIGEST_LIKE_LENGTHS, isQsignError, signRequestBody, newRequestId } from '@qsign/protocol';
import { encodeSignRequest } from '@qsign/rpc';
import { TestCluster } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';

function opensslVerify(pub: Uint8Array, msg: Uint8Array, sig: Uint8Array): boolean {
  const key = createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), pub]), format: 'der', type: 'spki' });
  return verify(null, msg, key, sig);
}

/** Raw data the size of a hash value is an opaque digest, which nodes refuse unless the key is digest-only. */
function notDigestSized(n: number): number {
  return DIGEST_LIKE_LENGTHS.includes(n) ? n + 1 : n;
}

async function signMany(c: TestCluster, count: number, concurrency: number) {
  const msgs = Array.from({ length: count }, (_, i) => new Uint8Array(randomBytes(notDigestSized(1 + (i % 300)))));
  const out: Array<{ msg: Uint8Array; sig: Uint8Array; signers: number[] }> = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < msgs.length) {
        const msg = msgs[next++]!;
        const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: msg });
        out.push({ msg, sig: res.signature, signers: res.signers });
      }
    }),
  );
  return out;
}

describe('3-of-5 cluster, multi-process', () => {
  let c: TestCluster;
  let pub: Uint8Array;
  beforeAll(async () => {
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
    pub = (await c.client.key('demo')).groupPublicKey;
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('signs 200 messages, each verified by OpenSSL, with 3 signers each', async () => {
    const sigs = await signMany(c, 200, 8);
    expect(sigs).toHaveLength(200);
    for (const s of sigs) {
      expect(opensslVerify(pub, s.msg, s.sig)).toBe(true);
      expect(s.signers).toHaveLength(3);
    }
    registerSignatures(sigs.map((s) => s.sig));
    // A changed message does not verify under the same signature.
    const bad = Uint8Array.from(sigs[0]!.msg);
    bad[0]! ^= 1;
    expect(opensslVerify(pub, bad, sigs[0]!.sig)).toBe(false);
  });

  it('names and excludes a node that returns a corrupted share, and still signs', async () => {
    const n2 = c.node(2);
    await n2.setFault('corrupt-share');
    try {
      let named = false;
      for (let i = 0; i < 40 && !named; i++) {
        const msg = new Uint8Array(randomBytes(40));
        const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: msg });
        expect(opensslVerify(pub, msg, res.signature)).toBe(true);
        registerSignatures([res.signature]);
        expect(res.signers).not.toContain(2);
        const ex = res.excluded.find((x) => x.nodeId === 2);
        if (ex) {
          expect(ex.reason).toMatch(/invalid signature share/);
          named = true;
        }
      }
      expect(named).toBe(true);
      expect(c.log(0)).toMatch(/node 2 sent an invalid signature share/);
    } finally {
      await n2.setFault('');
      n2.close();
    }
  });

  it('never reuses a nonce across a crash between the durable write and the reply', async () => {
    const n4 = c.node(4);
    await n4.setFault('crash-after-write');
    n4.close();
    // Sign until node 4 is picked: it records, deletes its nonce, and dies before replying.
    for (let i = 0; i < 20; i++) {
      const msg = new Uint8Array(randomBytes(33));
      const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: msg });
      expect(opensslVerify(pub, msg, res.signature)).toBe(true);
      registerSignatures([res.signature]);
      if (res.excluded.some((x) => x.nodeId === 4)) break;
    }
    await c.waitExit(4);
    await c.restart(4);
    const records = await c.audit(4);
    const signed = records.filter((r) => r.event === 'signed');
    const last = signed[signed.length - 1]!;
    expect(typeof last.nonce).toBe('string');
    // Replaying the consumed commitment to the restarted node is refused: the nonce is gone.
    const client = (await import('@qsign/client')).loadClientConfig(c.file.clientConfig);
    const body = encodeSignRequest({ requestId: newRequestId(), keyName: 'demo', createdAtMs: Date.now(), kind: 'raw', data: new Uint8Array([1, 2, 3]), clientName: 'dev-client', expectedGroupKey: c.groupKey('demo') });
    const signed2 = signRequestBody(body, client.secretKey);
    const others = await Promise.all([1, 3].map(async (id) => {
      const n = c.node(id);
      try {
        return { identifier: id, ...(await n.getCommitments(1, c.coordinatorId())).commitments[0]! };
      } finally {
        n.close();
      }
    }));
    const own = { identifier: 4, hiding: hexToBytes(last.nonce as string), binding: new Uint8Array(32).fill(7) };
    const list = [others[0]!, others[1]!, own].sort((a, b) => a.identifier - b.identifier).map((x) => ({ identifier: x.identifier, hiding: x.hiding, binding: x.binding }));
    const node4 = c.node(4);
    try {
      const err = await node4.signShare({ request: signed2, commitments: list, coordinatorId: c.coordinatorId() }).catch((e) => e);
      expect(isQsignError(err, 'BAD_COMMITMENTS')).toBe(true);
      expect(err.message).toMatch(/does not contain an unused commitment/);
      // And the cluster still signs with node 4 back.
      const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array([9]) });
      registerSignatures([res.signature]);
      expect(opensslVerify(pub, new Uint8Array([9]), res.signature)).toBe(true);
    } finally {
      node4.close();
    }
  });

  it('still signs with one node SIGKILLed, and fails fast naming reachable/needed with three down', async () => {
    await c.kill(5);
    for (let i = 0; i < 10; i++) {
      const msg = new Uint8Array(randomBytes(65));
      const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: msg });
      expect(opensslVerify(pub, msg, res.signature)).toBe(true);
      expect(res.signers).not.toContain(5);
      registerSignatures([res.signature]);
    }
    await c.kill(4);
    await c.kill(3);
    const t0 = Date.now();
    const err = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array([1]) }).catch((e) => e);
    const elapsed = Date.now() - t0;
    expect(isQsignError(err, 'NOT_ENOUGH_NODES')).toBe(true);
    expect(err.message).toMatch(/needs 3 of 5 nodes; 2 reachable/);
    expect(elapsed).toBeLessThan(5000);
  });
});
