/**
 * Issue #2 acceptance 5 and 7, against real node and coordinator processes:
 * every node refuses bad requests with a clear reason recorded in its own
 * audit log, and malformed input never crashes a daemon.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as grpc from '@grpc/grpc-js';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isQsignError, newRequestId, signRequestBody, type SignedRequest, type ErrorCode } from '@qsign/protocol';
import { encodeSignRequest, fromServiceError, type NodeRpcClient } from '@qsign/rpc';
import { SignShareRequest, type Commitment } from '@qsign/proto';
import { loadClientConfig } from '@qsign/client';
import { TestCluster } from './helpers/cluster.js';
import { devCoordinatorId } from '@qsign/devcluster';
import { registerSignatures } from './helpers/r-registry.js';

let c: TestCluster;
let clientSecret: Uint8Array;

function request(overrides: { createdAtMs?: number; keyName?: string; secret?: Uint8Array } = {}): SignedRequest {
  const body = encodeSignRequest({
    requestId: newRequestId(),
    keyName: overrides.keyName ?? 'demo',
    createdAtMs: overrides.createdAtMs ?? Date.now(),
    kind: 'raw',
    data: new TextEncoder().encode('hardening test'),
    clientName: 'dev-client',
    expectedGroupKey: c.groupKey('demo'),
  });
  return signRequestBody(body, overrides.secret ?? clientSecret);
}

/**
 * The coordinator identity this test acts as (the first coordinator's, whose
 * certificate the node clients present): it fetches commitments and signs
 * under it (nodes keep one nonce pool per coordinator).
 */
const COORDINATOR = devCoordinatorId(1);

/** Fresh commitments from nodes `ids` (from COORDINATOR's pool), as a sorted list. */
async function freshList(ids: number[]): Promise<Commitment[]> {
  const list = await Promise.all(
    ids.map(async (id) => {
      const n = c.node(id);
      try {
        const x = (await n.getCommitments(1, COORDINATOR)).commitments[0]!;
        return { identifier: id, hiding: x.hiding, binding: x.binding };
      } finally {
        n.close();
      }
    }),
  );
  return list.sort((a, b) => a.identifier - b.identifier);
}

/** The signer set for node `id`: itself and two others. */
const setFor = (id: number) => [id, ...[1, 2, 3, 4, 5].filter((x) => x !== id).slice(0, 2)].sort();

async function expectRefusal(p: Promise<unknown>, code: ErrorCode, pattern: RegExp): Promise<void> {
  const err = await p.then(() => undefined, (e) => e);
  expect(err, `expected refusal ${code}`).toBeDefined();
  expect(isQsignError(err, code), `got ${err?.code}: ${err?.message}`).toBe(true);
  expect(err.message).toMatch(pattern);
}

/** Sends raw bytes to a method, returning the error (or undefined). */
function rawCall(client: grpc.Client, path: string, bytes: Buffer): Promise<grpc.ServiceError | undefined> {
  return new Promise((resolve) => {
    client.makeUnaryRequest(path, (x: Buffer) => x, (x: Buffer) => x, bytes, new grpc.Metadata(), { deadline: Date.now() + 10_000 }, (err) => resolve(err ?? undefined));
  });
}

beforeAll(async () => {
  c = await TestCluster.start({ nodes: 5, threshold: 3 });
  clientSecret = loadClientConfig(c.file.clientConfig).secretKey;
});
afterAll(async () => {
  await c?.stop();
});

describe('every node refuses, and records why', () => {
  for (const id of [1, 2, 3, 4, 5]) {
    it(`node ${id}: bad signature, unknown client, stale, replayed, foreign or used commitments`, async () => {
      const n: NodeRpcClient = c.node(id);
      try {
        // A request whose client signature does not verify.
        const forged = request();
        forged.clientSignature = Uint8Array.from(forged.clientSignature);
        forged.clientSignature[5]! ^= 0x40;
        await expectRefusal(n.signShare({ request: forged, commitments: await freshList(setFor(id)), coordinatorId: COORDINATOR }), 'BAD_CLIENT_SIGNATURE', /client signature does not verify/);

        // A request from a key the node does not know.
        const stranger = request({ secret: ed25519.utils.randomSecretKey() });
        await expectRefusal(n.signShare({ request: stranger, commitments: await freshList(setFor(id)), coordinatorId: COORDINATOR }), 'UNKNOWN_CLIENT', /unknown client key/);

        // A stale request (10 minutes old; the window is 5).
        // (The commitments are fetched first; on a loaded machine the call itself may take seconds.)
        const staleList = await freshList(setFor(id));
        const stale = request({ createdAtMs: Date.now() - 600_000 });
        await expectRefusal(n.signShare({ request: stale, commitments: staleList, coordinatorId: COORDINATOR }), 'STALE_REQUEST', /stale request: created 6\d\d\.\d s ago, window is 300 s/);

        // A commitment list without this node's own commitment.
        const others = await freshList([1, 2, 3, 4, 5].filter((x) => x !== id).slice(0, 3));
        await expectRefusal(n.signShare({ request: request(), commitments: others, coordinatorId: COORDINATOR }), 'BAD_COMMITMENTS', /does not contain an unused commitment of this node/);

        // A list with an entry for this node that it never handed out.
        const fake = (await freshList(setFor(id))).map((x) => (x.identifier === id ? { ...x, hiding: ed25519.Point.BASE.multiply(12345n).toBytes() } : x));
        await expectRefusal(n.signShare({ request: request(), commitments: fake, coordinatorId: COORDINATOR }), 'BAD_COMMITMENTS', /does not contain an unused commitment of node/);

        // A good request signs once; the same message again is a replay.
        const good = request();
        const list = await freshList(setFor(id));
        const share = await n.signShare({ request: good, commitments: list, coordinatorId: COORDINATOR });
        expect(share.share).toHaveLength(32);
        await expectRefusal(n.signShare({ request: good, commitments: list, coordinatorId: COORDINATOR }), 'REPLAYED_REQUEST', /replayed request .*already signed with this commitment list/);
        // Retries with new lists are allowed up to the limit (3 attempts), then refused.
        await n.signShare({ request: good, commitments: await freshList(setFor(id)), coordinatorId: COORDINATOR });
        await n.signShare({ request: good, commitments: await freshList(setFor(id)), coordinatorId: COORDINATOR });
        await expectRefusal(n.signShare({ request: good, commitments: await freshList(setFor(id)), coordinatorId: COORDINATOR }), 'REPLAYED_REQUEST', /already signed 3 times \(limit 3\)/);

        const refused = (await c.audit(id)).filter((r) => r.event === 'refused');
        const codes = refused.map((r) => r.code);
        for (const code of ['BAD_CLIENT_SIGNATURE', 'UNKNOWN_CLIENT', 'STALE_REQUEST', 'BAD_COMMITMENTS', 'REPLAYED_REQUEST']) expect(codes).toContain(code);
        for (const r of refused) expect(typeof r.reason === 'string' && (r.reason as string).length > 10).toBe(true);
      } finally {
        n.close();
      }
    });
  }
});

describe('malformed input never crashes a daemon', () => {
  it('node: truncated, garbage and oversized protobufs; wrong-length and identity points; bad scalars; unknown keys', async () => {
    const n = c.node(1);
    try {
      const valid = Buffer.from(SignShareRequest.encode({ request: request(), commitments: await freshList([1, 2, 3]), coordinatorId: COORDINATOR }).finish());
      const truncated = await rawCall(n.raw, '/qsign.v1.Node/SignShare', valid.subarray(0, valid.length - 7));
      expect(truncated?.code).toBe(grpc.status.INVALID_ARGUMENT);
      expect(truncated?.details).toMatch(/undecodable SignShare message|malformed request/);
      const garbage = await rawCall(n.raw, '/qsign.v1.Node/SignShare', Buffer.from([0xff, 0xff, 0xff, 0xff, 0x0f, 0x01]));
      expect(garbage?.code).toBe(grpc.status.INVALID_ARGUMENT);
      const oversized = await rawCall(n.raw, '/qsign.v1.Node/SignShare', Buffer.alloc(33 * 1024 * 1024, 0x0a));
      expect(oversized?.code).toBe(grpc.status.RESOURCE_EXHAUSTED);
      const badStatus = await rawCall(n.raw, '/qsign.v1.Node/GetKey', Buffer.from([0x0a, 0xff]));
      expect(badStatus?.code).toBeDefined();

      const list = await freshList([1, 2, 3]);
      const short = list.map((x) => (x.identifier === 2 ? { ...x, hiding: x.hiding.subarray(0, 31) } : x));
      await expectRefusal(n.signShare({ request: request(), commitments: short, coordinatorId: COORDINATOR }), 'BAD_COMMITMENTS', /two 32-byte points/);
      const identity = new Uint8Array(32);
      identity[0] = 1;
      const withIdentity = (await freshList([1, 2, 3])).map((x) => (x.identifier === 3 ? { ...x, binding: identity } : x));
      await expectRefusal(n.signShare({ request: request(), commitments: withIdentity, coordinatorId: COORDINATOR }), 'BAD_COMMITMENTS', /identity/);
      const notOnCurve = (await freshList([1, 2, 3])).map((x) => (x.identifier === 2 ? { ...x, hiding: new Uint8Array(32).fill(0xff) } : x));
      await expectRefusal(n.signShare({ request: request(), commitments: notOnCurve, coordinatorId: COORDINATOR }), 'BAD_COMMITMENTS', /not a canonical curve point|invalid commitment/);
      const badId = (await freshList([1, 2, 3])).map((x) => (x.identifier === 3 ? { ...x, identifier: 0 } : x));
      await expectRefusal(n.signShare({ request: request(), commitments: badId, coordinatorId: COORDINATOR }), 'BAD_COMMITMENTS', /identifier 0 is out of range/);

      const shortSig = request();
      shortSig.clientSignature = shortSig.clientSignature.subarray(0, 63);
      await expectRefusal(n.signShare({ request: shortSig, commitments: await freshList([1, 2, 3]), coordinatorId: COORDINATOR }), 'BAD_CLIENT_SIGNATURE', /does not verify/);
      const shortKey = request();
      shortKey.clientPublicKey = shortKey.clientPublicKey.subarray(0, 31);
      await expectRefusal(n.signShare({ request: shortKey, commitments: await freshList([1, 2, 3]), coordinatorId: COORDINATOR }), 'UNKNOWN_CLIENT', /unknown client key \(malformed\)/);
      const junkBody = signRequestBody(new Uint8Array([0x08, 0x96]), clientSecret);
      await expectRefusal(n.signShare({ request: junkBody, commitments: await freshList([1, 2, 3]), coordinatorId: COORDINATOR }), 'MALFORMED_REQUEST', /malformed request/);

      await expectRefusal(n.signShare({ request: request({ keyName: 'no-such-key' }), commitments: await freshList([1, 2, 3]), coordinatorId: COORDINATOR }), 'UNKNOWN_KEY', /unknown key no-such-key/);
      await expectRefusal(n.getKey('no-such-key'), 'UNKNOWN_KEY', /unknown key/);
      await expectRefusal(n.getKey('bad name/../x'), 'INVALID_ARGUMENT', /not a valid key name/);
      await expectRefusal(n.getCommitments(0, COORDINATOR), 'INVALID_ARGUMENT', /count must be 1\.\.256/);
      await expectRefusal(n.getCommitments(100_000, COORDINATOR), 'INVALID_ARGUMENT', /count must be 1\.\.256/);

      // Still serving, and the refusals are in the log.
      const status = await n.status();
      expect(status.nodeId).toBe(1);
      const codes = (await c.audit(1)).filter((r) => r.event === 'refused').map((r) => r.code);
      expect(codes).toContain('MALFORMED_REQUEST');
    } finally {
      n.close();
    }
  });

  it('coordinator: garbage bodies, truncated messages and unknown keys get clear errors; it keeps serving', async () => {
    const { CoordinatorRpcClient } = await import('@qsign/rpc');
    const co = new CoordinatorRpcClient(c.file.coordinator.address, c.as('client'));
    const raw = new grpc.Client(c.file.coordinator.address, grpc.credentials.createInsecure());
    try {
      await expectRefusal(co.sign({ body: new Uint8Array([0xff, 0x01]), clientPublicKey: new Uint8Array(32), clientSignature: new Uint8Array(64) }), 'MALFORMED_REQUEST', /malformed request/);
      await expectRefusal(co.sign({ body: new Uint8Array(0), clientPublicKey: new Uint8Array(0), clientSignature: new Uint8Array(0) }), 'MALFORMED_REQUEST', /empty request body/);
      await expectRefusal(co.sign(request({ keyName: 'missing' })), 'UNKNOWN_KEY', /unknown key missing/);
      await expectRefusal(co.getKey('../etc'), 'INVALID_ARGUMENT', /not a valid key name/);
      const truncated = await rawCall(raw, '/qsign.v1.Coordinator/Sign', Buffer.from(encodeSignRequest({ requestId: 'x', keyName: 'demo', createdAtMs: 1, kind: 'raw', data: new Uint8Array(10), clientName: '' })).subarray(0, 9));
      expect(truncated?.code).toBeDefined();
      expect(fromServiceError(truncated, 'coordinator').message.length).toBeGreaterThan(5);
      // A request the nodes refuse comes back with each node's reason.
      const stranger = request({ secret: ed25519.utils.randomSecretKey() });
      const err = await co.sign(stranger).catch((e) => e);
      expect(isQsignError(err, 'UNKNOWN_CLIENT')).toBe(true);
      expect(err.message).toMatch(/node \d: request from an unknown client key/);
      expect(err.message).not.toMatch(/node (\d): node \1:/); // each node named once (issue 16 item 10)
      // Still serving.
      const res = await c.client.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array([1, 2]) });
      expect(res.signature).toHaveLength(64);
      registerSignatures([res.signature]);
      expect((await co.clusterStatus()).nodes).toHaveLength(5);
    } finally {
      co.close();
      raw.close();
    }
  });
});
