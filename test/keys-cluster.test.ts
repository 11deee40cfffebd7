/**
 * Issue #4 acceptance 2, 3 and 4 on a real 5-node cluster:
 * DKG creates a 3-of-5 key whose signatures verify, and the coordinator
 * relays only ciphertext (every relayed message is dumped and searched for
 * the secret round-2 shares and the final shares); a node that sends a bad
 * round-2 share is named; the copr-keygen HTTP API creates (201) then finds
 * (200) a key whose certificate (from the obs-sign `sign -p` client) gpg imports; a 3-of-5 key is reshared to
 * 2-of-3 with one new node: same public key, the new set signs, the three
 * dropped nodes cannot.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { execFileSync } from 'node:child_process';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { randomBytes } from 'node:crypto';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex, hexToBytes } from '@noble/hashes/utils.js';
import * as frost from '@qsign/frost';
import { ed25519Fingerprint } from '@qsign/openpgp';
import { isQsignError } from '@qsign/protocol';
import { QsignClient, loadClientConfig } from '@qsign/client';
import { clusterPkiDir, clusterTransport, waitHealthy } from '@qsign/devcluster';
import { httpsRequest } from './helpers/https.js';
import { dkgAad, dkgTranscript, enrollmentSecret, loadNodeConfig, openNodeStore } from '@qsign/node';
import { openEnvelope } from '@qsign/storage';
import { TestCluster } from './helpers/cluster.js';
import { qsign, sign } from './helpers/qsign-cli.js';
import { requireTools } from './helpers/tools.js';
import { registerSignatures } from './helpers/r-registry.js';

describe('DKG, copr-keygen and reshare over a running cluster', () => {
  let c: TestCluster;
  let work: string;
  let dump: string;
  const enrollment = (id: number) => readFileSync(join(dirname(c.file.nodes.find((n) => n.id === id)!.config), 'enrollment.pub'), 'utf8').trim();
  beforeAll(async () => {
    requireTools('gpg', 'gpgconf');
    work = mkdtempSync(join(tmpdir(), 'qsign-keys-'));
    dump = join(work, 'relay.jsonl');
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
    await c.restartCoordinator({ QSIGN_TEST_FAULTS: '1', QSIGN_TEST_RELAY_DUMP: dump });
  });
  afterAll(async () => {
    if (process.env.QSIGN_KEEP) console.log(c.log(0));
    await c?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('DKG makes a 3-of-5 key that signs; the coordinator only ever relays ciphertext', async () => {
    const r = await qsign(['keygen', '--name', 'DKG Test', '--email', 'dkg@example.org', '--threshold', '3', '-c', c.file.clientConfig]);
    expect(r.stderr).toMatch(/3-of-5/);
    expect(r.code).toBe(0);
    const fpr = r.stdout.trim();
    expect(fpr).toMatch(/^[0-9A-F]{40}$/);
    const info = await c.client.key('dkg@example.org');
    expect([info.minSigners, info.maxSigners]).toEqual([3, 5]);
    expect(bytesToHex(ed25519Fingerprint(info.groupPublicKey, info.createdUnixSeconds)).toUpperCase()).toBe(fpr);
    for (let i = 0; i < 3; i++) {
      const msg = new Uint8Array(randomBytes(100)); // not hash-sized: raw 20/28/32/48/64-byte payloads need a digest-only key
      const s = await c.client.sign({ keyName: 'dkg@example.org', kind: 'raw', data: msg });
      expect(ed25519.verify(s.signature, msg, info.groupPublicKey)).toBe(true);
      registerSignatures([s.signature]);
    }

    // Read every node's final share and enrollment secret (nodes stopped, dev master keys).
    for (const n of c.file.nodes) await c.kill(n.id);
    const shares = new Map<number, Uint8Array>();
    const enrollSecrets = new Map<number, Uint8Array>();
    for (const n of c.file.nodes) {
      const store = await openNodeStore(loadNodeConfig(n.config));
      shares.set(n.id, (await store.getKey('dkg@example.org'))!.share);
      enrollSecrets.set(n.id, await enrollmentSecret(store));
      await store.close();
    }
    for (const n of c.file.nodes) await c.restart(n.id, undefined, false);
    await waitHealthy(c.file.coordinator.address, 5, 30_000, clusterTransport(c.file));

    const relayed = readFileSync(dump, 'utf8');
    const lines = relayed.trim().split('\n').map((l) => JSON.parse(l) as { what: string; value: unknown });
    expect(lines.map((l) => l.what).slice(0, 3)).toEqual(['DKG round 1', 'DKG round 2', 'DKG finalise']);
    // No final share in anything the coordinator saw.
    for (const s of shares.values()) expect(relayed).not.toContain(bytesToHex(s));
    // Round-2 messages are envelopes; opened with the recipients' keys they are the real f_j(i)
    // (checked against the sender's round-1 commitment), and those values never appear in the clear.
    const round1 = lines[0]!.value as Array<{ identifier: number; commitment: string[] }>;
    const round2 = (lines[1]!.value as Array<{ packages: Array<Record<string, string | number>> }>).flatMap((x) => x.packages);
    expect(round2).toHaveLength(20);
    const sessionId = /DKG (dkg-[0-9a-f]{32}): key dkg@example.org/.exec(readFileSync(c.file.coordinator.log, 'utf8'))![1]!;
    const r1 = round1.map((x) => ({ identifier: x.identifier, commitment: x.commitment.map(hexToBytes), proofOfKnowledge: hexToBytes((x as unknown as { proofOfKnowledge: string }).proofOfKnowledge) }));
    const transcript = dkgTranscript({ sessionId, keyName: 'dkg@example.org', userId: 'DKG Test <dkg@example.org>', minSigners: 3, participants: [1, 2, 3, 4, 5], createdUnixSeconds: info.createdUnixSeconds }, r1);
    for (const p of round2) {
      expect(Object.keys(p).sort()).toEqual(['ciphertext', 'ephemeralPublicKey', 'nonce', 'recipient', 'sender']);
      const sender = p.sender as number;
      const recipient = p.recipient as number;
      const env = { ephemeralPublicKey: hexToBytes(p.ephemeralPublicKey as string), nonce: hexToBytes(p.nonce as string), ciphertext: hexToBytes(p.ciphertext as string) };
      const f = openEnvelope(enrollSecrets.get(recipient)!, env, dkgAad(sessionId, sender, recipient, transcript), hexToBytes(enrollment(sender)));
      // It is the secret round-2 share f_sender(recipient): it matches the sender's commitment…
      const fG = ed25519.Point.BASE.multiply(BigInt('0x' + bytesToHex(Uint8Array.from(f).reverse())) % ed25519.Point.Fn.ORDER);
      expect(bytesToHex(fG.toBytes())).toBe(bytesToHex(frost.verifyingShareFromCommitment(recipient, r1.find((x) => x.identifier === sender)!.commitment)));
      // …and it never crossed the coordinator in the clear.
      expect(relayed).not.toContain(bytesToHex(f));
      // Without the nodes' round-1 transcript (a different broadcast) the envelope does not open.
      expect(() => openEnvelope(enrollSecrets.get(recipient)!, env, dkgAad(sessionId, sender, recipient, new Uint8Array(32)), hexToBytes(enrollment(sender)))).toThrow(/does not decrypt/);
    }
    // The coordinator's view (round 1 commitments) determines only public values: the group key.
    const vss = round1.map((x) => x.commitment.map(hexToBytes));
    const sum = vss.reduce((acc, C) => acc.add(ed25519.Point.fromBytes(C[0]!)), ed25519.Point.ZERO);
    expect(bytesToHex(sum.toBytes())).toBe(bytesToHex(info.groupPublicKey));
  });

  it('a node that sends a bad round-2 share is named, and no key is created', async () => {
    await c.kill(4);
    await c.restart(4, { QSIGN_TEST_FAULTS: '1', QSIGN_TEST_DKG_FAULT: 'bad-share' });
    try {
      const r = await qsign(['keygen', '--name', 'Bad', '--email', 'bad@example.org', '-c', c.file.clientConfig]);
      expect(r.code).not.toBe(0);
      expect(r.stderr).toMatch(/node 1: .*misbehaving node\(s\) 4/);
      const fresh = new QsignClient(loadClientConfig(c.file.clientConfig));
      await expect(fresh.key('bad@example.org')).rejects.toSatisfy((e) => isQsignError(e, 'UNKNOWN_KEY'));
      fresh.close();
      expect((await c.audit(2)).some((a) => a.event === 'refused' && String(a.reason).includes('misbehaving node(s) 4'))).toBe(true);
    } finally {
      await c.kill(4);
      await c.restart(4);
    }
  });

  it('copr-keygen API: GET /ping, POST /gen_key 201 then 200, 400 for bad input; the certificate imports into gpg', async () => {
    // HTTPS with the client's certificate from the cluster CA (docs/tls.md).
    const pki = clusterPkiDir(c.dir);
    const tls = { ca: join(pki, 'ca.crt'), cert: join(pki, 'client-dev-client.crt'), key: join(pki, 'client-dev-client.key') };
    expect((await httpsRequest(c.file.keygen!, '/ping', tls)).text).toBe('pong');
    const gen = (body: unknown) => httpsRequest(c.file.keygen!, '/gen_key', tls, { method: 'POST', body });
    expect((await gen({ name_real: 'Copr Project', name_email: 'copr-project@example.org' })).status).toBe(201);
    expect((await gen({ name_real: 'Copr Project', name_email: 'copr-project@example.org' })).status).toBe(200);
    // The exact body Copr's backend sends (copr_backend/sign.py create_user_keys: USER#PROJECT@copr.DOMAIN).
    const coprGen = await gen(JSON.parse('{"name_real":"Copr user","name_email":"user#p2@copr.fedorahosted.org"}'));
    expect(coprGen.text).toBe('created');
    expect(coprGen.status).toBe(201);
    await c.client.trust('user#p2@copr.fedorahosted.org');
    expect((await c.client.key('user#p2@copr.fedorahosted.org')).userId).toBe('Copr user <user#p2@copr.fedorahosted.org>');
    expect((await gen({ name_real: 'x', name_email: 'not-an-email' })).status).toBe(400);
    expect((await gen({ name_email: 'a@example.org' })).status).toBe(400);
    // Public key as Copr fetches it: the obs-sign compatible `sign -u EMAIL -p` (self-certifies a new key through the cluster first).
    // Copr's client config trusts keys it meets for the first time once enough nodes attest them (docs/pinning.md).
    const coprConfig = join(dirname(c.file.clientConfig), 'copr-client.json'); // beside client.json: its TLS file names are relative to it
    writeFileSync(coprConfig, JSON.stringify({ ...JSON.parse(readFileSync(c.file.clientConfig, 'utf8')), trustNewKeys: true }), { mode: 0o600 });
    const cert = await sign(['--config', coprConfig, '-u', 'copr-project@example.org', '-p']);
    expect(cert.stderr).toBe('');
    expect(cert.code).toBe(0);
    expect(cert.stdout).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    const home = join(work, 'gnupg');
    execFileSync('mkdir', ['-m', '700', '-p', home]);
    writeFileSync(join(work, 'cert.asc'), cert.stdout);
    execFileSync('gpg', ['--homedir', home, '--batch', '--import', join(work, 'cert.asc')], { stdio: 'pipe' });
    const listing = execFileSync('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-keys'], { stdio: ['ignore', 'pipe', 'pipe'] }).toString();
    const copr = new QsignClient(loadClientConfig(coprConfig));
    const info = await copr.key('copr-project@example.org').finally(() => copr.close());
    expect(loadClientConfig(coprConfig).keys.get('copr-project@example.org')?.groupPublicKey).toBe(bytesToHex(info.groupPublicKey));
    expect(listing).toContain(`fpr:::::::::${bytesToHex(ed25519Fingerprint(info.groupPublicKey, info.createdUnixSeconds)).toUpperCase()}:`);
    expect(listing).toContain('Copr Project <copr-project@example.org>');
    try {
      execFileSync('gpgconf', ['--homedir', home, '--kill', 'all']);
    } catch {
      /* no agent */
    }
  });

  it('reshare 3-of-5 → 2-of-3 with one new node: same public key, the new set signs, the dropped nodes cannot', async () => {
    const before = (await c.client.key('demo')).groupPublicKey;
    await c.addNode(6);
    const nodeArgs = [1, 2, 3, 6].flatMap((id) => ['--node', `${id}=${enrollment(id)}`]);
    const r = await qsign(['ceremony', 'reshare', '--key', 'demo', '--dealers', '1,2,3', '--new', '1,2,6', '--threshold', '2', ...nodeArgs, '-c', c.file.clientConfig]);
    expect(r.stderr).toBe('');
    expect(r.stdout).toMatch(/2-of-3 on nodes 1, 2, 6; retired on 3, 4, 5/);
    const fresh = new QsignClient(loadClientConfig(c.file.clientConfig));
    try {
      const info = await fresh.key('demo');
      expect(bytesToHex(info.groupPublicKey)).toBe(bytesToHex(before));
      expect([info.minSigners, info.maxSigners]).toEqual([2, 3]);
      // The new holders attest the same key (the new node's identity was pinned when it was added).
      const attested = await fresh.attested('demo', 3);
      expect(attested.attestedBy).toEqual([1, 2, 6]);
      expect(attested.groupPublicKey).toBe(bytesToHex(before));
      const seen = new Set<number>();
      for (let i = 0; i < 6; i++) {
        const msg = new Uint8Array(randomBytes(100));
        const s = await fresh.sign({ keyName: 'demo', kind: 'raw', data: msg });
        expect(ed25519.verify(s.signature, msg, before)).toBe(true);
        registerSignatures([s.signature]);
        expect(s.signers).toHaveLength(2);
        s.signers.forEach((x) => seen.add(x));
      }
      expect([...seen].every((x) => [1, 2, 6].includes(x))).toBe(true);
      // Issue 16 item 3: each signature needs the key's threshold at the time (2 after the reshare), not the cluster's 3.
      const cross = await qsign(['audit', 'crosscheck', '--cluster', c.dir, '--no-state']);
      expect(cross.stdout).not.toMatch(/under-accounted/);
      expect(cross.stdout).toMatch(/^ok +(\d+) of \1 issued signatures accounted for/m);
      expect(cross.code).toBe(0);
      for (const id of [3, 4, 5]) {
        const n = c.node(id);
        await expect(n.getKey('demo')).rejects.toSatisfy((e) => isQsignError(e, 'UNKNOWN_KEY'));
        n.close();
        const audit = await c.audit(id);
        expect(audit.some((a) => a.event === 'reshared' && a.keyName === 'demo' && a.retired === true)).toBe(true);
      }
      // With only one new holder left (1), the three dropped nodes cannot make up a quorum.
      await c.kill(2);
      await c.kill(6);
      await expect(fresh.sign({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(16)) })).rejects.toThrow(/cannot sign|not enough|needs 2/i);
    } finally {
      fresh.close();
    }
  });
});
