/**
 * Issue 3, acceptance 2, 3 and 5 (node level), through a real 2-of-3 cluster:
 * gpg and sq verify detached binary, detached armored and clearsigned
 * signatures made with `qsign sign` and the obs-sign `sign` client; signatures
 * whose R or S starts with a zero octet verify with gpg and rpmkeys; hostile
 * RPM headers, opaque digests and forged certificates are refused with clear
 * errors, recorded, and the cluster keeps serving.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { randomBytes } from 'node:crypto';
import { spawnSync } from 'node:child_process';
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { armor, encodePacket, parseCertificate, parseSignature, PacketTag, toHex } from '@qsign/openpgp';
import { isQsignError } from '@qsign/protocol';
import { addHeaderSignature, readRpm, RpmSigTag } from '@qsign/rpm';
import { keyCertificate, signOpenPgp } from '@qsign/client';
import { TestCluster, waitFor } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { registerSignatures } from './helpers/r-registry.js';
import { buildRpm, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const QSIGN = fileURLToPath(new URL('../packages/cli/dist/bin/qsign.js', import.meta.url));
const SIGN = fileURLToPath(new URL('../packages/cli/dist/bin/sign.js', import.meta.url));
const KEY = 'bob#tools@copr.fedorahosted.org';
const USER_ID = `bob#tools <${KEY}>`;

describe('OpenPGP through the cluster: gpg, sq, rpmkeys', () => {
  let c: TestCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let gnupg: string;
  let certPath: string;
  let rpmPath: string;

  const run = (cmd: string, args: string[], extraEnv: NodeJS.ProcessEnv = {}) => {
    const r = spawnSync(cmd, args, { env: { ...env, ...extraEnv }, encoding: 'utf8', timeout: 60_000 });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  };
  const gpg = (...args: string[]) => run('gpg', ['--batch', '--no-tty', '--homedir', gnupg, ...args]);
  const gpgVerify = (...files: string[]) => gpg('--trust-model', 'always', '--status-fd', '1', '--verify', ...files);
  const sqVerify = (...args: string[]) => run('sq', ['verify', '--signer-cert', certPath, ...args]);
  const file = (name: string, data: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, data);
    return p;
  };
  const sigOf = (p: string) => parseSignature(new Uint8Array(readFileSync(p))).signature64;

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'sq', 'rpmbuild', 'rpmkeys');
    dir = tempDir('openpgp-cluster');
    gnupg = join(dir, 'gnupg');
    mkdirSync(gnupg, { mode: 0o700 });
    c = await TestCluster.start({ nodes: 3, threshold: 2, keyName: KEY });
    env = { ...process.env, QSIGN_CONFIG: c.file.clientConfig };
    const pub = run(process.execPath, [QSIGN, 'pubkey', '--key', KEY, '--armor']);
    expect(pub.status, pub.stderr).toBe(0);
    certPath = file('cert.asc', pub.stdout);
    rpmPath = buildRpm(dir, { name: 'qs-zero', buildArch: 'noarch', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/qs-zero', 'echo z > $RPM_BUILD_ROOT/usr/share/qs-zero/z'], files: ['/usr/share/qs-zero'] });
  }, 120_000);

  afterAll(async () => {
    run('gpgconf', ['--homedir', gnupg, '--kill', 'all']);
    await c?.stop();
  });

  it('gpg --import accepts the certificate and shows its user ID; sq inspect accepts it (split key)', () => {
    const imp = gpg('--import', certPath);
    expect(imp.status, imp.stderr).toBe(0);
    const list = gpg('--list-keys', '--with-colons');
    expect(list.stdout).toContain(`uid:-::::`);
    expect(list.stdout).toContain(USER_ID);
    const fpr = toHex(parseCertificate(readFileSync(certPath, 'utf8')).fingerprint);
    expect(list.stdout).toContain(`fpr:::::::::${fpr}:`);
    const sq = run('sq', ['inspect', certPath]);
    expect(sq.status, sq.stderr).toBe(0);
    expect(sq.stdout).toContain(`UserID: ${USER_ID}`);
    expect(sq.stdout).toContain('split key');
    expect(sq.stdout).not.toMatch(/invalid|revoked|expired/i);
  });

  it('qsign sign: detached binary (-sbo) and armored, and clearsigned; gpg and sq verify, a changed byte fails', () => {
    const data = file('random.bin', new Uint8Array(randomBytes(5000)));
    const bin = run(process.execPath, [QSIGN, 'sign', '-u', KEY, '-sbo', join(dir, 'random.bin.sig'), '--no-armor', '--digest-algo', 'SHA256', '--', data]);
    expect(bin.status, bin.stderr).toBe(0);
    const asc = run(process.execPath, [QSIGN, 'sign', '--key', KEY, '--detach-sign', '--armor', data]);
    expect(asc.status, asc.stderr).toBe(0);
    const text = file('notes.txt', 'Release notes\n- item one  \n-- item two\nlast line\n');
    const clear = run(process.execPath, [QSIGN, 'sign', '--key', KEY, '--clearsign', '-o', join(dir, 'notes.txt.asc'), text]);
    expect(clear.status, clear.stderr).toBe(0);
    expect(readFileSync(join(dir, 'random.bin.asc'), 'utf8')).toMatch(/^-----BEGIN PGP SIGNATURE-----/);

    for (const sig of ['random.bin.sig', 'random.bin.asc']) {
      const g = gpgVerify(join(dir, sig), data);
      expect(g.status, g.stderr).toBe(0);
      expect(g.stdout).toContain('[GNUPG:] GOODSIG');
      expect(g.stderr).toContain(`Good signature from "${USER_ID}"`);
      const s = sqVerify('--detached', join(dir, sig), data);
      expect(s.status, s.stderr).toBe(0);
    }
    const gc = gpgVerify(join(dir, 'notes.txt.asc'));
    expect(gc.status, gc.stderr).toBe(0);
    expect(gc.stderr).toContain(`Good signature from "${USER_ID}"`);
    expect(sqVerify(join(dir, 'notes.txt.asc')).status).toBe(0);
    registerSignatures([sigOf(join(dir, 'random.bin.sig')), parseSignature(readFileSync(join(dir, 'random.bin.asc'), 'utf8')).signature64]);

    const tampered = new Uint8Array(readFileSync(data));
    tampered[4000]! ^= 0x01;
    const t = file('tampered.bin', tampered);
    expect(gpgVerify(join(dir, 'random.bin.sig'), t).status).not.toBe(0);
    expect(sqVerify('--detached', join(dir, 'random.bin.sig'), t).status).not.toBe(0);
    expect(gpgVerify(file('notes-bad.asc', readFileSync(join(dir, 'notes.txt.asc'), 'utf8').replace('last line', 'last linE'))).status).not.toBe(0);
  });

  it('the sign client: -d (armored .asc), -D (binary .sig) with -h sha512 and sha1, -c in place; gpg verifies', () => {
    const data = file('image.bin', new Uint8Array(randomBytes(2000)));
    for (const [flag, hash, ext] of [['-d', 'sha512', 'asc'], ['-D', 'sha1', 'sig']] as const) {
      const r = run(process.execPath, [SIGN, '-u', KEY, '-h', hash, flag, data]);
      expect(r.status, r.stderr).toBe(0);
      const g = gpgVerify(`${data}.${ext}`, data);
      expect(g.status, g.stderr).toBe(0);
      expect(g.stdout).toMatch(new RegExp(`VALIDSIG [0-9A-F]{40} \\S+ \\d+ 0 4 0 22 ${hash === 'sha512' ? 10 : 2} `));
    }
    const txt = file('clear.txt', 'clearsigned in place\n');
    expect(run(process.execPath, [SIGN, '-u', KEY, '-c', txt]).status).toBe(0);
    expect(readFileSync(txt, 'utf8')).toMatch(/^-----BEGIN PGP SIGNED MESSAGE-----\nHash: SHA256\n/);
    expect(gpgVerify(txt).status).toBe(0);
    const k = run(process.execPath, [SIGN, '-u', KEY, '-k']);
    expect(k.stdout.trim()).toBe(toHex(parseCertificate(readFileSync(certPath, 'utf8')).keyId.subarray(4)));
  });

  it('signatures whose R or S starts with a zero octet verify with gpg and rpmkeys', async () => {
    const pkg = new Uint8Array(readFileSync(rpmPath));
    const header = readRpm(pkg).mainHeader;
    const headerPath = file('header.bin', header);
    const found: { R?: Uint8Array; S?: Uint8Array } = {};
    const all: Uint8Array[] = [];
    let tries = 0;
    const started = Date.now();
    await Promise.all(
      Array.from({ length: 8 }, async () => {
        while ((!found.R || !found.S) && tries < 3000) {
          tries++;
          const packet = await signOpenPgp(c.client, KEY, header, { kind: 'rpm-header' });
          const s64 = parseSignature(packet).signature64;
          all.push(s64);
          if (s64[0] === 0) found.R ??= packet;
          if (s64[32] === 0) found.S ??= packet;
        }
      }),
    );
    registerSignatures(all);
    console.log(`leading-zero search: ${tries} signatures in ${((Date.now() - started) / 1000).toFixed(1)} s (${(tries / ((Date.now() - started) / 1000)).toFixed(1)}/s at concurrency 8)`);
    const dbpath = join(dir, 'rpmdb');
    mkdirSync(dbpath, { recursive: true });
    expect(run('rpmkeys', ['--dbpath', dbpath, '--import', certPath]).status).toBe(0);
    for (const half of ['R', 'S'] as const) {
      const packet = found[half];
      expect(packet, `no signature with a zero leading ${half} octet in ${tries} tries`).toBeDefined();
      // The MPI really is shorter: 31 octets or fewer.
      const sig = parseSignature(packet!);
      expect(sig.minimalMpis).toBe(true);
      expect(sig.signature64[half === 'R' ? 0 : 32]).toBe(0);
      const g = gpgVerify(file(`zero-${half}.sig`, packet!), headerPath);
      expect(g.status, g.stderr).toBe(0);
      const p = file(`zero-${half}.rpm`, addHeaderSignature(pkg, packet!, { tag: RpmSigTag.DSA }));
      const r = run('rpmkeys', ['--dbpath', dbpath, '--checksig', '-v', p]);
      expect(r.status, r.stdout + r.stderr).toBe(0);
      expect(r.stdout).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
    }
  }, 300_000);

  it('hostile RPM headers are refused with a clear error by every node, recorded, and the cluster keeps serving', async () => {
    const good = readRpm(new Uint8Array(readFileSync(rpmPath))).mainHeader;
    const magic = good.subarray(0, 8);
    const be32 = (n: number) => Uint8Array.of(n >>> 24, (n >>> 16) & 255, (n >>> 8) & 255, n & 255);
    const hostile: Array<[string, Uint8Array]> = [
      ['random bytes', new Uint8Array(randomBytes(600))],
      ['truncated header', good.slice(0, good.length - 100)],
      ['huge index count', Uint8Array.from([...magic, ...be32(0x7fffffff), ...be32(16), ...new Uint8Array(64)])],
      ['huge data length', Uint8Array.from([...magic, ...be32(1), ...be32(0x7fffffff), ...new Uint8Array(64)])],
      ['offset past the end', (() => { const b = good.slice(); b.set(be32(0x00ffffff), 16 + 16 + 8); return b; })()],
      ['count past the end', (() => { const b = good.slice(); b.set(be32(0x0fffffff), 16 + 16 + 12); return b; })()],
    ];
    const auditBefore = await Promise.all(c.file.nodes.map(async (n) => (await c.audit(n.id)).length));
    for (const [what, bytes] of hostile) {
      const err = await signOpenPgp(c.client, KEY, bytes, { kind: 'rpm-header' }).then(() => undefined, (e) => e);
      expect(isQsignError(err, 'MALFORMED_REQUEST'), `${what}: ${String(err)}`).toBe(true);
      expect(err.message, what).toMatch(/RPM header refused|malformed request/);
    }
    // Still serving: a good header signs.
    const ok = await signOpenPgp(c.client, KEY, good, { kind: 'rpm-header' });
    registerSignatures([parseSignature(ok).signature64]);
    // Each refusal is a full record, or counted in the coalesced record of its client, code and
    // second (written once that second is over: wait for it).
    const countRefused = async (): Promise<number> => {
      let total = 0;
      for (const [i, n] of c.file.nodes.entries()) {
        const records = (await c.audit(n.id)).slice(auditBefore[i]);
        const refused = records.filter((r) => r.event === 'refused' && r.payloadKind === 'rpm-header');
        for (const r of refused) expect(String(r.reason)).toMatch(/RPM header refused/);
        const coalesced = records.filter((r) => r.event === 'refused' && r.code === 'MALFORMED_REQUEST' && r.coalescedWith !== undefined);
        total += refused.length + coalesced.reduce((x, r) => x + Number(r.count), 0);
      }
      return total;
    };
    await waitFor(async () => (await countRefused()) >= hostile.length * 2, 30_000, 'every refusal to be accounted for in the logs');
  });

  it('opaque digests and hash-sized raw data are refused for a key not in digestOnlyKeys, with the client claims recorded', async () => {
    const claims = { fileName: 'Fedora-Cloud.qcow2', size: 123456789, sha256: sha256(new Uint8Array([1])) };
    const digest = await c.client.sign({ keyName: KEY, kind: 'digest', data: new Uint8Array(32), openpgp: { signatureType: 0, hashAlgorithm: 'sha256', createdUnixSeconds: 1_700_000_000 }, claims }).then(() => undefined, (e) => e);
    expect(isQsignError(digest, 'POLICY_REFUSED'), String(digest)).toBe(true);
    expect(digest.message).toMatch(/digestOnlyKeys/);
    const raw = await c.client.sign({ keyName: KEY, kind: 'raw', data: new Uint8Array(randomBytes(32)) }).then(() => undefined, (e) => e);
    expect(isQsignError(raw, 'POLICY_REFUSED'), String(raw)).toBe(true);
    const logged = (await Promise.all(c.file.nodes.map((n) => c.audit(n.id)))).flat().filter((r) => r.event === 'refused' && r.payloadKind === 'digest');
    expect(logged.length).toBeGreaterThan(0);
    expect(logged[0]!.claims).toEqual({ fileName: claims.fileName, size: claims.size, sha256: bytesToHex(claims.sha256) });
  });

  it('nodes refuse certificates that are not the key’s own, self-signed by the cluster, and keep the stored one', async () => {
    const cert = Uint8Array.from(await keyCertificate(c.client, KEY)); // a copy: proto bytes are Buffers, whose slice() is a view
    const n1 = c.node(1);
    try {
      const withExtraUid = Uint8Array.from([...cert, ...encodePacket(PacketTag.UserId, new TextEncoder().encode('Mallory <m@example.org>'))]);
      const badSig = cert.slice();
      badSig[badSig.length - 5]! ^= 0x01;
      const cases: Array<[string, Uint8Array, RegExp]> = [
        ['extra user ID', withExtraUid, /exactly a public-key, a user ID and a signature/],
        ['broken self-signature', badSig, /does not verify|does not parse/],
        ['junk', new Uint8Array(randomBytes(100)), /does not parse|exactly/],
      ];
      for (const [what, bytes, why] of cases) {
        const err = await n1.putCertificate(KEY, bytes).then(() => undefined, (e) => e);
        expect(isQsignError(err, 'INVALID_ARGUMENT'), `${what}: ${String(err)}`).toBe(true);
        expect(err.message, what).toMatch(why);
      }
      const audit = await c.audit(1);
      expect(audit.filter((r) => r.event === 'refused' && r.action === 'put-certificate').length).toBe(cases.length);
      expect(bytesToHex((await n1.getKey(KEY)).certificate)).toBe(bytesToHex(cert));
      expect(armor('PUBLIC KEY BLOCK', cert)).toBe(readFileSync(certPath, 'utf8'));
    } finally {
      n1.close();
    }
  });
});
