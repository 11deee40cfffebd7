/**
 * Issue 9 finding 2 / acceptance 2 on a real 3-node cluster: the client pins
 * each key's group key (client.json) and checks everything against the pin.
 * A man in the middle in front of the coordinator (test/helpers/grpc-proxy.ts)
 * that substitutes the key record, the certificate, the signature or a node
 * attestation makes `qsign pubkey`, `sign -p`, `sign -k`, `qsign sign` and
 * `qsign trust` fail with a clear error; nodes refuse a request naming another
 * group key and record why; a lying node is outvoted by the coordinator, and
 * without a majority nothing is served.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { ed25519 } from '@noble/curves/ed25519.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { buildCertificate, ed25519Fingerprint, parseCertificate } from '@qsign/openpgp';
import { isQsignError } from '@qsign/protocol';
import {
  AuditService,
  CoordinatorApprovalService,
  CoordinatorKeysService,
  CoordinatorService,
  KeyAttestations,
  KeyInfo,
  NodeApprovalService,
  NodeKeysService,
  NodeService,
  SignResponse,
} from '@qsign/proto';
import { CoordinatorRpcClient, openTransport } from '@qsign/rpc';
import { loadNodeConfig } from '@qsign/node';
import { loadClientConfig } from '@qsign/client';
import { TestCluster } from './helpers/cluster.js';
import { startGrpcProxy, type GrpcProxy, type Rewrite } from './helpers/grpc-proxy.js';
import { qsign, sign } from './helpers/qsign-cli.js';
import { registerSignatures } from './helpers/r-registry.js';

const attacker = ed25519.utils.randomSecretKey();
const attackerPub = ed25519.getPublicKey(attacker);

/** A one-line CLI error, no stack trace. */
function expectOneLineError(r: { code: number; stderr: string }, pattern: RegExp): void {
  expect(r.code).not.toBe(0);
  expect(r.stderr).toMatch(pattern);
  expect(r.stderr.trim().split('\n')).toHaveLength(1);
  expect(r.stderr).not.toMatch(/\n\s+at /);
}

describe('pinned group keys', () => {
  let c: TestCluster;
  let work: string;
  let mitm: GrpcProxy;
  let mitmConfig: string;
  let realCert: Uint8Array;
  let attackerCert: Uint8Array;
  let pinned: string;

  /** A copy of the cluster's client config with changes (e.g. another coordinator, pins removed). */
  const configCopy = (name: string, change: (o: Record<string, unknown>) => void) => {
    const o = JSON.parse(readFileSync(c.file.clientConfig, 'utf8')) as Record<string, unknown>;
    // TLS file names are relative to the config's folder: make them absolute for the copy.
    const tls = o.tls as Record<string, string> | undefined;
    if (tls) for (const f of ['ca', 'cert', 'key']) tls[f] = resolve(dirname(c.file.clientConfig), tls[f]!);
    change(o);
    const p = join(work, name);
    writeFileSync(p, JSON.stringify(o, null, 2), { mode: 0o600 });
    return p;
  };
  const rewriting = (method: string, edit: (b: Buffer) => Uint8Array): Rewrite => (m, res) => (m === method ? Buffer.from(edit(res)) : res);

  beforeAll(async () => {
    work = mkdtempSync(join(tmpdir(), 'qsign-pinning-'));
    c = await TestCluster.start({ nodes: 3, threshold: 2 });
    const info = await c.client.key('demo');
    realCert = (await c.client.certificate('demo'))!;
    pinned = loadClientConfig(c.file.clientConfig).keys.get('demo')!.groupPublicKey;
    attackerCert = await buildCertificate({ publicKey: attackerPub, createdUnixSeconds: info.createdUnixSeconds, userId: info.userId, sign: async (d) => ed25519.sign(d, attacker) });
    mitm = await startGrpcProxy(c.file.coordinator.address, [CoordinatorService, CoordinatorKeysService, CoordinatorApprovalService], undefined, { serve: c.as('coordinator'), upstream: c.as('client') });
    mitmConfig = configCopy('mitm-client.json', (o) => (o.coordinator = mitm.address));
  });
  afterAll(async () => {
    await mitm?.stop();
    await c?.stop();
    rmSync(work, { recursive: true, force: true });
  });

  it('cluster up pins the key it split and every node identity; the honest coordinator passes every check', async () => {
    const cfg = loadClientConfig(c.file.clientConfig);
    expect(cfg.nodes.map((n) => n.verifierKey)).toEqual(c.file.nodes.map((n) => n.verifierKey));
    expect(cfg.trustThreshold).toBe(2);
    const info = await c.client.key('demo');
    expect(bytesToHex(info.groupPublicKey)).toBe(pinned);
    expect(cfg.keys.get('demo')!.fingerprint).toBe(bytesToHex(ed25519Fingerprint(info.groupPublicKey, info.createdUnixSeconds)));
    // Each operator reads their node's identity (what the client pins) from the operator socket.
    const st = await qsign(['node', 'status', '--config', c.file.nodes[0]!.config]);
    expect(st.stdout).toContain(`identity: ${cfg.nodes.find((n) => n.id === c.file.nodes[0]!.id)!.verifierKey}`);
    mitm.rewrite = undefined; // a proxy that changes nothing is harmless
    const r = await qsign(['pubkey', '--key', 'demo', '--armor', '-c', mitmConfig]);
    expect(r.stderr).toBe('');
    expect(bytesToHex(parseCertificate(r.stdout).publicKey32)).toBe(pinned);
    const p = await sign(['--config', mitmConfig, '-u', 'demo', '-p']);
    expect(p.code).toBe(0);
    expect(p.stdout).toBe(r.stdout);
  });

  it('a coordinator that substitutes the key and its certificate makes qsign pubkey, sign -p, sign -k and qsign sign fail', async () => {
    mitm.rewrite = async (m, res) => {
      if (m === '/qsign.v1.Coordinator/GetKey') {
        const k = KeyInfo.decode(res);
        return Buffer.from(KeyInfo.encode({ ...k, groupPublicKey: attackerPub, certificate: attackerCert, fingerprint: ed25519Fingerprint(attackerPub, k.createdUnixSeconds) }).finish());
      }
      if (m === '/qsign.v1.Coordinator/Sign') {
        const s = SignResponse.decode(res);
        return Buffer.from(SignResponse.encode({ ...s, signature: ed25519.sign(s.message, attacker) }).finish());
      }
      return res;
    };
    expectOneLineError(await qsign(['pubkey', '--key', 'demo', '--armor', '-c', mitmConfig]), /^qsign: the coordinator's record of key demo .* is not the pinned key/);
    expectOneLineError(await qsign(['pubkey', '--key', 'demo', '--raw', '-c', mitmConfig]), /is not the pinned key/);
    const p = await sign(['--config', mitmConfig, '-u', 'demo', '-p']);
    expectOneLineError(p, /^sign: the coordinator's record of key demo .* is not the pinned key/);
    expect(p.stdout).toBe('');
    expectOneLineError(await sign(['--config', mitmConfig, '-u', 'demo', '-k']), /is not the pinned key/);
    const file = join(work, 'payload.txt');
    writeFileSync(file, `pinning ${bytesToHex(randomBytes(8))}\n`);
    // An OpenPGP signature needs the key record: refused before anything is sent.
    expectOneLineError(await qsign(['sign', '--key', 'demo', '-b', file, '-c', mitmConfig]), /is not the pinned key/);
    expect(existsSync(`${file}.sig`)).toBe(false);
    // A raw signature is checked against the pinned key, not the coordinator's answer.
    const out = join(work, 'payload.raw.sig');
    expectOneLineError(await qsign(['sign', '--key', 'demo', '--raw', file, '-o', out, '-c', mitmConfig]), /^qsign: the coordinator returned a signature that does not verify under the pinned key of demo/);
    expect(existsSync(out)).toBe(false);
  });

  it('a substituted certificate for the pinned key is refused by qsign pubkey and sign -p', async () => {
    // The attacker's certificate under the real key record, then the real certificate with a changed user ID.
    const forgedUid = Buffer.from(realCert);
    const at = forgedUid.indexOf(Buffer.from('qsign demo'));
    forgedUid.write('QSIGN DEMO', at);
    for (const [cert, why] of [
      [attackerCert, /certificate is for a different public key/],
      [new Uint8Array(forgedUid), /user ID .* is not the key's|self-signature does not verify/],
    ] as const) {
      mitm.rewrite = rewriting('/qsign.v1.Coordinator/GetKey', (res) => KeyInfo.encode({ ...KeyInfo.decode(res), certificate: cert }).finish());
      expectOneLineError(await qsign(['pubkey', '--key', 'demo', '--armor', '-c', mitmConfig]), new RegExp(`the certificate of key demo from the coordinator is not the pinned key's: .*(${why.source})`));
      const p = await sign(['--config', mitmConfig, '-u', 'demo', '-p']);
      expectOneLineError(p, why);
      expect(p.stdout).toBe('');
      expectOneLineError(await sign(['--config', mitmConfig, '-u', 'demo', '-k']), why);
    }
    mitm.rewrite = undefined;
  });

  it('refuses a substituted group key: nodes refuse a request naming another key, or none, and record why', async () => {
    const co = new CoordinatorRpcClient(c.file.coordinator.address, c.as('client'));
    try {
      for (const [expectedGroupKey, why] of [
        [attackerPub, /request expects group key [0-9a-f]{64} for key demo, but this node's share is of [0-9a-f]{64}/],
        [undefined, /request names no expected group key for key demo/],
      ] as const) {
        const signed = c.client.buildRequest({ keyName: 'demo', kind: 'raw', data: new Uint8Array(randomBytes(40)) }, { expectedGroupKey });
        const requestId = (await import('@qsign/rpc')).decodeSignRequest(signed.body).requestId;
        const err = await co.sign(signed).catch((e) => e);
        expect(isQsignError(err, 'KEY_MISMATCH')).toBe(true);
        expect(err.message).toMatch(why);
        const records = (await Promise.all(c.file.nodes.map((n) => c.audit(n.id)))).flat().filter((r) => r.requestId === requestId);
        expect(records.length).toBeGreaterThanOrEqual(2); // every node asked refused (2 of 3 make a signing set)
        for (const r of records) {
          expect(r.event).toBe('refused');
          expect(r.code).toBe('KEY_MISMATCH');
          expect(String(r.reason)).toMatch(why);
        }
      }
    } finally {
      co.close();
    }
  });

  it('qsign keygen and qsign trust pin a key only as enough pinned nodes attest it', async () => {
    const gen = await qsign(['keygen', '--name', 'Trust Test', '--email', 'trust@example.org', '-c', c.file.clientConfig]);
    expect(gen.code).toBe(0);
    const fpr = gen.stdout.trim();
    const pin = loadClientConfig(c.file.clientConfig).keys.get('trust@example.org');
    expect(pin?.fingerprint.toUpperCase()).toBe(fpr);

    // A client without the pin refuses to use the key and says what to run.
    const unpinned = configCopy('unpinned.json', (o) => delete (o.keys as Record<string, unknown>)['trust@example.org']);
    const file = join(work, 'trust.txt');
    writeFileSync(file, 'trust me\n');
    expectOneLineError(await qsign(['sign', '--key', 'trust@example.org', '--raw', file, '-o', `${file}.sig`, '-c', unpinned]), /key trust@example\.org is not pinned in .*unpinned\.json: run 'qsign trust --key trust@example\.org'/);
    expectOneLineError(await sign(['--config', unpinned, '-u', 'trust@example.org', '-p']), /is not pinned/);

    // Through a coordinator that forges one node's statement, or passes on too few, nothing is pinned.
    const mitmUnpinned = configCopy('mitm-unpinned.json', (o) => {
      o.coordinator = mitm.address;
      delete (o.keys as Record<string, unknown>)['trust@example.org'];
    });
    mitm.rewrite = rewriting('/qsign.v1.Coordinator/AttestKey', (res) => {
      const a = KeyAttestations.decode(res);
      const s = JSON.parse(new TextDecoder().decode(a.attestations[0]!.statement)) as Record<string, unknown>;
      const forged = { ...s, groupPublicKey: bytesToHex(attackerPub), fingerprint: bytesToHex(ed25519Fingerprint(attackerPub, s.createdUnixSeconds as number)) };
      a.attestations[0]!.statement = new TextEncoder().encode(JSON.stringify(forged));
      return KeyAttestations.encode(a).finish();
    });
    expectOneLineError(await qsign(['trust', '--key', 'trust@example.org', '-c', mitmUnpinned]), /not trusting key trust@example\.org: attestation of node \d: signature does not verify under the node's pinned identity key/);
    mitm.rewrite = rewriting('/qsign.v1.Coordinator/AttestKey', (res) => {
      const a = KeyAttestations.decode(res);
      return KeyAttestations.encode({ ...a, attestations: a.attestations.slice(0, 1) }).finish();
    });
    expectOneLineError(await qsign(['trust', '--key', 'trust@example.org', '-c', mitmUnpinned]), /not trusting key trust@example\.org: .*1 node attestation, 2 needed/);
    mitm.rewrite = undefined;
    expect(loadClientConfig(mitmUnpinned).keys.has('trust@example.org')).toBe(false);
    // More attestations than the cluster has nodes: refused, nothing pinned.
    expectOneLineError(await qsign(['trust', '--key', 'trust@example.org', '--attestations', '4', '-c', unpinned]), /3 node attestations, 4 needed/);
    expectOneLineError(await qsign(['trust', '--key', 'no-such@example.org', '-c', unpinned]), /unknown key no-such@example\.org/);

    // Attested by all three pinned nodes: pinned, and then it signs.
    const t = await qsign(['trust', '--key', 'trust@example.org', '-c', unpinned]);
    expect(t.code).toBe(0);
    expect(t.stdout.trim()).toBe(fpr);
    expect(t.stderr).toMatch(/pinned key trust@example\.org: group key [0-9a-f]{64}, 2-of-3, attested by nodes 1, 2, 3/);
    expect(loadClientConfig(unpinned).keys.get('trust@example.org')).toEqual(pin);
    const s = await qsign(['sign', '--key', 'trust@example.org', '--raw', file, '-o', `${file}.sig`, '-c', unpinned]);
    expect(s.stderr).toBe('');
    const sig = new Uint8Array(readFileSync(`${file}.sig`));
    expect(ed25519.verify(sig, new Uint8Array(readFileSync(file)), Buffer.from(pin!.groupPublicKey, 'hex'))).toBe(true);
    registerSignatures([sig]);
  });

  it('the coordinator serves a key record only when enough nodes agree: a lying node is outvoted, and without a majority nothing is served', async () => {
    // Node 3 lies about the group key (a proxy in front of it rewrites its answers).
    const node3 = c.file.nodes.find((n) => n.id === 3)!;
    const liar = await startGrpcProxy(node3.address, [NodeService, NodeKeysService, NodeApprovalService, AuditService], (m, res) =>
      m === '/qsign.v1.Node/GetKey' ? Buffer.from(KeyInfo.encode({ ...KeyInfo.decode(res), groupPublicKey: attackerPub, certificate: attackerCert }).finish()) : res,
      { serve: openTransport(loadNodeConfig(node3.config).transport), upstream: c.as('coordinator') },
    );
    try {
      const ccfg = JSON.parse(readFileSync(c.file.coordinator.config, 'utf8')) as { nodes: Array<{ id: number; address: string }> };
      ccfg.nodes.find((n) => n.id === 3)!.address = liar.address;
      writeFileSync(c.file.coordinator.config, JSON.stringify(ccfg, null, 2));
      await c.restartCoordinator();
      const file = join(work, 'outvoted.txt');
      writeFileSync(file, 'outvoted\n');
      const ok = await qsign(['sign', '--key', 'demo', '--raw', file, '-o', `${file}.sig`, '-c', c.file.clientConfig]);
      expect(ok.stderr).toBe('');
      registerSignatures([new Uint8Array(readFileSync(`${file}.sig`))]);
      const pub = await qsign(['pubkey', '--key', 'demo', '--armor', '-c', c.file.clientConfig]);
      expect(bytesToHex(parseCertificate(pub.stdout).publicKey32)).toBe(pinned);
      expect(readFileSync(c.file.coordinator.log, 'utf8')).toMatch(/node 3 reports a different record of key demo; ignoring it/);

      // With node 1 down, node 2's record and the liar's have one vote each: the coordinator serves neither.
      await c.kill(1);
      await c.restartCoordinator();
      const disagree = new RegExp(`nodes disagree about key demo: (?=.*node 2 reports group key ${pinned} \\(2-of-3\\))(?=.*node 3 reports group key ${bytesToHex(attackerPub)} \\(2-of-3\\))`);
      expectOneLineError(await qsign(['sign', '--key', 'demo', '--raw', file, '-o', `${file}.2.sig`, '-c', c.file.clientConfig]), disagree);
      expect(existsSync(`${file}.2.sig`)).toBe(false);
      expectOneLineError(await qsign(['pubkey', '--key', 'demo', '--armor', '-c', c.file.clientConfig]), disagree);
      expectOneLineError(await sign(['--config', c.file.clientConfig, '-u', 'demo', '-p']), disagree);
    } finally {
      await liar.stop();
    }
  });
});
