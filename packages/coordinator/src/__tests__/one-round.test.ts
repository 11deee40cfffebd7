/**
 * The coordinator's one-round path (threshold RSA) over in-process nodes that make real Shoup
 * shares: a node returning a corrupted share is named and excluded and the request still
 * succeeds — by its proof for a safe-prime key, by asking every holder and combining for an
 * imported key — and the signature verifies with OpenSSL as an ordinary RSA signature.
 */
import { createHash, createPublicKey, verify } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { afterEach, describe, expect, it, vi } from 'vitest';
import * as frost from '@qsign/frost';
import { decodePublicKey, decodeSecretShare, toBytes, type ThresholdRsaPublicKeyJSON } from '@qsign/threshold-rsa';
import { QsignError, rsaSchemeKey, shoupRsaScheme, type SignRequest, type SignedRequest } from '@qsign/protocol';
import { opensslRsaVerify } from '@qsign/rpc';
import type { KeyInfo } from '@qsign/proto';
import { Coordinator, type NodePort } from '../coordinator.js';

const raw = JSON.parse(readFileSync(new URL('../../../threshold-rsa/src/__tests__/vectors/shoup-vectors.json', import.meta.url), 'utf8')) as {
  cases: Array<{ name: string; publicKey: ThresholdRsaPublicKeyJSON; secretShares: Array<{ index: number; secret: string }> }>;
};
const scheme = shoupRsaScheme(opensslRsaVerify);

function rsaCluster(name: string, faults: Record<number, { corrupt?: boolean }>) {
  const c = raw.cases.find((x) => x.name === name)!;
  const pub = decodePublicKey(c.publicKey);
  const key = rsaSchemeKey(pub);
  const info: KeyInfo = {
    name: 'k', minSigners: 3, maxSigners: 5, groupPublicKey: key.groupPublicKey, identifier: 0,
    verifyingShares: Object.fromEntries(key.verifyingShares), createdUnixSeconds: 1, userId: 'u', fingerprint: new Uint8Array(0), certificate: new Uint8Array(0),
    scheme: 'rsa-shoup', verificationBase: key.verificationBase ?? new Uint8Array(0),
  };
  const asked: number[] = [];
  const nodes = c.secretShares.map(decodeSecretShare).map((s) => {
    const id = s.index;
    const port: NodePort = {
      address: `fake:${id}`,
      status: async () => ({}) as never,
      getCommitments: async (count) => ({ nodeId: id, commitments: Array.from({ length: count }, () => frost.commit(id, new Uint8Array(32).fill(id)).commitments) }),
      signShare: async (req) => {
        asked.push(id);
        if (req.commitments.length !== 0) throw new QsignError('BAD_COMMITMENTS', 'an RSA request carries no list');
        const digest = createHash('sha256').update(req.request!.body).digest();
        const share = scheme.signShare({ identifier: id, share: toBytes(s.secret, Math.ceil(s.secret.toString(16).length / 2)) }, key, undefined, [], digest);
        if (faults[id]?.corrupt) share.share[40]! ^= 1;
        return share;
      },
      checkRequest: async () => ({ ready: true, holdId: '', expiresUnixMs: 0 }),
      endRequest: async () => undefined,
      getKey: async () => ({ ...info, identifier: id }),
      attestKey: async () => {
        throw new Error('unused');
      },
      putCertificate: async () => {
        throw new Error('unused');
      },
      close: () => undefined,
    };
    return { id, port };
  });
  const decode = (body: Uint8Array): SignRequest => ({ requestId: 'r1', keyName: 'k', createdAtMs: 1, kind: 'raw', data: body, clientName: 'c' });
  const coordinator = new Coordinator(nodes, { coordinatorId: 'test', shareTimeoutMs: 30_000, decode, log: () => undefined, poolBatch: 2, poolLowWater: 1 });
  const publicKey = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(toBytes(pub.n, 256)).toString('base64url'), e: Buffer.from(toBytes(pub.e, 3)).toString('base64url') }, format: 'jwk' });
  return { coordinator, publicKey, asked };
}

const signed = (body: string): SignedRequest => ({ body: new TextEncoder().encode(body), clientPublicKey: new Uint8Array(32), clientSignature: new Uint8Array(64) });

describe('Coordinator, one-round threshold RSA', () => {
  afterEach(() => vi.restoreAllMocks());
  // Ascending random values keep the holders in identifier order: node 2 is in the first attempt.
  const ordered = () => {
    let r = 0;
    vi.spyOn(Math, 'random').mockImplementation(() => (r += 0.01));
  };

  it('signs with k nodes and no commitment list; the result is an ordinary RSA signature', async () => {
    const { coordinator, publicKey, asked } = rsaCluster('imported-2048-sha256', {});
    await coordinator.checkHealth();
    const out = await coordinator.sign(signed('hello rsa'));
    expect(asked).toHaveLength(3);
    expect(out.excluded).toEqual([]);
    expect(verify('sha256', Buffer.from('hello rsa'), publicKey, Buffer.from(out.signature))).toBe(true);
  });

  it('names and excludes a node whose share fails its proof (safe-prime key), and still signs', async () => {
    ordered();
    const { coordinator, publicKey, asked } = rsaCluster('safe-prime-2048-sha256', { 2: { corrupt: true } });
    await coordinator.checkHealth();
    const out = await coordinator.sign(signed('hello rsa'));
    expect(out.excluded).toEqual([{ nodeId: 2, reason: 'sent an invalid signature share' }]);
    expect(out.signers).not.toContain(2);
    expect(asked).toHaveLength(4); // k, then one replacement: good shares are kept
    expect(verify('sha256', Buffer.from('hello rsa'), publicKey, Buffer.from(out.signature))).toBe(true);
  });

  it('names and excludes a node with a corrupted share of an imported key by asking every holder, and still signs', async () => {
    ordered();
    const { coordinator, publicKey, asked } = rsaCluster('imported-2048-sha256', { 2: { corrupt: true } });
    await coordinator.checkHealth();
    const out = await coordinator.sign(signed('hello rsa'));
    expect(out.excluded).toEqual([{ nodeId: 2, reason: 'sent an invalid signature share' }]);
    expect(out.signers).not.toContain(2);
    expect(asked.sort()).toEqual([1, 2, 3, 4, 5]);
    expect(verify('sha256', Buffer.from('hello rsa'), publicKey, Buffer.from(out.signature))).toBe(true);
  });
});
