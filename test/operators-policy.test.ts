/**
 * Issue #6 acceptance 2 and 3, with real processes (5 nodes, threshold 3):
 * denials that make the quorum impossible end the request at once with the
 * reasons; an expired hold ends it with "expired"; a node restart keeps the
 * pending request; and each policy refusal gives the client a clear reason
 * from each refusing node (recorded in each node's audit log).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { userInfo } from 'node:os';
import { ed25519 } from '@noble/curves/ed25519.js';
import { isQsignError, type QsignError } from '@qsign/protocol';
import { readRpm } from '@qsign/rpm';
import { QsignClient, loadClientConfig } from '@qsign/client';
import type { RequestStatus } from '@qsign/proto';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { registerSignatures } from './helpers/r-registry.js';
import { newClient, qsign, signedRequest } from './helpers/operator.js';
import { buildRpm, readBytes, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

let c: TestCluster;
const intruder = newClient('intruder');
const bulk = newClient('bulk-client');
const me = userInfo().username;
const POLICY = {
  holdExpirySeconds: 3600,
  keys: [
    { match: 'guarded', approval: 'hold', clients: ['dev-client'] },
    { match: 'brief', approval: 'hold', holdExpirySeconds: 3 },
    { match: 'limited', rateLimit: { perClientPerHour: 1 } },
    { match: 'demo', clients: ['dev-client', 'bulk-client'], payloadKinds: ['raw', 'rpm-header'], rpmNames: ['good-*'] },
  ],
};

const nodeCfg = (id: number) => c.file.nodes.find((n) => n.id === id)!.config;
// Other request-signing keys over the dev client's TLS certificate (nodes check the request signature, not the TLS name).
const clientFor = (k: { name: string; secret: Uint8Array }) => new QsignClient({ ...loadClientConfig(c.file.clientConfig), clientName: k.name, secretKey: k.secret });
const holdOn = (id: number, requestId: string): string => {
  const r = qsign(['pending', '--all', '--node-config', nodeCfg(id)]);
  const line = r.stdout.split('\n').find((l) => l.includes('PENDING') || l.includes('pending'));
  expect(line, `node ${id} has no pending hold: ${r.stdout}${r.stderr}`).toBeDefined();
  const id12 = line!.split(/\s+/)[0]!;
  const show = qsign(['show', id12, '--node-config', nodeCfg(id)]);
  expect(show.stdout).toContain(requestId);
  return id12;
};

/** Starts a signature in the background; resolves the first "waiting" status with ≥ `held` holding nodes. */
function startSigning(client: QsignClient, keyName: string, held: number) {
  let status: RequestStatus | undefined;
  const result = client.sign({ keyName, kind: 'raw', data: new TextEncoder().encode(`please sign ${keyName} ${Math.random()}`) }, 90_000, (s) => (status = s)).then(
    (r) => ({ ok: r, err: undefined as QsignError | undefined, at: Date.now() }),
    (e) => ({ ok: undefined, err: e as QsignError, at: Date.now() }),
  );
  const waiting = waitFor(() => (status?.held.length ?? 0) >= held, 20_000, `${held} nodes to hold the ${keyName} request`).then(() => status!);
  return { result, waiting };
}

beforeAll(async () => {
  c = await TestCluster.start({
    nodes: 5,
    threshold: 3,
    extraKeys: ['guarded', 'brief', 'limited'],
    nodeConfig: (_id, base) => ({
      ...base,
      clients: [...(base.clients as unknown[]), { name: 'intruder', publicKey: intruder.publicHex }, { name: 'bulk-client', publicKey: bulk.publicHex }],
      policy: POLICY,
    }),
  });
});
afterAll(async () => {
  await c?.stop();
});

describe('acceptance 2: denial, expiry, restart', () => {
  it('enough denials end the request at once, with each reason', async () => {
    const { result, waiting } = startSigning(c.client, 'guarded', 5);
    const st = await waiting;
    expect(st.needed).toBe(3);
    const requestId = st.requestId;
    let thirdDenialAt = 0;
    for (const id of [1, 2, 3]) {
      const d = qsign(['deny', holdOn(id, requestId), '--reason', `not our build (operator of node ${id})`, '--node-config', nodeCfg(id)]);
      expect(d.status, d.stderr).toBe(0);
      thirdDenialAt = Date.now();
    }
    const r = await result;
    expect(r.err, 'signing should fail').toBeDefined();
    expect(r.err!.code).toBe('POLICY_REFUSED');
    for (const id of [1, 2, 3]) expect(r.err!.message).toContain(`node ${id}: denied by operator ${me}: not our build (operator of node ${id})`);
    expect(r.err!.message).not.toMatch(/node (\d): node \1:/); // each node named once (issue 16 item 10)
    expect(r.err!.message).toMatch(/node 4: still waiting for its operator/);
    const lag = r.at - thirdDenialAt;
    console.log(`acceptance 2: request ended ${lag} ms after the quorum-breaking denial`);
    expect(lag).toBeLessThan(3000);
    const audit = await c.audit(2);
    expect(audit.find((x) => x.event === 'hold-denied' && x.requestId === requestId)).toMatchObject({ operator: me, reason: 'not our build (operator of node 2)' });
  });

  it('an expired hold ends the request with "expired"', async () => {
    const t0 = Date.now();
    const { result, waiting } = startSigning(c.client, 'brief', 3);
    await waiting;
    const r = await result;
    expect(r.err).toBeDefined();
    expect(r.err!.code).toBe('HOLD_EXPIRED');
    expect(r.err!.message).toMatch(/holds expired/);
    expect(r.err!.message).toMatch(/node \d: hold [0-9a-f]{12} expired at/);
    const took = r.at - t0;
    console.log(`acceptance 2: expiry (3 s holds) ended the request after ${took} ms`);
    expect(took).toBeGreaterThanOrEqual(3000);
    expect(took).toBeLessThan(10_000);
    // Nodes expire a hold when next asked about it, so which ones expired before the quorum became
    // impossible (and which were ended with the request) depends on timing: check the ones named.
    const expired = [...r.err!.message.matchAll(/node (\d): hold [0-9a-f]{12} expired at/g)].map((m) => Number(m[1]));
    expect(expired.length).toBeGreaterThanOrEqual(3);
    for (const id of expired) expect((await c.audit(id)).some((x) => x.event === 'hold-expired'), `node ${id} audit`).toBe(true);
  });

  it('a node restart keeps the pending request; approvals then sign it', async () => {
    const { result, waiting } = startSigning(c.client, 'guarded', 5);
    const st = await waiting;
    const before = holdOn(1, st.requestId);
    await c.kill(1);
    await c.restart(1);
    await waitFor(() => qsign(['node', 'status', '--config', nodeCfg(1)]).status === 0, 20_000, 'node 1 operator socket after restart');
    expect(holdOn(1, st.requestId)).toBe(before);
    for (const id of [1, 2, 3]) expect(qsign(['approve', holdOn(id, st.requestId), '--node-config', nodeCfg(id)]).status).toBe(0);
    const r = await result;
    expect(r.err, r.err?.message).toBeUndefined();
    expect(ed25519.verify(r.ok!.signature, r.ok!.message, r.ok!.groupPublicKey)).toBe(true);
    registerSignatures([r.ok!.signature]);
  });
});

describe('acceptance 3: policy refusals name the rule, from each refusing node', () => {
  const expectEachNode = (err: QsignError, pattern: RegExp) => {
    expect(isQsignError(err, 'POLICY_REFUSED'), `${err.code}: ${err.message}`).toBe(true);
    const excluded = err.details?.excluded as Record<string, string>;
    expect(Object.keys(excluded).length).toBeGreaterThanOrEqual(3);
    for (const [id, reason] of Object.entries(excluded)) expect(reason, `node ${id}`).toMatch(pattern);
  };

  it('wrong client', async () => {
    const cl = clientFor(intruder);
    try {
      const err = await cl.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array([1, 2, 3]) }).catch((e) => e);
      expectEachNode(err, /policy refused: client intruder may not use key demo \(rule policy\.keys\[3\] \("demo"\)\.clients allows dev-client, bulk-client\)/);
    } finally {
      cl.close();
    }
    for (const id of [1, 2, 3, 4, 5]) {
      const audit = await c.audit(id);
      const asked = audit.filter((x) => x.event === 'refused' && x.client === 'intruder');
      for (const x of asked) expect(x).toMatchObject({ code: 'POLICY_REFUSED', rule: 'policy.keys[3].clients' });
    }
  });

  it('rate limit exceeded', async () => {
    const cl = clientFor(bulk);
    try {
      const ok = await cl.sign({ keyName: 'limited', kind: 'raw', data: new Uint8Array([1]) });
      registerSignatures([ok.signature]);
      const err = await cl.sign({ keyName: 'limited', kind: 'raw', data: new Uint8Array([2]) }).catch((e) => e);
      expect(isQsignError(err), String(err)).toBe(true);
      // Nodes that saw the first request refuse; the others never counted it (limits are per node).
      const excluded = (err as QsignError).details?.excluded as Record<string, string>;
      const limited = Object.entries(excluded).filter(([, why]) => /rate limit exceeded: client bulk-client made 1 requests for key limited in the last hour \(rule policy\.keys\[2\] \("limited"\)\.rateLimit\.perClientPerHour = 1\)/.test(why));
      expect(limited.length).toBeGreaterThanOrEqual(1);
      for (const id of ok.signers) if (excluded[id]) expect(excluded[id]).toMatch(/rate limit exceeded/);
    } finally {
      cl.close();
    }
  });

  // The coordinator on this branch derives messages for raw requests only
  // (issue 3 adds the OpenPGP kinds), so these go to each node directly: the
  // node's own answer is what the coordinator relays.
  it('package name outside the pattern, and digest-only where not allowed: every node says why', async () => {
    const dir = tempDir('policy');
    const header = readRpm(readBytes(buildRpm(dir, { name: 'evil-tool', buildArch: 'noarch', install: ['mkdir -p $RPM_BUILD_ROOT/opt', 'echo x > $RPM_BUILD_ROOT/opt/x'], files: ['/opt/x'] }))).mainHeader;
    const secret = loadClientConfig(c.file.clientConfig).secretKey;
    for (const id of [1, 2, 3, 4, 5]) {
      const n = c.node(id);
      try {
        const rpm = await n.checkRequest(signedRequest(secret, { keyName: 'demo', expectedGroupKey: c.groupKey('demo'), kind: 'rpm-header', data: header, clientName: 'dev-client' }), c.coordinatorId()).catch((e) => e);
        expect(isQsignError(rpm, 'POLICY_REFUSED'), String(rpm)).toBe(true);
        expect(rpm.message).toMatch(new RegExp(`^node ${id}: policy refused: package name evil-tool is outside the allowed patterns good-\\* of key demo \\(rule policy\\.keys\\[3\\] \\("demo"\\)\\.rpmNames\\)`));
        const dig = await n.checkRequest(signedRequest(secret, { keyName: 'demo', expectedGroupKey: c.groupKey('demo'), kind: 'digest', data: new Uint8Array(32).fill(7), clientName: 'dev-client' }), c.coordinatorId()).catch((e) => e);
        expect(isQsignError(dig, 'POLICY_REFUSED'), String(dig)).toBe(true);
        expect(dig.message).toMatch(/payload kind digest \(digest-only\) is not allowed for key demo \(rule policy\.keys\[3\] \("demo"\)\.payloadKinds allows raw, rpm-header\)/);
      } finally {
        n.close();
      }
      const audit = await c.audit(id);
      expect(audit.some((x) => x.event === 'refused' && x.rule === 'policy.keys[3].rpmNames')).toBe(true);
      expect(audit.some((x) => x.event === 'refused' && x.rule === 'policy.keys[3].payloadKinds')).toBe(true);
    }
  });
});
