/**
 * Issue 9, findings 1 and 5, on a real 5-node cluster: roles (officers vs
 * signing clients, the keygen permission bounded by node policy) and reshare
 * safety (pinned peers only, one dealing per plan, retirement only after
 * every new holder confirmed the same merged commitment). Where the attack
 * needs a malicious coordinator, the test is that coordinator: it drives the
 * nodes' NodeKeys gRPC directly. A last block shows the default lifecycle
 * holds: a reshare waits for each node's operator (`qsign approve`).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ed25519, x25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import { dkgSessionId, isQsignError, openKeygenRequest, signKeygenRequest, signResharePlan, type ReshareConfirmation, type ResharePlan, type SignedLifecycle } from '@qsign/protocol';
import { QsignClient, certifyKey, loadClientConfig, loadOfficerKey, resharePlanFor } from '@qsign/client';
import { clusterPkiDir } from '@qsign/devcluster';
import { httpsRequest } from './helpers/https.js';
import { enrollmentSecret, loadNodeConfig, openNodeStore, reshareAad } from '@qsign/node';
import { NodeKeysRpcClient } from '@qsign/rpc';
import { sealEnvelope } from '@qsign/storage';
import type { ReshareDealResponse } from '@qsign/proto';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { registerSignatures } from './helpers/r-registry.js';

type Audit = Array<Record<string, unknown>>;

/** What a (malicious) coordinator needs: the cluster, direct NodeKeys clients, the keys in play. */
class Harness {
  readonly keys = new Map<number, NodeKeysRpcClient>();
  constructor(readonly c: TestCluster) {}
  node(id: number): NodeKeysRpcClient {
    let k = this.keys.get(id);
    if (!k) {
      const n = this.c.file.nodes.find((x) => x.id === id)!;
      k = new NodeKeysRpcClient(n.address, `node ${id}`, this.c.as('coordinator'));
      this.keys.set(id, k);
    }
    return k;
  }
  enrollment(id: number): string {
    return readFileSync(join(dirname(this.c.file.nodes.find((n) => n.id === id)!.config), 'enrollment.pub'), 'utf8').trim();
  }
  get officerKey(): Uint8Array {
    return loadOfficerKey(undefined, loadClientConfig(this.c.file.clientConfig)).secretKey;
  }
  get clientKey(): Uint8Array {
    return loadClientConfig(this.c.file.clientConfig).secretKey;
  }
  /** A plan for `key` (enrollment keys as pinned unless `enroll` overrides), signed with `signer`. */
  async plan(key: string, dealers: number[], newIds: number[], threshold: number, signer: Uint8Array, enroll: Record<number, string> = {}): Promise<SignedLifecycle> {
    const k = (id: number) => ({ id, enrollmentKey: enroll[id] ?? this.enrollment(id) });
    const plan = resharePlanFor(key, await this.c.client.key(key), { dealers: dealers.map(k), newNodes: newIds.map(k), newThreshold: threshold });
    return signResharePlan(plan, signer);
  }
  /** Deals a plan's sub-shares as each dealer would hand them to `recipient`. */
  static forHolder(deals: ReshareDealResponse[], recipient: number): ReshareDealResponse[] {
    return deals.map((d) => ({ ...d, subShares: d.subShares.filter((s) => s.recipient === recipient) }));
  }
  close(): void {
    for (const k of this.keys.values()) k.close();
  }
}

const planId = (s: SignedLifecycle) => (JSON.parse(new TextDecoder().decode(s.plan)) as { planId: string }).planId;
const expectCode = (code: string) => (e: unknown) => isQsignError(e, code as never);

describe('roles and reshare safety over a running cluster', () => {
  let c: TestCluster;
  let h: Harness;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'qsign-lifecycle-'));
    c = await TestCluster.start({ nodes: 5, threshold: 3, extraKeys: ['victim', 'moved'] });
    h = new Harness(c);
  });
  afterAll(async () => {
    h?.close();
    await c?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('refuses a reshare plan signed by a signing client', async () => {
    const signed = await h.plan('demo', [1, 2, 3], [1, 2, 3], 2, h.clientKey);
    for (const id of [1, 2, 3]) await expect(h.node(id).reshareDeal(signed)).rejects.toSatisfy(expectCode('POLICY_REFUSED'));
    for (const id of [1, 2, 3]) {
      const audit = await c.audit(id);
      expect(audit.some((a) => a.event === 'reshare-dealt')).toBe(false);
      expect(audit.some((a) => a.event === 'refused' && a.planId === planId(signed) && /dev-client is a signing client; a reshare must be signed by an officer/.test(String(a.reason)))).toBe(true);
    }
  });

  it('the CLI attack of finding 1 leaves no reshare-dealt record on any node, and each dealer records the refusal', async () => {
    const own = () => bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey()));
    // The dealers' enrollment keys are public (enrollment.pub); the new holders' are the attacker's own.
    const dealerKeys = [1, 2, 3].flatMap((id) => ['--node', `${id}=${h.enrollment(id)}`]);
    const attack = ['ceremony', 'reshare', '--key', 'demo', '--dealers', '1,2,3', '--threshold', '2', ...dealerKeys, '--node', `901=${own()}`, '--node', `902=${own()}`, '--new', '901,902', '-c', c.file.clientConfig];
    // (a) as the signing client (Copr's backend key), with its key posing as an officer file;
    const asClient = join(work, 'client-as-officer.json');
    writeFileSync(asClient, JSON.stringify({ name: 'copr-backend', secretKey: bytesToHex(h.clientKey) }));
    const r1 = await qsign([...attack, '--officer', asClient]);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/signing client; a reshare must be signed by an officer/);
    // (b) even with the real officer key: 901 and 902 are not pinned peers.
    const r2 = await qsign(attack);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/names node 901, which is not a pinned peer/);
    expect(r2.stderr.trim().split('\n')).toHaveLength(1);
    for (const n of c.file.nodes) {
      const audit = await c.audit(n.id);
      expect(audit.filter((a) => a.event === 'reshare-dealt')).toEqual([]);
      if ([1, 2, 3].includes(n.id)) {
        const refusals = audit.filter((a) => a.event === 'refused' && a.operation === 'reshare');
        expect(refusals.some((a) => /signing client/.test(String(a.reason)))).toBe(true);
        expect(refusals.some((a) => /not a pinned peer/.test(String(a.reason)))).toBe(true);
      }
    }
    // demo is untouched: it still signs 3-of-5.
    const msg = new Uint8Array(randomBytes(100));
    const s = await c.client.sign({ keyName: 'demo', kind: 'raw', data: msg });
    registerSignatures([s.signature]);
    expect(ed25519.verify(s.signature, msg, (await c.client.key('demo')).groupPublicKey)).toBe(true);
  });

  it('refuses a reshare to an unpinned holder', async () => {
    // Node 3 pinned under a key the officer did not expect, and node 901 not pinned at all.
    const stranger = bytesToHex(x25519.getPublicKey(x25519.utils.randomSecretKey()));
    const swapped = await h.plan('demo', [1, 2, 3], [1, 2, 3], 2, h.officerKey, { 3: stranger });
    await expect(h.node(1).reshareDeal(swapped)).rejects.toThrow(/gives node 3 enrollment key .*this node pinned/);
    const unpinned = await h.plan('demo', [1, 2, 3], [1, 2, 901], 2, h.officerKey, { 901: stranger });
    await expect(h.node(2).reshareDeal(unpinned)).rejects.toThrow(/names node 901, which is not a pinned peer/);
    for (const id of [1, 2]) expect((await c.audit(id)).some((a) => a.event === 'reshare-dealt')).toBe(false);
  });

  it('deals once per plan', async () => {
    const signed = await h.plan('victim', [1, 2, 3], [1, 2, 3], 2, h.officerKey);
    const first = await h.node(1).reshareDeal(signed);
    const again = await h.node(1).reshareDeal(signed);
    expect(bytesToHex(again.subShares[0]!.ciphertext)).toBe(bytesToHex(first.subShares[0]!.ciphertext));
    expect(again.commitment.map(bytesToHex)).toEqual(first.commitment.map(bytesToHex));
    // Concurrent requests get the same dealing too.
    const both = await Promise.all([h.node(1).reshareDeal(signed), h.node(1).reshareDeal(signed)]);
    for (const d of both) expect(d.commitment.map(bytesToHex)).toEqual(first.commitment.map(bytesToHex));
    // It survives a restart (the dealing is durable).
    await c.kill(1);
    await c.restart(1);
    h.keys.get(1)?.close();
    h.keys.delete(1);
    const afterRestart = await h.node(1).reshareDeal(signed);
    expect(afterRestart.commitment.map(bytesToHex)).toEqual(first.commitment.map(bytesToHex));
    expect(afterRestart.subShares.map((s) => bytesToHex(s.ciphertext))).toEqual(first.subShares.map((s) => bytesToHex(s.ciphertext)));
    // The same plan id with another body is refused.
    const plan = JSON.parse(new TextDecoder().decode(signed.plan)) as ResharePlan;
    const other = signResharePlan({ ...plan, newThreshold: 3 }, h.officerKey);
    await expect(h.node(1).reshareDeal(other)).rejects.toSatisfy(expectCode('REPLAYED_REQUEST'));
    const dealt = (await c.audit(1)).filter((a) => a.event === 'reshare-dealt' && a.planId === planId(signed));
    expect(dealt).toHaveLength(1);
  });

  it('retires only after every new holder confirmed the same commitment', async () => {
    // A malicious coordinator working with a compromised dealer (node 1, whose share and
    // enrollment key it read from the stopped node's disk) hands holder 1 one dealing of
    // dealer 1 and holders 2 and 3 another. Each holder's sub-shares verify.
    await c.kill(1);
    const store = await openNodeStore(loadNodeConfig(c.file.nodes.find((n) => n.id === 1)!.config));
    const share1 = (await store.getKey('victim'))!.share;
    const enroll1 = await enrollmentSecret(store);
    await store.close();
    await c.restart(1);
    h.keys.get(1)?.close();
    h.keys.delete(1);

    const signed = await h.plan('victim', [1, 2, 3], [1, 2, 3], 2, h.officerKey);
    const id = planId(signed);
    const honest = await Promise.all([1, 2, 3].map((d) => h.node(d).reshareDeal(signed)));
    const plan = JSON.parse(new TextDecoder().decode(signed.plan));
    const second = frost.reshareDeal({ identifier: 1, share: share1 }, { oldPublicKeyPackage: frost.decodePublicKeyPackage(plan.oldPackage), dealers: [1, 2, 3], newMinSigners: 2, newIdentifiers: [1, 2, 3] });
    const forged: ReshareDealResponse = {
      dealer: 1,
      commitment: second.commitment.commitment,
      subShares: second.subShares.map((s) => ({ sender: 1, recipient: s.recipient, ...sealEnvelope(hexToBytes(h.enrollment(s.recipient)), s.subShare, reshareAad(id, 1, s.recipient, second.commitment.commitment), enroll1) })),
    };
    const receipts = await Promise.all([1, 2, 3].map((r) => h.node(r).reshareReceive(signed, Harness.forHolder(r === 1 ? honest : [forged, honest[1]!, honest[2]!], r))));
    const confirmations = receipts.map((x) => x.confirmation!) as ReshareConfirmation[];
    expect(confirmations).toHaveLength(3);

    // Node 4 (retiring) and node 1 (activating) check the confirmations themselves and refuse.
    await expect(h.node(4).reshareRetire(signed, confirmations)).rejects.toThrow(/different merged commitments/);
    await expect(h.node(1).reshareRetire(signed, confirmations)).rejects.toThrow(/different merged commitments/);
    // Leaving out the disagreeing holder does not help: every new holder must confirm.
    await expect(h.node(4).reshareRetire(signed, confirmations.slice(1))).rejects.toThrow(/no confirmation from new holder\(s\) 1/);
    // Nor does a confirmation not signed by the holder's pinned identity key.
    const fake = { ...confirmations[0]!, signature: ed25519.sign(new Uint8Array(8), ed25519.utils.randomSecretKey()) };
    await expect(h.node(5).reshareRetire(signed, [fake, confirmations[1]!, confirmations[2]!])).rejects.toThrow(/not signed by its pinned identity key/);
    for (const n of [4, 5]) {
      const audit = await c.audit(n);
      expect(audit.some((a) => a.event === 'reshared' && a.keyName === 'victim')).toBe(false);
      expect(audit.some((a) => a.event === 'refused' && a.planId === id && /nothing retired/.test(String(a.reason)))).toBe(true);
    }
    // Nothing was retired or replaced: victim still signs with its old 3-of-5 shares.
    const info = await c.client.key('victim');
    expect([info.minSigners, info.maxSigners]).toEqual([3, 5]);
    const msg = new Uint8Array(randomBytes(100));
    const s = await c.client.sign({ keyName: 'victim', kind: 'raw', data: msg });
    registerSignatures([s.signature]);
    expect(ed25519.verify(s.signature, msg, info.groupPublicKey)).toBe(true);
  }, 180_000);

  it('retires once every new holder confirmed the same commitment (the honest relay)', async () => {
    const signed = await h.plan('moved', [1, 2, 3], [1, 2, 3], 2, h.officerKey);
    const deals = await Promise.all([1, 2, 3].map((d) => h.node(d).reshareDeal(signed)));
    const receipts = await Promise.all([1, 2, 3].map((r) => h.node(r).reshareReceive(signed, Harness.forHolder(deals, r))));
    const confirmations = receipts.map((x) => x.confirmation!);
    // Before the finish, nodes 4 and 5 still hold their shares and the new shares are not active.
    for (const r of [1, 2, 3, 4, 5]) expect((await c.audit(r)).some((a) => (a.event === 'reshared-in' || a.event === 'reshared') && a.keyName === 'moved')).toBe(false);
    const done = await Promise.all([1, 2, 3, 4, 5].map((r) => h.node(r).reshareRetire(signed, confirmations)));
    expect(done.map((d) => d.holds)).toEqual([true, true, true, false, false]);
    for (const r of [4, 5]) expect((await c.audit(r)).some((a) => a.event === 'reshared' && a.keyName === 'moved' && a.retired === true)).toBe(true);
    // This coordinator bypassed the real one, whose cached view of the key is stale: restart it.
    await c.restartCoordinator();
    const fresh = new QsignClient(loadClientConfig(c.file.clientConfig));
    try {
      const info = await fresh.key('moved');
      expect([info.minSigners, info.maxSigners]).toEqual([2, 3]);
      const msg = new Uint8Array(randomBytes(100));
      const s = await fresh.sign({ keyName: 'moved', kind: 'raw', data: msg });
      registerSignatures([s.signature]);
      expect(ed25519.verify(s.signature, msg, info.groupPublicKey)).toBe(true);
    } finally {
      fresh.close();
    }
  });

  it('refuses a certificate change requested by a signing client', async () => {
    const before = (await c.client.key('demo')).certificate;
    expect(before.length).toBeGreaterThan(0);
    // A fresh, valid self-certification by the cluster (the signing client may ask for one)…
    const err = await certifyKey(c.client, 'demo').then(() => undefined, (e) => e);
    // …does not replace the stored certificate on any node.
    expect(isQsignError(err, 'POLICY_REFUSED'), String(err)).toBe(true);
    expect(String(err)).toMatch(/already has a certificate .*a certificate change is a lifecycle operation/);
    for (const n of c.file.nodes) {
      const k = c.node(n.id);
      try {
        expect(bytesToHex((await k.getKey('demo')).certificate)).toBe(bytesToHex(before));
      } finally {
        k.close();
      }
      expect((await c.audit(n.id)).some((a) => a.event === 'refused' && a.action === 'put-certificate' && /certificate change/.test(String(a.reason)))).toBe(true);
    }
    // Offering the stored certificate again is accepted and changes nothing.
    await c.client.putCertificate('demo', before);
  });

  it('refuses a DKG that leaves out enrolled nodes or sets a threshold below the minimum', async () => {
    const params = (auth: SignedLifecycle, participants: number[], minSigners: number) => {
      const req = openKeygenRequest(auth);
      return { sessionId: dkgSessionId(req), keyName: req.keyName, userId: req.userId, minSigners, participants, createdUnixSeconds: Math.floor(Date.now() / 1000), keyType: '', dealer: 0 };
    };
    const squat = (k: Uint8Array, minSigners = 2) => signKeygenRequest({ keyName: 'victim@copr', userId: 'Victim <victim@copr>', minSigners }, k);
    // The finding: victim@copr squatted as 2-of-2 among two nodes — refused even for an officer.
    const a = squat(h.officerKey);
    await expect(h.node(1).dkgRound1(params(a, [1, 2], 2), a)).rejects.toThrow(/leaves out enrolled node\(s\) 3, 4, 5/);
    const b = squat(h.officerKey);
    await expect(h.node(1).dkgRound1(params(b, [1, 2, 3, 4, 5], 2), b)).rejects.toThrow(/threshold 2 is below this node's minimum 3/);
    // A signing client may not start one at all; nor may an unsigned request.
    const d = squat(h.clientKey, 3);
    await expect(h.node(2).dkgRound1(params(d, [1, 2, 3, 4, 5], 3), d)).rejects.toThrow(/client dev-client may not start a DKG/);
    await expect(h.node(2).dkgRound1(params(b, [1, 2, 3, 4, 5], 3), undefined)).rejects.toThrow(/a DKG needs a keygen request signed/);
    // Parameters the signer did not sign are refused.
    const e = squat(h.officerKey, 3);
    await expect(h.node(3).dkgRound1({ ...params(e, [1, 2, 3, 4, 5], 3), keyName: 'other@copr' }, e)).rejects.toThrow(/differ from the keygen request/);
    // Through the CLI: below the minimum, and with the signing client's key as "officer".
    const low = await qsign(['keygen', '--name', 'Victim', '--email', 'victim@copr.example', '--threshold', '2', '-c', c.file.clientConfig]);
    expect(low.code).not.toBe(0);
    expect(low.stderr).toMatch(/below this node's minimum 3/);
    const asClient = join(work, 'client-as-officer.json');
    writeFileSync(asClient, JSON.stringify({ name: 'copr-backend', secretKey: bytesToHex(h.clientKey) }));
    const byClient = await qsign(['keygen', '--name', 'Victim', '--email', 'victim@copr.example', '--officer', asClient, '-c', c.file.clientConfig]);
    expect(byClient.code).not.toBe(0);
    expect(byClient.stderr).toMatch(/may not start a DKG/);
    await expect(new QsignClient(loadClientConfig(c.file.clientConfig)).key('victim@copr.example')).rejects.toSatisfy(expectCode('UNKNOWN_KEY'));
    for (const n of c.file.nodes) {
      const audit = await c.audit(n.id);
      expect(audit.some((x) => x.event === 'key-generated' && String(x.keyName).startsWith('victim@copr'))).toBe(false);
      expect(audit.some((x) => x.event === 'refused' && x.operation === 'dkg' && /below this node's minimum/.test(String(x.reason)))).toBe(true);
    }
    // The keygen client (copr-keygen's gen_key) creates a key only with every enrolled node at the minimum threshold or more.
    const keygenKey = hexToBytes(readFileSync(join(dirname(c.file.coordinator.config), 'keygen-client.key'), 'utf8').trim());
    const f = signKeygenRequest({ keyName: 'copr-squat@copr', userId: 'S <copr-squat@copr>', minSigners: 2 }, keygenKey);
    await expect(h.node(4).dkgRound1(params(f, [1, 2, 3, 4, 5], 2), f)).rejects.toThrow(/below this node's minimum 3/);
    const pki = clusterPkiDir(c.dir); // copr-keygen is HTTPS with client certificates (docs/tls.md)
    const gen = await httpsRequest(c.file.keygen!, '/gen_key', { ca: join(pki, 'ca.crt'), cert: join(pki, 'client-dev-client.crt'), key: join(pki, 'client-dev-client.key') }, { method: 'POST', body: { name_real: 'Victim', name_email: 'victim@copr.example' } });
    expect(gen.status).toBe(201);
    await c.client.trust('victim@copr.example'); // pinned as the nodes attest it (docs/pinning.md)
    const info = await c.client.key('victim@copr.example');
    expect([info.minSigners, info.maxSigners]).toEqual([3, 5]);
    const round1 = (await c.audit(1)).find((x) => x.event === 'dkg-round1' && x.keyName === 'victim@copr.example');
    expect(round1?.requestedBy).toBe('keygen-client copr-keygen');
  }, 180_000);
});

describe('lifecycle holds: by default a node holds reshare and retire for its operator', () => {
  let c: TestCluster;
  let h: Harness;
  let work: string;
  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'qsign-lifecycle-holds-'));
    // Production defaults: no "lifecycle" section, so reshare and retire are held.
    c = await TestCluster.start({ nodes: 3, threshold: 2, nodeConfig: (_id, base) => ({ ...base, lifecycle: undefined }), noCertificate: true });
    h = new Harness(c);
  });
  afterAll(async () => {
    h?.close();
    await c?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  const nodeCfg = (id: number) => c.file.nodes.find((n) => n.id === id)!.config;
  const approveAll = async (ids: number[], kind: string) => {
    for (const id of ids) {
      const pending = await qsign(['pending', '--node-config', nodeCfg(id)]);
      const line = pending.stdout.split('\n').find((l) => l.includes(kind));
      expect(line, `node ${id} lists a ${kind} hold:\n${pending.stdout}${pending.stderr}`).toBeDefined();
      const ok = await qsign(['approve', line!.split(/\s+/)[0]!, '--comment', `${kind} checked`, '--node-config', nodeCfg(id)]);
      expect(ok.stderr).toBe('');
      expect(ok.code).toBe(0);
    }
  };

  it('holds a reshare and its retirement until each operator approves; then it completes', async () => {
    const args = ['ceremony', 'reshare', '--key', 'demo', '--dealers', '1,2', '--new', '1,2', '--threshold', '2', ...[1, 2].flatMap((id) => ['--node', `${id}=${h.enrollment(id)}`]), '-c', c.file.clientConfig];
    const r1 = await qsign(args, undefined, work);
    expect(r1.code).not.toBe(0);
    expect(r1.stderr).toMatch(/held for operator approval/);
    const file = join(work, /--resume (\S+)'/.exec(r1.stderr)![1]!);
    for (const id of [1, 2]) expect((await c.audit(id)).some((a) => a.event === 'reshare-dealt')).toBe(false);
    await approveAll([1, 2], 'reshare');
    // Dealt and confirmed now, but node 3's retirement waits for its operator: its share stays.
    const r2 = await qsign(['ceremony', 'reshare', '--resume', file, '-c', c.file.clientConfig], undefined, work);
    expect(r2.code).not.toBe(0);
    expect(r2.stderr).toMatch(/reshare finish held for operator approval: node 3/);
    expect((await c.audit(3)).some((a) => a.event === 'reshared')).toBe(false);
    await approveAll([3], 'retire');
    const r3 = await qsign(['ceremony', 'reshare', '--resume', file, '-c', c.file.clientConfig], undefined, work);
    expect(r3.stderr).toBe('');
    expect(r3.stdout).toMatch(/2-of-2 on nodes 1, 2; retired on 3/);
    // Each dealer dealt exactly once across the three runs.
    for (const id of [1, 2]) expect((await c.audit(id)).filter((a) => a.event === 'reshare-dealt')).toHaveLength(1);
    const audit3 = await c.audit(3);
    expect(audit3.some((a) => a.event === 'hold-approved' && a.comment === 'retire checked')).toBe(true);
    expect(audit3.some((a) => a.event === 'reshared' && a.retired === true)).toBe(true);
  }, 300_000); // nine CLI runs and three restarts' worth of work on a shared machine
});

describe('setting up an officer as docs/key-lifecycle.md says', () => {
  it('qsign officer init makes a key file that qsign node init --officer lists, apart from the signing clients', async () => {
    const work = mkdtempSync(join(tmpdir(), 'qsign-officer-'));
    try {
      const file = join(work, 'alice.officer.json');
      const r = await qsign(['officer', 'init', '--name', 'alice', '--out', file]);
      expect(r.code).toBe(0);
      const pub = r.stdout.trim();
      expect(pub).toMatch(/^[0-9a-f]{64}$/);
      expect(statSync(file).mode & 0o777).toBe(0o600);
      expect(bytesToHex(ed25519.getPublicKey(loadOfficerKey(file, { coordinator: 'x', clientName: 'x', secretKey: new Uint8Array(32) }).secretKey))).toBe(pub);
      expect((await qsign(['officer', 'init', '--name', 'alice', '--out', file])).stderr).toMatch(/already exists; refusing to overwrite/);
      const client = bytesToHex(ed25519.getPublicKey(ed25519.utils.randomSecretKey()));
      const init = await qsign(['node', 'init', '--dir', join(work, 'node-1'), '--id', '1', '--dev-master-key', '--client', `copr=${client}`, '--officer', `alice=${pub}`]);
      expect(init.code).toBe(0);
      const cfg = loadNodeConfig(join(work, 'node-1', 'node.json'));
      expect(cfg.officers).toEqual([{ name: 'alice', publicKey: pub }]);
      expect(cfg.clients.map((x) => x.name)).toEqual(['copr']);
      expect(cfg.lifecycle.hold).toEqual(['reshare', 'retire']);
      // The same key as officer and signing client is refused: roles are separate.
      const both = await qsign(['node', 'init', '--dir', join(work, 'node-2'), '--id', '2', '--dev-master-key', '--client', `copr=${pub}`, '--officer', `alice=${pub}`]);
      expect(both.code).toBe(0);
      expect(() => loadNodeConfig(join(work, 'node-2', 'node.json'))).toThrow(/node\.json:\d+: field "officers\[0\]\.publicKey": is also a signing client key/);
    } finally {
      rmSync(work, { recursive: true, force: true });
    }
  });
});
