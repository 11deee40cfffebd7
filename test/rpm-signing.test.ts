/**
 * Issue 3, acceptance 1 and 4: real RPMs built with rpmbuild, signed through
 * a real 3-of-3 cluster three ways (qsign rpm sign; rpmsign --addsign with
 * %__gpg_sign_cmd → qsign sign; the obs-sign compatible `sign -4 -h sha256 -u
 * EMAIL -r`), verified by stock rpmkeys after importing `qsign pubkey
 * --armor`; a changed byte fails the check; every node's audit log holds the
 * NEVRA, payload digest and file list it parsed itself.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseSignature } from '@qsign/openpgp';
import { readRpm, RpmSigTag } from '@qsign/rpm';
import { TestCluster } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { registerSignatures } from './helpers/r-registry.js';
import { buildRpm, rpmQuery, tempDir, type SpecInput } from '../packages/rpm/src/__tests__/fixtures.js';

const QSIGN = fileURLToPath(new URL('../packages/cli/dist/bin/qsign.js', import.meta.url));
const SIGN = fileURLToPath(new URL('../packages/cli/dist/bin/sign.js', import.meta.url));
const KEY = 'alice#proj@copr.fedorahosted.org';

/** rpm 4.18's default %__gpg_sign_cmd with `gpg` replaced by `qsign sign` (argv[0] follows the path, as rpm execs it). */
const GPG_SIGN_CMD =
  `${process.execPath} node ${QSIGN} sign --no-verbose --no-armor %{?_gpg_digest_algo:--digest-algo=%{_gpg_digest_algo}} ` +
  `%{?_gpg_name:-u %{shescape:%{_gpg_name}}} -sbo %{shescape:%{?__signature_filename}} %{?__plaintext_filename:-- %{shescape:%{__plaintext_filename}}}`;

function specs(): SpecInput[] {
  return ['alpha', 'beta', 'gamma'].map((name, i) => ({
    name: `qs-${name}`,
    version: `1.${i}`,
    release: `${i + 1}.fc40`,
    ...(i === 1 && { epoch: 3 }),
    buildArch: 'noarch',
    install: [
      `mkdir -p $RPM_BUILD_ROOT/usr/share/qs-${name} $RPM_BUILD_ROOT/etc`,
      `echo ${name} > $RPM_BUILD_ROOT/usr/share/qs-${name}/README`,
      `head -c ${3000 + i * 1000} /dev/urandom > $RPM_BUILD_ROOT/usr/share/qs-${name}/data.bin`,
      `for j in 1 2 3; do echo "$j" > $RPM_BUILD_ROOT/usr/share/qs-${name}/f$j; done`,
      `echo conf > $RPM_BUILD_ROOT/etc/qs-${name}.conf`,
    ],
    files: [`/usr/share/qs-${name}`, `%config /etc/qs-${name}.conf`],
  }));
}

describe('RPM signing through the cluster (rpmbuild, rpmsign, rpmkeys)', () => {
  let c: TestCluster;
  let dir: string;
  let env: NodeJS.ProcessEnv;
  let built: string[];
  const signedBy: Record<string, string[]> = { qsign: [], rpmsign: [], sign: [] };
  let dbpath: string;

  const run = (cmd: string, args: string[], opts: { input?: string } = {}) => {
    const r = spawnSync(cmd, args, { env, encoding: 'utf8', input: opts.input, timeout: 170_000 });
    return { status: r.status, stdout: r.stdout, stderr: r.stderr };
  };
  const checksig = (file: string) => run('rpmkeys', ['--dbpath', dbpath, '--checksig', '-v', file]);

  beforeAll(async () => {
    requireTools('rpmbuild', 'rpmsign', 'rpmkeys');
    dir = tempDir('sign-e2e');
    c = await TestCluster.start({ nodes: 3, threshold: 3, keyName: KEY });
    env = { ...process.env, QSIGN_CONFIG: c.file.clientConfig };
    built = specs().map((s) => buildRpm(dir, s));
    for (const way of Object.keys(signedBy)) {
      mkdirSync(join(dir, way));
      for (const f of built) {
        const dest = join(dir, way, f.split('/').pop()!);
        copyFileSync(f, dest);
        signedBy[way]!.push(dest);
      }
    }
    dbpath = join(dir, 'rpmdb');
    mkdirSync(dbpath);
  }, 120_000);

  afterAll(async () => {
    await c?.stop();
  });

  it('qsign pubkey --armor imports into rpmkeys, and sign -p prints the same certificate', () => {
    const pub = run(process.execPath, [QSIGN, 'pubkey', '--key', KEY, '--armor']);
    expect(pub.status, pub.stderr).toBe(0);
    expect(pub.stdout).toMatch(/^-----BEGIN PGP PUBLIC KEY BLOCK-----/);
    writeFileSync(join(dir, 'key.asc'), pub.stdout);
    const imp = run('rpmkeys', ['--dbpath', dbpath, '--import', join(dir, 'key.asc')]);
    expect(imp.status, imp.stderr).toBe(0);
    const obs = run(process.execPath, [SIGN, '-u', KEY, '-p']);
    expect(obs.status, obs.stderr).toBe(0);
    expect(obs.stdout).toBe(pub.stdout);
  });

  it('unsigned packages do not pass the signature check yet', () => {
    const r = checksig(built[0]!);
    expect(r.stdout).not.toMatch(/Signature, key ID [0-9a-f]+: OK/);
  });

  it('qsign rpm sign: signs several packages in place, with a summary', () => {
    const r = run(process.execPath, [QSIGN, 'rpm', 'sign', '--key', KEY, ...signedBy.qsign!]);
    expect(r.status, r.stderr).toBe(0);
    expect(r.stdout).toContain(`${signedBy.qsign!.length} signed, 0 failed`);
  });

  it('rpmsign --addsign with %__gpg_sign_cmd running qsign sign', () => {
    const r = run('rpmsign', ['--addsign', '--define', `_gpg_name ${KEY}`, '--define', `__gpg_sign_cmd ${GPG_SIGN_CMD}`, ...signedBy.rpmsign!]);
    expect(r.status, r.stderr + r.stdout).toBe(0);
  });

  it('the obs-sign compatible client: sign -4 -h sha256 -u EMAIL -r FILE.rpm', () => {
    for (const f of signedBy.sign!) {
      const r = run(process.execPath, [SIGN, '-4', '-h', 'sha256', '-u', KEY, '-r', f]);
      expect(r.status, r.stderr).toBe(0);
    }
  });

  it('rpmkeys --checksig reports every signature OK, header-only EdDSA in tag 267', () => {
    for (const files of Object.values(signedBy)) {
      for (const f of files) {
        const r = checksig(f);
        expect(r.status, `${f}\n${r.stdout}${r.stderr}`).toBe(0);
        expect(r.stdout).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]{8}: OK/);
        const sig = readRpm(new Uint8Array(readFileSync(f))).signatureHeader.entry(RpmSigTag.DSA);
        expect(sig, f).toBeDefined();
        registerSignatures([parseSignature(sig!.data).signature64]);
      }
    }
  });

  it('a package with one byte changed after signing fails the check (header and payload)', () => {
    const signed = new Uint8Array(readFileSync(signedBy.qsign![0]!));
    const rpm = readRpm(signed);
    // A byte inside the main header's data store (the package description), and the last payload byte.
    const inHeader = signed.slice();
    inHeader[rpm.payloadOffset - 20]! ^= 0x01;
    const inPayload = signed.slice();
    inPayload[inPayload.length - 1]! ^= 0x01;
    for (const [name, bytes] of [['header', inHeader], ['payload', inPayload]] as const) {
      const p = join(dir, `tampered-${name}.rpm`);
      writeFileSync(p, bytes);
      const r = checksig(p);
      expect(r.status, `${name}: ${r.stdout}`).not.toBe(0);
    }
  });

  it("every node's audit log holds NEVRA, payload digest and file list of each package, parsed by the node", async () => {
    const expected = built.map((f) => ({
      nevra: rpmQuery(dir, f, '%{NAME}-%|EPOCH?{%{EPOCH}:}|%{VERSION}-%{RELEASE}.%{ARCH}'),
      payloadDigest: rpmQuery(dir, f, '%{PAYLOADDIGEST}'),
      files: rpmQuery(dir, f, '[%{FILENAMES}\t%{FILESIZES}\t%{FILEDIGESTS}\n]').trim().split('\n').map((l) => l.split('\t')),
    }));
    for (const node of c.file.nodes) {
      const records = (await c.audit(node.id)).filter((r) => r.event === 'signed' && r.payloadKind === 'rpm-header');
      for (const e of expected) {
        const mine = records.filter((r) => (r.rpm as { nevra: string }).nevra === e.nevra);
        expect(mine.length, `node ${node.id}: ${e.nevra}`).toBe(3); // signed three ways, all 3 nodes take part (3-of-3)
        for (const r of mine) {
          const rpm = r.rpm as { payloadDigest: string; payloadDigestAlgorithm: string; files: Array<{ path: string; size: number; digest?: string }> };
          expect(rpm.payloadDigest).toBe(e.payloadDigest);
          expect(rpm.payloadDigestAlgorithm).toBe('sha256');
          expect(rpm.files.map((f) => [f.path, String(f.size), f.digest ?? ''])).toEqual(e.files);
        }
      }
    }
  });

  it('sign reports "unknown key: EMAIL" with a non-zero exit for a key the cluster does not hold', () => {
    const r = run(process.execPath, [SIGN, '-u', 'nobody#nothing@copr.fedorahosted.org', '-p']);
    expect(r.status).not.toBe(0);
    expect(r.stderr).toContain('unknown key: nobody#nothing@copr.fedorahosted.org');
    const s = run(process.execPath, [SIGN, '-4', '-h', 'sha256', '-u', 'nobody#nothing@copr.fedorahosted.org', '-r', signedBy.sign![0]!]);
    expect(s.status).not.toBe(0);
    expect(s.stderr).toContain('unknown key: nobody#nothing@copr.fedorahosted.org');
  });

  it('qsign rpm sign: a file that fails does not stop the others, and the exit code says so', () => {
    const good = join(dir, 'again.rpm');
    copyFileSync(built[1]!, good);
    const bad = join(dir, 'not-an.rpm');
    writeFileSync(bad, 'this is not a package');
    const before = readFileSync(bad);
    const r = run(process.execPath, [QSIGN, 'rpm', 'sign', '--key', KEY, bad, good, join(dir, 'missing.rpm')]);
    expect(r.status).not.toBe(0);
    expect(r.stdout).toContain('1 signed, 2 failed');
    expect(r.stderr).toContain('not-an.rpm');
    expect(readFileSync(bad)).toEqual(before);
    expect(checksig(good).status).toBe(0);
  });
});
