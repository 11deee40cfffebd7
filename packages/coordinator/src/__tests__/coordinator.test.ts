import { afterEach, describe, expect, it, vi } from 'vitest';
import { verify, createPublicKey } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import { QsignError, STALE_COMMITMENT, type SignRequest, type SignedRequest } from '@qsign/protocol';
import type { KeyInfo } from '@qsign/proto';
import { Coordinator, type NodePort } from '../coordinator.js';

/** An in-process node over real FROST: hands out commitments, signs with its nonces. */
/** Faults and behaviours of a fake node; `hold` makes it answer HELD until `approved`. */
interface Faults {
  corrupt?: boolean;
  down?: boolean;
  forget?: boolean;
  hold?: { approved: boolean; checks: number; onCheck?: () => void; lists: string[] };
}

function fakeNode(id: number, share: frost.SecretSigningShare, info: KeyInfo, opts: Faults): NodePort {
  const nonces = new Map<string, frost.SecretSigningNonces>();
  const up = () => {
    if (opts.down) throw new QsignError('NODE_UNAVAILABLE', `node ${id} is unreachable: connection refused`, { details: { transport: true } });
  };
  return {
    address: `fake:${id}`,
    status: async () => (up(), {} as never),
    getCommitments: async (count) => {
      up();
      const commitments = Array.from({ length: count }, () => {
        const c = frost.commit(id, new Uint8Array(32).fill(id));
        nonces.set(bytesToHex(c.commitments.hiding), c.nonces);
        return { hiding: c.commitments.hiding, binding: c.commitments.binding };
      });
      return { nodeId: id, commitments };
    },
    signShare: async (req) => {
      up();
      const own = req.commitments.find((c) => c.identifier === id)!;
      // Held for its operator: the nonce stays unused (the coordinator may send the same list again).
      opts.hold?.lists.push(req.commitments.map((c) => `${c.identifier}:${bytesToHex(c.hiding)}`).join(','));
      if (opts.hold && !opts.hold.approved) throw new QsignError('HELD', `node ${id}: held for operator approval`, { details: { holdId: `hold-${id}`, expiresAtMs: 4e12 } });
      if (opts.forget) {
        // Its nonces expired: everything pooled so far is unknown to it now.
        opts.forget = false;
        nonces.clear();
      }
      const n = nonces.get(bytesToHex(own.hiding));
      if (!n) throw new QsignError('BAD_COMMITMENTS', `node ${id}: no unused commitment`, { details: { commitment: STALE_COMMITMENT } });
      nonces.delete(bytesToHex(own.hiding));
      const s = frost.signShare(share, info.groupPublicKey, n, req.commitments, req.request!.body);
      if (opts.corrupt) s.share[0] ^= 1;
      return s;
    },
    checkRequest: async () => {
      up();
      if (!opts.hold) return { ready: true, holdId: '', expiresUnixMs: 0 };
      opts.hold.checks++;
      opts.hold.onCheck?.();
      return { ready: opts.hold.approved, holdId: `hold-${id}`, expiresUnixMs: 4e12 };
    },
    endRequest: async () => undefined,
    getKey: async () => (up(), { ...info, identifier: id }),
    attestKey: async () => {
      throw new Error('unused');
    },
    putCertificate: async () => {
      throw new Error('unused');
    },
    close: () => undefined,
  };
}

function cluster(min: number, max: number, faults: Record<number, Faults>) {
  const { shares, publicKeyPackage: pkp } = frost.trustedDealerKeygen(min, max);
  const info: KeyInfo = {
    name: 'k', minSigners: min, maxSigners: max, groupPublicKey: pkp.groupPublicKey, identifier: 0,
    verifyingShares: Object.fromEntries(pkp.verifyingShares), createdUnixSeconds: 1, userId: 'u', fingerprint: new Uint8Array(0), certificate: new Uint8Array(0),
  };
  const nodes = shares.map((s) => ({ id: s.identifier, port: fakeNode(s.identifier, s, info, faults[s.identifier] ?? {}) }));
  const decode = (body: Uint8Array): SignRequest => ({ requestId: 'r1', keyName: 'k', createdAtMs: 1, kind: 'raw', data: body, clientName: 'c' });
  const c = new Coordinator(nodes, { coordinatorId: 'test', shareTimeoutMs: 1000, decode, log: () => undefined, poolBatch: 4, poolLowWater: 1, approvalPollMs: 5 });
  return { c, gpk: pkp.groupPublicKey };
}

const signed = (body: string): SignedRequest => ({ body: new TextEncoder().encode(body), clientPublicKey: new Uint8Array(32), clientSignature: new Uint8Array(64) });
const spki = (raw: Uint8Array) => createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });

describe('Coordinator over in-process nodes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('excludes and names a node that sends a bad share, and still signs', async () => {
    // Ascending random values keep the holders in identifier order: node 1 is in the first attempt.
    let r = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => (r += 0.01));
    const { c, gpk } = cluster(2, 3, { 1: { corrupt: true } });
    await c.checkHealth();
    const out = await c.sign(signed('hello'));
    expect(out.excluded).toEqual([{ nodeId: 1, reason: 'sent an invalid signature share' }]);
    expect(out.signers).not.toContain(1);
    expect(verify(null, out.message, spki(gpk), Buffer.from(out.signature))).toBe(true);
  });

  it('refreshes the pool of a node whose pooled commitments expired, and signs with it', async () => {
    const { c } = cluster(3, 3, { 2: { forget: true } });
    await c.checkHealth();
    const out = await c.sign(signed('hello'));
    expect(out.signers).toEqual([1, 2, 3]);
    expect(out.excluded).toEqual([]);
  });

  it('says how many nodes are needed, reachable and usable when too few answer', async () => {
    const faults: Record<number, { down?: boolean }> = { 2: {}, 4: {}, 5: {} };
    const { c } = cluster(3, 5, faults);
    await c.checkHealth();
    await c.getKey('k'); // the key view is known; then three holders go down
    for (const f of Object.values(faults)) f.down = true;
    const e = await c.sign(signed('hello')).catch((x: unknown) => x as QsignError);
    expect(e).toBeInstanceOf(QsignError);
    expect((e as QsignError).code).toBe('NOT_ENOUGH_NODES');
    expect((e as QsignError).message).toContain('key k needs 3 of 5 nodes; 2 reachable, 2 usable');
    expect((e as QsignError).details).toMatchObject({ needed: 3, reachable: 2 });
  });

  it('waits for operator approval when a node answers HELD, then signs with the list it parked', async () => {
    const hold: NonNullable<Faults['hold']> = { approved: false, checks: 0, lists: [] };
    const { c, gpk } = cluster(2, 2, { 2: { hold } });
    await c.checkHealth();
    let settled = false;
    const signing = c.sign(signed('hello')).finally(() => (settled = true));
    // The coordinator keeps asking the held node; until its operator approves, nothing is signed.
    const asked = new Promise<void>((resolve) => (hold.onCheck = () => hold.checks >= 3 && resolve()));
    await Promise.race([asked, signing]); // a sign call that ends early fails here, not at the test timeout
    expect(settled).toBe(false);
    const waiting = c.requests.get('r1');
    expect(waiting.state).toBe('waiting');
    expect(waiting.held).toEqual([{ nodeId: 2, holdId: 'hold-2', expiresUnixMs: 4e12 }]);
    expect(waiting.ready).toEqual([1]);
    hold.approved = true;
    const out = await signing;
    expect(out.signers).toEqual([1, 2]);
    expect(out.excluded).toEqual([]);
    expect(verify(null, out.message, spki(gpk), Buffer.from(out.signature))).toBe(true);
    // Asked once before approval and once after, with the same commitment list (its nonce was kept).
    expect(hold.lists).toHaveLength(2);
    expect(hold.lists[1]).toBe(hold.lists[0]);
    expect(c.requests.get('r1').state).toBe('done');
  });
});
