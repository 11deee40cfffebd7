/**
 * Issue 11, acceptance 4, on a real 3-of-5 cluster: copr-keygen's `POST /gen_key` with the
 * coordinator's default key type set to RSA-4096 makes an RSA-4096 key by the dealer path
 * (node 1 generates safe primes, deals Shoup shares sealed to the pinned peers, drops the
 * primes; every node audits it), whose certificate `sign -u EMAIL -p` prints (gpg lists it as
 * rsa4096 with Copr's user ID) and which `sign -u EMAIL -r` and `qsign sign --raw` use
 * (rpmkeys --checksig after rpmkeys --import of the -p output; openssl dgst -verify).
 * Also: `qsign keygen --type rsa2048`, refusals of unknown types and of a coordinator that
 * relays another type than the officer signed, and the RSA reshare message.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { createPublicKey, randomBytes } from 'node:crypto';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { bitLength, toBytes } from '@qsign/threshold-rsa';
import { parseRsaGroupPublicKey, signKeygenRequest } from '@qsign/protocol';
import { clusterPkiDir } from '@qsign/devcluster';
import { NodeKeysRpcClient, openTransport } from '@qsign/rpc';
import { loadCoordinatorConfig } from '@qsign/coordinator';
import { TestCluster } from './helpers/cluster.js';
import { httpsRequest } from './helpers/https.js';
import { qsign, sign } from './helpers/qsign-cli.js';
import { requireTools } from './helpers/tools.js';
import { buildRpm, standardSpecs, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const COPR_EMAIL = 'user#project@copr.fedorahosted.org';

describe('new RSA keys on a running cluster (dealer node)', () => {
  let c: TestCluster;
  let dir: string;
  let coprConfig: string;
  const run = (cmd: string, args: string[]) => spawnSync(cmd, args, { encoding: 'utf8', timeout: 300_000 });

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'openssl', 'rpmbuild', 'rpmkeys');
    dir = tempDir('rsa-keygen');
    c = await TestCluster.start({ nodes: 5, threshold: 3 });
    const ccfg = c.file.coordinator.config;
    writeFileSync(ccfg, JSON.stringify({ ...JSON.parse(readFileSync(ccfg, 'utf8')), keygenDefaultType: 'rsa4096' }, null, 2));
    await c.restartCoordinator();
    // Copr's client config trusts keys it meets for the first time once enough nodes attest them (docs/pinning.md).
    coprConfig = join(dirname(c.file.clientConfig), 'copr-client.json');
    writeFileSync(coprConfig, JSON.stringify({ ...JSON.parse(readFileSync(c.file.clientConfig, 'utf8')), trustNewKeys: true }), { mode: 0o600 });
  }, 600_000);

  afterAll(async () => {
    if (process.env.QSIGN_KEEP) console.log(c.log(0));
    await c?.stop();
  });

  const publicKeyPem = (info: { groupPublicKey: Uint8Array }) => {
    const { n, e } = parseRsaGroupPublicKey(info.groupPublicKey);
    const b64 = (x: bigint) => Buffer.from(toBytes(x, Math.ceil(x.toString(16).length / 2))).toString('base64url');
    return createPublicKey({ key: { kty: 'RSA', n: b64(n), e: b64(e) }, format: 'jwk' }).export({ type: 'spki', format: 'pem' }).toString();
  };

  /** `qsign sign --raw` of random bytes, verified by the openssl CLI under the key's (n, e). */
  const rawSignVerifies = async (keyName: string, config: string) => {
    const data = join(dir, `${keyName.replace(/[^a-z0-9]/gi, '_')}.bin`);
    writeFileSync(data, randomBytes(300));
    const sigFile = `${data}.sig`;
    const r = await qsign(['sign', '--key', keyName, '--raw', data, '-o', sigFile, '-c', config]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const pem = join(dir, 'pub.pem');
    writeFileSync(pem, publicKeyPem(await c.client.key(keyName)));
    const v = run('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sigFile, data]);
    expect(v.stdout.trim()).toBe('Verified OK');
    writeFileSync(data, randomBytes(300));
    expect(run('openssl', ['dgst', '-sha256', '-verify', pem, '-signature', sigFile, data]).status).not.toBe(0);
  };

  it('copr-keygen gen_key with keygenDefaultType rsa4096 makes an RSA-4096 key by the dealer node, audited on every node', async () => {
    const pki = clusterPkiDir(c.dir);
    const tls = { ca: join(pki, 'ca.crt'), cert: join(pki, 'client-dev-client.crt'), key: join(pki, 'client-dev-client.key') };
    const started = Date.now();
    const gen = await httpsRequest(c.file.keygen!, '/gen_key', tls, { method: 'POST', body: JSON.parse('{"name_real":"Copr user","name_email":"user#project@copr.fedorahosted.org"}') });
    const seconds = (Date.now() - started) / 1000;
    console.log(`gen_key rsa4096 (two 2048-bit safe primes, niced, loaded host): ${seconds.toFixed(1)} s wall`);
    expect(gen.text).toBe('created');
    expect(gen.status).toBe(201);
    await c.client.trust(COPR_EMAIL);
    const info = await c.client.key(COPR_EMAIL);
    expect(info.scheme).toBe('rsa-shoup');
    expect(info.userId).toBe(`Copr user <${COPR_EMAIL}>`);
    expect([info.minSigners, info.maxSigners]).toEqual([3, 5]);
    expect(bitLength(parseRsaGroupPublicKey(info.groupPublicKey).n)).toBe(4096);
    expect(info.verificationBase.length).toBe(512); // safe primes: shares carry Shoup proofs
    const dealt = (await c.audit(1)).filter((r) => r.event === 'rsa-key-dealt' && r.keyName === COPR_EMAIL);
    expect(dealt).toHaveLength(1);
    expect(dealt[0]!.recipients).toEqual([2, 3, 4, 5]);
    expect(dealt[0]!.keyType).toBe('rsa4096');
    for (const id of [1, 2, 3, 4, 5]) {
      const made = (await c.audit(id)).filter((r) => r.event === 'key-generated' && r.keyName === COPR_EMAIL);
      expect(made, `node ${id}`).toHaveLength(1);
      expect(made[0]!.method).toBe('rsa-dealer');
      expect(made[0]!.dealer).toBe(1);
    }
    expect((await httpsRequest(c.file.keygen!, '/gen_key', tls, { method: 'POST', body: { name_real: 'Copr user', name_email: COPR_EMAIL } })).status).toBe(200);
  }, 3_600_000);

  it('qsign sign --raw with the gen_key RSA-4096 key verifies with openssl', async () => {
    await rawSignVerifies(COPR_EMAIL, coprConfig);
  }, 600_000);

  it('sign -u EMAIL -p prints a certificate gpg lists as rsa4096 with Copr\'s user ID, self-signed through the quorum; sign -u EMAIL -r signs an RPM rpmkeys verifies with it', async () => {
    const p = await sign(['--config', coprConfig, '-u', COPR_EMAIL, '-p']);
    expect(p.stderr).toBe('');
    expect(p.code).toBe(0);
    expect(p.stdout).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    const asc = join(dir, 'copr.asc');
    writeFileSync(asc, p.stdout);
    const home = join(dir, 'gnupg');
    mkdirSync(home, { mode: 0o700 });
    expect(run('gpg', ['--homedir', home, '--batch', '--import', asc]).status).toBe(0);
    const listing = run('gpg', ['--homedir', home, '--batch', '--with-colons', '--list-keys']).stdout;
    const pub = listing.split('\n').find((l) => l.startsWith('pub:'))!.split(':');
    expect([pub[2], pub[3]]).toEqual(['4096', '1']); // 4096 bits, algorithm 1 (RSA)
    expect(listing).toContain(`Copr user <${COPR_EMAIL}>`);
    const info = await c.client.key(COPR_EMAIL);
    expect(listing.toLowerCase()).toContain(`fpr:::::::::${Buffer.from(info.fingerprint).toString('hex')}:`);
    run('gpgconf', ['--homedir', home, '--kill', 'all']);

    const db = join(dir, 'rpmdb');
    mkdirSync(db);
    const imp = run('rpmkeys', ['--dbpath', db, '--import', asc]);
    expect(imp.stderr).toBe('');
    const rpm = buildRpm(dir, standardSpecs()[0]!);
    const r = await sign(['--config', coprConfig, '-4', '-h', 'sha256', '-u', COPR_EMAIL, '-r', rpm]);
    expect(r.stderr).toBe('');
    expect(r.code).toBe(0);
    const check = run('rpmkeys', ['--dbpath', db, '--checksig', '-v', rpm]);
    expect(check.status).toBe(0);
    expect(check.stdout).toMatch(/RSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
  }, 600_000);

  it('qsign keygen --type rsa2048 makes a 3-of-5 RSA-2048 key that signs; unknown types are refused in one line', async () => {
    const started = Date.now();
    const r = await qsign(['keygen', '--type', 'rsa2048', '--name', 'RSA Officer Key', '--email', 'rsa2048@example.org', '-c', c.file.clientConfig]);
    console.log(`qsign keygen --type rsa2048: ${((Date.now() - started) / 1000).toFixed(1)} s wall`);
    expect(r.code).toBe(0);
    expect(r.stdout.trim()).toMatch(/^[0-9A-F]{40}$/);
    const info = await c.client.key('rsa2048@example.org');
    expect(Buffer.from(info.fingerprint).toString('hex').toUpperCase()).toBe(r.stdout.trim());
    expect(bitLength(parseRsaGroupPublicKey(info.groupPublicKey).n)).toBe(2048);
    await rawSignVerifies('rsa2048@example.org', c.file.clientConfig);
    for (const bad of ['rsa1024', 'rsa1536', 'rsa8192', 'dsa']) {
      const x = await qsign(['keygen', '--type', bad, '--name', 'X', '--email', 'x@example.org', '-c', c.file.clientConfig]);
      expect(x.code).not.toBe(0);
      expect(x.stderr.trim().split('\n')).toHaveLength(1);
      expect(x.stderr).toContain(`--type "${bad}" is not one of ed25519, rsa2048, rsa3072, rsa4096`);
    }
  }, 3_600_000);

  it('nodes refuse a DKG whose key type differs from the one the officer signed, and audit the refusal', async () => {
    const officer = JSON.parse(readFileSync(join(dirname(c.file.clientConfig), 'officer.json'), 'utf8')) as { secretKey: string };
    const auth = signKeygenRequest({ keyName: 'typed@example.org', userId: 'T <typed@example.org>', keyType: 'ed25519' }, Buffer.from(officer.secretKey, 'hex'));
    const req = JSON.parse(Buffer.from(auth.plan).toString()) as { requestId: string };
    const transport = openTransport(loadCoordinatorConfig(c.file.coordinator.config).transport);
    const keys = new NodeKeysRpcClient(c.file.nodes[1]!.address, 'node 2', transport);
    try {
      const params = { sessionId: `dkg-${req.requestId}`, keyName: 'typed@example.org', userId: 'T <typed@example.org>', minSigners: 3, participants: [1, 2, 3, 4, 5], createdUnixSeconds: Math.floor(Date.now() / 1000), keyType: 'rsa2048', dealer: 1 };
      await expect(keys.dkgRound1(params, auth)).rejects.toMatchObject({ code: 'POLICY_REFUSED', message: expect.stringContaining('key type rsa2048 differs from the type ed25519') });
    } finally {
      keys.close();
    }
    const refused = (await c.audit(2)).filter((r) => r.event === 'refused' && r.keyName === 'typed@example.org');
    expect(refused.map((r) => r.code)).toEqual(['POLICY_REFUSED']);
  }, 120_000);

  it('ceremony reshare of an RSA key refuses early, naming the re-split path', async () => {
    const r = await qsign(['ceremony', 'reshare', '--key', 'rsa2048@example.org', '--dealers', '1,2,3', '--new', '1,2,3', '--threshold', '2', '-c', c.file.clientConfig]);
    expect(r.code).not.toBe(0);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
    expect(r.stderr).toContain('key rsa2048@example.org is a threshold RSA key: a reshare needs the dealer again');
    expect(r.stderr).toContain("qsign ceremony split --import-gpg SECRET.gpg --key-name rsa2048@example.org");
    expect(r.stderr).toContain('docs/threshold-rsa.md');
  }, 120_000);
});
