/**
 * The client library against an in-process Coordinator gRPC server (real
 * grpc-js on a loopback port, a fake coordinator behind it that signs with
 * one Ed25519 key standing in for the group key): what a request carries and
 * how it is signed, failover to the next coordinator, a substituted key
 * refused, and UNKNOWN_KEY surfacing as a typed error.
 */
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { CoordinatorService, type CoordinatorServer, type KeyInfo, type SignedRequest } from '@qsign/proto';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { QsignError, verifyRequestSignature } from '@qsign/protocol';
import { decodeSignRequest, opensslSigner, startServer, stopServer, unaryHandler } from '@qsign/rpc';
import { QsignClient } from '../client.js';
import { pinOf, type ClientConfig } from '../client-config.js';

const KEY = 'copr-2026';
const CREATED = 1_767_225_600;
const group = opensslSigner(new Uint8Array(randomBytes(32)));
const other = opensslSigner(new Uint8Array(randomBytes(32)));
const keyInfo = (publicKey: Uint8Array): KeyInfo => ({ name: KEY, minSigners: 2, maxSigners: 3, groupPublicKey: publicKey, identifier: 0, verifyingShares: {}, createdUnixSeconds: CREATED, userId: 'Copr <copr@example.org>', fingerprint: ed25519Fingerprint(publicKey, CREATED), certificate: new Uint8Array(), scheme: '', verificationBase: new Uint8Array() });

/** A fake coordinator: records what it is asked, signs with `signer`, serves `key` (or says UNKNOWN_KEY for other names). */
function fakeCoordinator(o: { signer?: typeof group; key?: KeyInfo; failSign?: QsignError } = {}) {
  const signer = o.signer ?? group;
  const seen: SignedRequest[] = [];
  const handlers: CoordinatorServer = {
    sign: unaryHandler(async (req: SignedRequest) => {
      seen.push(req);
      if (o.failSign) throw o.failSign;
      const r = decodeSignRequest(req.body);
      return { signature: signer.sign(r.data), message: r.data, signers: [1, 2], excluded: [], requestId: r.requestId };
    }),
    getKey: unaryHandler(async (req: { name: string }) => {
      if (req.name !== KEY) throw new QsignError('UNKNOWN_KEY', `unknown key ${req.name}`);
      return o.key ?? keyInfo(group.publicKey);
    }),
    attestKey: unaryHandler(async () => ({ attestations: [], refusals: [] })),
    clusterStatus: unaryHandler(async () => ({ nodes: [] })),
  };
  return { handlers, seen };
}

const servers: Array<Awaited<ReturnType<typeof startServer>>['server']> = [];
async function serve(f: ReturnType<typeof fakeCoordinator>): Promise<string> {
  const { server, port } = await startServer([[CoordinatorService, f.handlers as never]], '127.0.0.1:0', { kind: 'insecure' });
  servers.push(server);
  return `127.0.0.1:${port}`;
}
/** A loopback address nothing listens on (a server bound, then stopped). */
async function deadAddress(): Promise<string> {
  const { server, port } = await startServer([], '127.0.0.1:0', { kind: 'insecure' });
  await stopServer(server);
  return `127.0.0.1:${port}`;
}

const clientSecret = new Uint8Array(randomBytes(32));
function config(coordinators: string[], pinned = true): ClientConfig {
  const keys = new Map(pinned ? [[KEY, pinOf(group.publicKey, ed25519Fingerprint(group.publicKey, CREATED))]] : []);
  return { coordinator: coordinators[0]!, coordinators, clientName: 'copr', secretKey: clientSecret, nodes: [], trustThreshold: 2, trustNewKeys: false, keys, transport: { kind: 'insecure' } };
}

const clients: QsignClient[] = [];
const client = (c: ClientConfig, onFailover?: (m: string) => void): QsignClient => {
  const q = new QsignClient(c, onFailover);
  clients.push(q);
  return q;
};
afterEach(() => {
  for (const c of clients.splice(0)) c.close();
});
afterAll(async () => {
  for (const s of servers) await stopServer(s);
});

const codeOf = async (p: Promise<unknown>): Promise<string> => p.then(() => 'no error', (e) => (e instanceof QsignError ? e.code : `not a QsignError: ${String(e)}`));

describe('QsignClient over an in-process coordinator', () => {
  it('sends the request signed with the client key, naming the pinned group key', async () => {
    const f = fakeCoordinator();
    const q = client(config([await serve(f)]));
    const data = new TextEncoder().encode('repomd.xml contents');
    const res = await q.sign({ keyName: KEY, kind: 'raw', data });
    expect(Buffer.from(res.signature)).toEqual(Buffer.from(group.sign(data)));
    expect(f.seen).toHaveLength(1);
    const req = f.seen[0]!;
    expect(Buffer.from(req.clientPublicKey)).toEqual(Buffer.from(opensslSigner(clientSecret).publicKey));
    expect(() => verifyRequestSignature(req)).not.toThrow();
    const body = decodeSignRequest(req.body);
    expect(body).toMatchObject({ keyName: KEY, kind: 'raw', clientName: 'copr', requestId: res.requestId });
    expect(Buffer.from(body.data)).toEqual(Buffer.from(data));
    expect(Buffer.from(body.expectedGroupKey!)).toEqual(Buffer.from(group.publicKey));
    // A body changed in transit no longer verifies.
    const tampered = { ...req, body: Uint8Array.from(req.body, (b, i) => (i === req.body.length - 1 ? b ^ 1 : b)) };
    expect(() => verifyRequestSignature(tampered)).toThrow();
  });

  it('fails over to the second coordinator when the first is unreachable, and sends the same request', async () => {
    const f = fakeCoordinator();
    const dead = await deadAddress();
    const live = await serve(f);
    const heard: string[] = [];
    const q = client(config([dead, live]), (m) => heard.push(m));
    await q.sign({ keyName: KEY, kind: 'raw', data: new Uint8Array([1, 2, 3]) });
    expect(q.coordinator).toBe(live);
    expect(heard).toHaveLength(1);
    expect(heard[0]).toContain(`trying coordinator ${live}`);
    expect(f.seen).toHaveLength(1);
  });

  it('does not fail over on an answer the coordinator gave (a refusal is final)', async () => {
    const first = fakeCoordinator({ failSign: new QsignError('POLICY_REFUSED', 'not allowed') });
    const second = fakeCoordinator();
    const q = client(config([await serve(first), await serve(second)]));
    expect(await codeOf(q.sign({ keyName: KEY, kind: 'raw', data: new Uint8Array([1]) }))).toBe('POLICY_REFUSED');
    expect(first.seen).toHaveLength(1);
    expect(second.seen).toHaveLength(0);
  });

  it('refuses a key record or signature that is not the pinned key', async () => {
    const substituted = client(config([await serve(fakeCoordinator({ key: keyInfo(other.publicKey) }))]));
    const e = await substituted.key(KEY).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QsignError);
    expect((e as QsignError).code).toBe('KEY_MISMATCH');
    expect((e as QsignError).message).toContain('is not the pinned key');
    const wrongSigner = client(config([await serve(fakeCoordinator({ signer: other }))]));
    expect(await codeOf(wrongSigner.sign({ keyName: KEY, kind: 'raw', data: new Uint8Array([9]) }))).toBe('KEY_MISMATCH');
  });

  it('surfaces an UNKNOWN_KEY answer as a typed error', async () => {
    const f = fakeCoordinator();
    const q = client(config([await serve(f)], false));
    const e = await q.sign({ keyName: 'no-such-key', kind: 'raw', data: new Uint8Array([1]) }).catch((x: unknown) => x);
    expect(e).toBeInstanceOf(QsignError);
    expect((e as QsignError).code).toBe('UNKNOWN_KEY');
    expect((e as QsignError).message).toContain('unknown key no-such-key');
    expect(f.seen).toHaveLength(0);
  });
});
