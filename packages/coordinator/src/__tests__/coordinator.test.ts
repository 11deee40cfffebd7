import { afterEach, describe, expect, it, vi } from 'vitest';
import { verify, createPublicKey } from 'node:crypto';
import { bytesToHex } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import { QsignError, STALE_COMMITMENT, type SignRequest, type SignedRequest } from '@qsign/protocol';
import type { KeyInfo } from '@qsign/proto';
import { Coordinator, type CoordinatorOptions, type NodePort } from '../coordinator.js';

/** An in-process node over real FROST: hands out commitments, signs with its nonces. */
/** Faults and behaviours of a fake node; `hold` makes it answer HELD until `approved`. */
interface Faults {
  corrupt?: boolean;
  down?: boolean;
  forget?: boolean;
  hold?: { approved: boolean; checks: number; onCheck?: () => void; lists: string[] };
  /** Its next share call fails as a killed node's would (it restarts at once). */
  dropOnce?: boolean;
  /** Its key lookups fail (e.g. they time out), all else works. */
  noKey?: boolean;
  /** Hears each Status call. */
  onStatus?: () => void;
}

function fakeNode(id: number, share: frost.SecretSigningShare, info: KeyInfo, opts: Faults): NodePort {
  const nonces = new Map<string, frost.SecretSigningNonces>();
  const up = () => {
    if (opts.down) throw new QsignError('NODE_UNAVAILABLE', `node ${id} is unreachable: connection refused`, { details: { transport: true } });
  };
  return {
    address: `fake:${id}`,
    status: async () => (opts.onStatus?.(), up(), {} as never),
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
      if (opts.dropOnce) {
        opts.dropOnce = false;
        throw new QsignError('NODE_UNAVAILABLE', `node ${id} is unreachable: the connection was closed`, { details: { transport: true } });
      }
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
    getKey: async () => {
      up();
      if (opts.noKey) throw new QsignError('DEADLINE', `node ${id} did not answer in time`, { details: { transport: true } });
      return { ...info, identifier: id };
    },
    attestKey: async () => {
      throw new Error('unused');
    },
    putCertificate: async () => {
      throw new Error('unused');
    },
    close: () => undefined,
  };
}

function cluster(min: number, max: number, faults: Record<number, Faults>, extra: Partial<CoordinatorOptions> = {}) {
  const { shares, publicKeyPackage: pkp } = frost.trustedDealerKeygen(min, max);
  const info: KeyInfo = {
    name: 'k', minSigners: min, maxSigners: max, groupPublicKey: pkp.groupPublicKey, identifier: 0,
    verifyingShares: Object.fromEntries(pkp.verifyingShares), createdUnixSeconds: 1, userId: 'u', fingerprint: new Uint8Array(0), certificate: new Uint8Array(0),
  };
  const nodes = shares.map((s) => ({ id: s.identifier, port: fakeNode(s.identifier, s, info, faults[s.identifier] ?? {}) }));
  const decode = (body: Uint8Array): SignRequest => ({ requestId: 'r1', keyName: 'k', createdAtMs: 1, kind: 'raw', data: body, clientName: 'c' });
  const c = new Coordinator(nodes, { coordinatorId: 'test', shareTimeoutMs: 1000, decode, log: () => undefined, poolBatch: 4, poolLowWater: 1, approvalPollMs: 5, ...extra });
  return { c, gpk: pkp.groupPublicKey };
}

const fail = (e: Error): never => {
  throw e;
};
const signed = (body: string): SignedRequest => ({ body: new TextEncoder().encode(body), clientPublicKey: new Uint8Array(32), clientSignature: new Uint8Array(64) });
const spki = (raw: Uint8Array) => createPublicKey({ key: Buffer.concat([Buffer.from('302a300506032b6570032100', 'hex'), raw]), format: 'der', type: 'spki' });

describe('Coordinator over in-process nodes', () => {
  afterEach(() => vi.restoreAllMocks());

  it('excludes and names a node that sends a bad share, and still signs', async () => {
    // Ascending random values keep the holders in identifier order: node 1 is in the first attempt.
    let r = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => (r += 0.01));
    // One frozen clock: every node counts as heard just now, none is probed, so the candidates stay in
    // identifier order however long the health check took (else the fresh ones come first, without node 1).
    const { c, gpk } = cluster(2, 3, { 1: { corrupt: true } }, { liveness: { now: () => 0 } });
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

  // Node churn (issue 12): none of these may fail while a quorum serves.
  const later = (ms: number) => {
    const now = Date.now.bind(Date);
    vi.spyOn(Date, 'now').mockImplementation(() => now() + ms);
  };

  it('waits for a quorum while a node that timed out may still answer (slow after its restart), and signs with it', async () => {
    const f: Record<number, Faults> = { 4: { down: true }, 5: { down: true } };
    let probes = 0;
    f[3] = { onStatus: () => void (++probes < 3 && fail(new QsignError('DEADLINE', 'node 3 did not answer in time', { details: { transport: true } }))) };
    // freshMs -1: no node ever counts as fresh, so every one is probed (with 0, a node heard in the same millisecond still counted, and was used unprobed).
    const { c } = cluster(3, 5, f, { liveness: { freshMs: -1 } });
    const out = await c.sign(signed('hello'));
    expect(out.signers).toEqual([1, 2, 3]);
    expect(probes).toBeGreaterThanOrEqual(3);
  });

  it('fails at once, without waiting, when too few holders could answer (connections refused)', async () => {
    const f: Record<number, Faults> = { 3: {}, 4: {}, 5: {} };
    let probes = 0;
    f[3]!.onStatus = () => void probes++;
    const { c } = cluster(3, 5, f, { liveness: { freshMs: -1 } });
    await c.checkHealth();
    await c.getKey('k');
    for (const id of [3, 4, 5]) f[id]!.down = true;
    probes = 0;
    const e = await c.sign(signed('hello')).catch((x: unknown) => x as QsignError);
    expect((e as QsignError).code).toBe('NOT_ENOUGH_NODES');
    expect(probes).toBe(1); // one round of probes, no second
  });

  it('takes back a node that failed mid-attempt (killed and restarted) once it answers, with the attempt recorded as abandoned', async () => {
    const { c } = cluster(3, 4, { 3: { dropOnce: true }, 4: { down: true } }, { liveness: { quorumWaitMs: 0 } });
    await c.checkHealth();
    const out = await c.sign(signed('hello'));
    expect(out.signers).toEqual([1, 2, 3]);
    expect(out.abandoned).toEqual([{ signers: [1, 2, 3], released: [1, 2] }]);
  });

  // 0 ms: the partial view is within its own TTL (2 s) and is asked again because node 5 turned healthy since;
  // 3 s: past that TTL, not the 30 s of a full view.
  it.each([0, 3000])('uses a holder that was down when the key view was made as soon as the health loop hears it (%i ms later)', async (ms) => {
    const f: Record<number, Faults> = { 3: {}, 4: {}, 5: { down: true } };
    const { c } = cluster(3, 5, f, { liveness: { quorumWaitMs: 0 } });
    await c.checkHealth();
    await c.getKey('k'); // made without node 5
    f[5]!.down = false;
    await c.checkHealth(); // the health loop hears node 5
    f[3]!.down = true;
    f[4]!.down = true;
    if (ms > 0) later(ms);
    const out = await c.sign(signed('hello'));
    expect(out.signers).toEqual([1, 2, 5]);
  });

  it('probes a holder missing from the key view before declaring too few nodes (restarted, not yet heard by the health loop)', async () => {
    const f: Record<number, Faults> = { 3: {}, 4: {}, 5: { down: true } };
    const { c } = cluster(3, 5, f, { liveness: { quorumWaitMs: 0 } });
    await c.checkHealth();
    await c.getKey('k'); // made without node 5
    f[5]!.down = false; // back, and nobody has asked it yet
    f[3]!.down = true;
    f[4]!.down = true;
    const out = await c.sign(signed('hello'));
    expect(out.signers).toEqual([1, 2, 5]);
  });

  it('keeps the agreed key record when a refresh hears too few nodes, and signs', async () => {
    const f: Record<number, Faults> = { 3: {}, 4: {}, 5: {} };
    const { c } = cluster(3, 5, f);
    await c.checkHealth();
    await c.getKey('k');
    for (const id of [3, 4, 5]) f[id]!.noKey = true;
    later(31_000);
    const out = await c.sign(signed('hello'));
    expect(out.signers).toHaveLength(3);
  });
});
