/**
 * Issue 11, acceptance 1: keys made by `gpg --quick-gen-key … rsa2048` (and one rsa4096) are
 * imported into a 3-of-5 cluster (cluster up --import-gpg), and every client path signs with
 * them as gpg would: `qsign pubkey` has gpg's fingerprint; RPMs signed by `sign -4 -h sha256 -u
 * EMAIL -r`, `qsign rpm sign` and rpmsign (%__gpg_sign_cmd → qsign sign) pass `rpmkeys
 * --checksig` against the certificate gpg exported before the import (tag 268, RSAHEADER);
 * `gpg --verify` and `sq verify` accept detached and clearsigned signatures; `-u` takes the key's
 * name, its user ID's e-mail, its key ID or its fingerprint.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { createPublicKey, randomBytes, verify } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { parseRsaCertificate, parseRsaSignature, toHex } from '@qsign/openpgp';
import { bitLength, toBytes } from '@qsign/threshold-rsa';
import { readRpm, RpmSigTag } from '@qsign/rpm';
import { TestCluster } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { buildRpm, readBytes, standardSpecs, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const QSIGN = fileURLToPath(new URL('../packages/cli/dist/bin/qsign.js', import.meta.url));
const SIGN = fileURLToPath(new URL('../packages/cli/dist/bin/sign.js', import.meta.url));
/** rpm 4.18's default %__gpg_sign_cmd with `gpg` replaced by `qsign sign`, as README documents it. */
const GPG_SIGN_CMD =
  `${process.execPath} node ${QSIGN} sign --no-verbose --no-armor %{?_gpg_digest_algo:--digest-algo=%{_gpg_digest_algo}} ` +
  `%{?_gpg_name:-u %{shescape:%{_gpg_name}}} -sbo %{shescape:%{?__signature_filename}} %{?__plaintext_filename:-- %{shescape:%{__plaintext_filename}}}`;

type Run = { status: number | null; stdout: string; stderr: string };

/** A gpg-made RSA key imported into a 3-of-5 cluster, with the certificate gpg exported before the import in a fresh rpmdb and gpg home. */
class ImportedRsaCluster {
  c!: TestCluster;
  dir = tempDir('rsa-openpgp');
  gnupg = join(this.dir, 'gnupg'); // where gpg made the key
  verifyHome = join(this.dir, 'verify-gnupg'); // holds only the certificate exported before the import
  db = join(this.dir, 'rpmdb');
  before = join(this.dir, 'before.asc');
  fingerprint = '';
  env: NodeJS.ProcessEnv = {};

  constructor(readonly keyName: string, readonly userId: string, readonly email: string, readonly bits: 2048 | 4096) {}

  run(cmd: string, args: string[], input?: string): Run {
    const r = spawnSync(cmd, args, { env: this.env, encoding: 'utf8', timeout: 300_000, input });
    return { status: r.status, stdout: r.stdout ?? '', stderr: r.stderr ?? '' };
  }
  qsign = (...args: string[]) => this.run(process.execPath, [QSIGN, ...args]);
  sign = (...args: string[]) => this.run(process.execPath, [SIGN, ...args]);
  gpgVerify = (...files: string[]) => this.run('gpg', ['--batch', '--no-tty', '--homedir', this.verifyHome, '--trust-model', 'always', '--status-fd', '1', '--verify', ...files]);
  sqVerify = (...args: string[]) => this.run('sq', ['verify', '--signer-cert', this.before, ...args]);
  checksig = (file: string) => this.run('rpmkeys', ['--dbpath', this.db, '--checksig', '-v', file]);
  file(name: string, data: Uint8Array | string): string {
    const p = join(this.dir, name);
    writeFileSync(p, data);
    return p;
  }

  async start(): Promise<void> {
    for (const d of [this.gnupg, this.verifyHome]) mkdirSync(d, { mode: 0o700 });
    mkdirSync(this.db);
    this.env = { ...process.env };
    const gpg = (...args: string[]) => {
      const r = spawnSync('gpg', ['--batch', '--no-tty', '--homedir', this.gnupg, '--pinentry-mode', 'loopback', '--passphrase', '', ...args], { timeout: 600_000 });
      if (r.status !== 0) throw new Error(`gpg ${args.join(' ')}: ${r.stderr}`);
      return new Uint8Array(r.stdout);
    };
    gpg('--quick-gen-key', this.userId, `rsa${this.bits}`, 'sign', '5y');
    const cert = gpg('--armor', '--export', this.email);
    writeFileSync(this.before, cert);
    this.fingerprint = toHex(parseRsaCertificate(new TextDecoder().decode(cert)).fingerprint);
    const secret = join(this.dir, 'secret.gpg');
    writeFileSync(secret, gpg('--export-secret-keys', this.email));
    spawnSync('gpgconf', ['--homedir', this.gnupg, '--kill', 'all']);
    const imp = this.run('rpmkeys', ['--dbpath', this.db, '--import', this.before]);
    if (imp.status !== 0) throw new Error(`rpmkeys --import: ${imp.stderr}`);
    const gimp = this.run('gpg', ['--batch', '--no-tty', '--homedir', this.verifyHome, '--import', this.before]);
    if (gimp.status !== 0) throw new Error(`gpg --import: ${gimp.stderr}`);
    this.c = await TestCluster.start({ nodes: 5, threshold: 3, keyName: this.keyName, importGpg: secret });
    this.env = { ...process.env, QSIGN_CONFIG: this.c.file.clientConfig };
  }

  async stop(): Promise<void> {
    spawnSync('gpgconf', ['--homedir', this.verifyHome, '--kill', 'all']);
    await this.c?.stop();
  }

  /** The 16-hex key ID gpg gives the key. */
  get keyId(): string {
    return this.fingerprint.slice(24);
  }

  /** `rpmkeys --checksig -v` says OK for an RSA header signature by this key, in tag 268. */
  expectRsaHeaderSignature(file: string): void {
    const r = this.checksig(file);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(new RegExp(`Header V4 RSA/SHA256 Signature, key ID ${this.keyId.slice(8).toLowerCase()}: OK`));
    expect(r.stdout).toMatch(/Payload SHA256 digest: OK/);
    expect(r.stdout).not.toMatch(/NOKEY|BAD|NOTFOUND/);
    const tags = readRpm(readBytes(file)).signatureHeader.entries.map((e) => e.tag);
    expect(tags).toContain(RpmSigTag.RSA);
    expect(tags).not.toContain(RpmSigTag.DSA);
  }

  /** gpg and sq accept a detached signature of `data`; gpg names the user ID. */
  expectDetachedVerifies(sig: string, data: string): void {
    const g = this.gpgVerify(sig, data);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toContain(`[GNUPG:] VALIDSIG ${this.fingerprint.toUpperCase()}`);
    expect(g.stderr).toContain(`Good signature from "${this.userId}"`);
    const s = this.sqVerify('--detached', sig, data);
    expect(s.status, s.stderr).toBe(0);
  }

  /** gpg and sq accept a cleartext-signed file. */
  expectClearsignedVerifies(file: string): void {
    const g = this.gpgVerify(file);
    expect(g.status, g.stderr).toBe(0);
    expect(g.stdout).toContain(`[GNUPG:] VALIDSIG ${this.fingerprint.toUpperCase()}`);
    const s = this.sqVerify(file);
    expect(s.status, s.stderr).toBe(0);
  }
}

const bigintBytes = (x: bigint) => toBytes(x, Math.ceil(bitLength(x) / 8));

/** The fingerprint as gpg prints it: ten groups of four, two spaces in the middle. */
const spaced = (fpr: string) => fpr.toUpperCase().replace(/(.{4})/g, '$1 ').trim().replace(/^((?:\S{4} ){4}\S{4}) /, '$1  ');

describe('threshold RSA (imported rsa2048 key, 3 of 5): every client path as gpg would sign', () => {
  const k = new ImportedRsaCluster('copr-rsa', 'Copr RSA 2048 <rsa2048@copr.invalid>', 'rsa2048@copr.invalid', 2048);
  let rpms: string[];

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'sq', 'rpmbuild', 'rpmsign', 'rpmkeys');
    await k.start();
    const built = buildRpm(k.dir, standardSpecs()[0]!);
    rpms = ['obs-sign', 'qsign-rpm', 'rpmsign'].map((n) => {
      const p = join(k.dir, `${n}.rpm`);
      copyFileSync(built, p);
      return p;
    });
  }, 900_000);

  afterAll(async () => {
    await k.stop();
  });

  it('qsign pubkey gives the certificate with the fingerprint gpg gave the key, found by name, e-mail, key ID and fingerprint', () => {
    for (const key of [k.keyName, k.email, `0x${k.keyId.toUpperCase()}`, k.keyId, spaced(k.fingerprint), k.fingerprint.toLowerCase()]) {
      const r = k.qsign('pubkey', '--key', key, '--armor');
      expect(r.status, `${key}: ${r.stderr}`).toBe(0);
      const cert = parseRsaCertificate(r.stdout);
      expect(toHex(cert.fingerprint)).toBe(k.fingerprint);
      expect(cert.userIds).toEqual([k.userId]);
    }
  }, 300_000);

  it('RPMs signed by sign -4 -h sha256 -u EMAIL -r, qsign rpm sign and rpmsign pass rpmkeys --checksig against the certificate exported before the import (tag 268)', () => {
    const [viaObs, viaQsign, viaRpmsign] = rpms;
    const obs = k.sign('-4', '-h', 'sha256', '-u', k.email, '-r', viaObs!);
    expect(obs.status, obs.stderr).toBe(0);
    const q = k.qsign('rpm', 'sign', '--key', k.keyId, viaQsign!);
    expect(q.status, q.stderr).toBe(0);
    expect(q.stdout).toContain('1 signed, 0 failed');
    const r = k.run('rpmsign', ['--addsign', '--define', `_gpg_name ${k.email}`, '--define', '_gpg_digest_algo sha256', '--define', `__gpg_sign_cmd ${GPG_SIGN_CMD}`, viaRpmsign!]);
    expect(r.status, r.stdout + r.stderr).toBe(0);
    for (const f of rpms) k.expectRsaHeaderSignature(f);
    // A package changed after signing fails the check.
    const bytes = readBytes(viaQsign!);
    bytes[bytes.length - 100]! ^= 0x01;
    expect(k.checksig(k.file('tampered.rpm', bytes)).status).not.toBe(0);
  }, 600_000);

  it('qsign sign -b (binary, armored) and --clearsign: gpg --verify and sq verify accept them under the certificate exported before the import; --raw is PKCS#1 v1.5 over SHA-256', () => {
    const data = k.file('random.bin', new Uint8Array(randomBytes(4000)));
    const bin = k.qsign('sign', '-u', k.email, '-sbo', join(k.dir, 'random.bin.sig'), '--no-armor', '--digest-algo', 'SHA256', '--', data);
    expect(bin.status, bin.stderr).toBe(0);
    expect(parseRsaSignature(new Uint8Array(readFileSync(join(k.dir, 'random.bin.sig')))).signature.length).toBeGreaterThan(250);
    const asc = k.qsign('sign', '--key', spaced(k.fingerprint), '--detach-sign', '--armor', '--digest-algo', 'SHA512', data);
    expect(asc.status, asc.stderr).toBe(0);
    for (const sig of ['random.bin.sig', 'random.bin.asc']) k.expectDetachedVerifies(join(k.dir, sig), data);
    const text = k.file('notes.txt', 'Release notes\n- item one  \n-- item two\nlast line\n');
    const clear = k.qsign('sign', '--key', k.keyName, '--clearsign', '-o', join(k.dir, 'notes.txt.asc'), text);
    expect(clear.status, clear.stderr).toBe(0);
    k.expectClearsignedVerifies(join(k.dir, 'notes.txt.asc'));

    // --raw with the key named by its key ID: PKCS#1 v1.5 over SHA-256, as openssl dgst -sha256 -sign makes it.
    const raw = k.qsign('sign', '--key', `0x${k.keyId}`, '--raw', data, '-o', join(k.dir, 'random.bin.raw'));
    expect(raw.status, raw.stderr).toBe(0);
    const pub = parseRsaCertificate(readFileSync(k.before, 'utf8'));
    const rsaKey = createPublicKey({ key: { kty: 'RSA', n: Buffer.from(bigintBytes(pub.n)).toString('base64url'), e: Buffer.from(bigintBytes(pub.e)).toString('base64url') }, format: 'jwk' });
    expect(verify('sha256', readFileSync(data), rsaKey, readFileSync(join(k.dir, 'random.bin.raw')))).toBe(true);

    const tampered = new Uint8Array(readFileSync(data));
    tampered[1000]! ^= 0x01;
    const t = k.file('tampered.bin', tampered);
    expect(verify('sha256', tampered, rsaKey, readFileSync(join(k.dir, 'random.bin.raw')))).toBe(false);
    expect(k.gpgVerify(join(k.dir, 'random.bin.sig'), t).status).not.toBe(0);
    expect(k.sqVerify('--detached', join(k.dir, 'random.bin.sig'), t).status).not.toBe(0);
    expect(k.gpgVerify(k.file('notes-bad.asc', readFileSync(join(k.dir, 'notes.txt.asc'), 'utf8').replace('last line', 'last linE'))).status).not.toBe(0);
  }, 600_000);

  it('the sign client: -d (.asc), -D (.sig), -c, -p and -k with -u EMAIL', () => {
    const data = k.file('image.bin', new Uint8Array(randomBytes(2000)));
    for (const [flag, hash, ext] of [['-d', 'sha512', 'asc'], ['-D', 'sha256', 'sig']] as const) {
      const r = k.sign('-u', k.email, '-h', hash, flag, data);
      expect(r.status, r.stderr).toBe(0);
      k.expectDetachedVerifies(`${data}.${ext}`, data);
    }
    const txt = k.file('clear.txt', 'clearsigned in place\n');
    const c = k.sign('-u', k.email, '-c', txt);
    expect(c.status, c.stderr).toBe(0);
    k.expectClearsignedVerifies(txt);
    const p = k.sign('-u', k.email, '-p');
    expect(p.status, p.stderr).toBe(0);
    expect(toHex(parseRsaCertificate(p.stdout).fingerprint)).toBe(k.fingerprint);
    const kid = k.sign('-u', k.email, '-k');
    expect(kid.status, kid.stderr).toBe(0);
    expect(kid.stdout.trim()).toBe(k.fingerprint.slice(32));
    // SHA-1 has no place in a new RSA signature: refused with a reason, nothing written.
    const sha1 = k.sign('-u', k.email, '-h', 'sha1', '-D', k.file('legacy.bin', 'x'));
    expect(sha1.status).toBe(1);
    expect(sha1.stderr).toMatch(/SHA-256 or SHA-512/);
  }, 600_000);

  it('a key that is not there is refused with what was looked for; an e-mail no key has says unknown key as obs-sign does', () => {
    const byId = k.qsign('sign', '-u', '0xDEADBEEFDEADBEEF', '-b', k.file('x.txt', 'x'));
    expect(byId.status).not.toBe(0);
    expect(byId.stderr).toMatch(/unknown key 0xDEADBEEFDEADBEEF: .*key ID DEADBEEFDEADBEEF/);
    expect(byId.stderr).not.toMatch(/\n\s+at /); // no stack trace
    const obs = k.sign('-u', 'nobody@copr.invalid', '-k');
    expect(obs.status).toBe(1);
    expect(obs.stderr).toBe('unknown key: nobody@copr.invalid\n');
  }, 300_000);
});

describe('threshold RSA (imported rsa4096 key, 3 of 5): RPM and detached signatures', () => {
  const k = new ImportedRsaCluster('copr-rsa4096', 'Copr RSA 4096 <rsa4096@copr.invalid>', 'rsa4096@copr.invalid', 4096);

  beforeAll(async () => {
    requireTools('gpg', 'gpgconf', 'sq', 'rpmbuild', 'rpmkeys');
    await k.start();
  }, 1_200_000);

  afterAll(async () => {
    await k.stop();
  });

  it('keeps the fingerprint; sign -r and qsign sign -b verify with rpmkeys, gpg and sq under the certificate exported before the import', () => {
    const pub = k.qsign('pubkey', '--key', k.email, '--armor');
    expect(pub.status, pub.stderr).toBe(0);
    expect(toHex(parseRsaCertificate(pub.stdout).fingerprint)).toBe(k.fingerprint);
    const rpm = buildRpm(k.dir, standardSpecs()[0]!);
    const r = k.sign('-4', '-h', 'sha256', '-u', k.email, '-r', rpm);
    expect(r.status, r.stderr).toBe(0);
    k.expectRsaHeaderSignature(rpm);
    const data = k.file('doc.txt', 'a document\n');
    const b = k.qsign('sign', '-u', k.email, '-b', '--armor', data);
    expect(b.status, b.stderr).toBe(0);
    k.expectDetachedVerifies(`${data}.asc`, data);
  }, 600_000);
});
