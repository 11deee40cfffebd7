// Issue 13 acceptance 3 on a real cluster with real tools: `qsign key rotate` hands a key
// over to its successor; a dnf client (Debian's dnf 4 in an --installroot, repository made
// by createrepo_c, gpgcheck=1) that trusts only the OLD key installs the keyring update
// from the repository, then a package signed by the NEW key, with no manual key import.
// Also: the transition statement checks with the old key alone (gpg, sq, qsign key
// verify-transition), rotating a key that is already being rotated is refused, and the
// nodes certify only the key's own successor.
import { copyFileSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ed25519 } from '@noble/curves/ed25519.js';
import { publicKeyPacketBody } from '@qsign/openpgp';
import { encodeSuccessorCertification, isQsignError } from '@qsign/protocol';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { requireTools, runTool } from './helpers/tools.js';
import { buildRpm, standardSpecs } from '../packages/rpm/src/__tests__/fixtures.js';

const KEY = 'rotation@copr.example.org';
const SUCCESSOR = `${KEY}+r2`;
const NAME = 'rotation'; // keyring package base name qsign derives from the key's e-mail

const run = (cmd: string, args: string[]) => runTool(cmd, args, 600_000);

describe('key rotation: a dnf client that trusts only the old key follows to the new one', () => {
  let c: TestCluster;
  let dir: string;
  let out: string;
  let root: string;
  let oldCert: string;
  let oldFpr: string;
  let newFpr: string;
  let rotated: Awaited<ReturnType<typeof qsign>>;
  let newRpm: string;
  let dnf: (...args: string[]) => { status: number | null; out: string };

  /**
   * A client: its own rpmdb, the old certificate where its repo config's gpgkey= points, and
   * the old key imported (it already trusts that key; nothing else).
   */
  const makeClient = (name: string, repo: string) => {
    const r = join(dir, name);
    mkdirSync(join(r, 'etc/pki/rpm-gpg'), { recursive: true });
    expect(run('rpm', ['--root', r, '--initdb']).status).toBe(0);
    copyFileSync(oldCert, join(r, `etc/pki/rpm-gpg/RPM-GPG-KEY-${NAME}`));
    const imp = run('rpmkeys', ['--root', r, '--import', join(r, `etc/pki/rpm-gpg/RPM-GPG-KEY-${NAME}`)]);
    expect(imp.status, imp.out).toBe(0);
    const reposdir = join(dir, `${name}-repos.d`);
    mkdirSync(reposdir);
    // Debian's dnf 4.14 reads a file:// gpgkey from the host, not the installroot: name the
    // installroot's copy (on a real client, root is / and this is /etc/pki/rpm-gpg/RPM-GPG-KEY-NAME).
    writeFileSync(
      join(reposdir, 'copr-rotation.repo'),
      ['[copr-rotation]', 'name=copr rotation', `baseurl=file://${repo}`, 'gpgcheck=1', 'repo_gpgcheck=0', `gpgkey=file://${r}/etc/pki/rpm-gpg/RPM-GPG-KEY-${NAME}`, ''].join('\n'),
    );
    const dnfIn = (...args: string[]) =>
      run('dnf', ['-y', '--installroot', r, `--setopt=reposdir=${reposdir}`, `--setopt=cachedir=${join(dir, `${name}-dnf-cache`)}`, '--releasever', '40', '--disablerepo=*', '--enablerepo=copr-rotation', ...args]);
    return { root: r, dnf: dnfIn };
  };
  let repoDir: string;

  beforeAll(async () => {
    requireTools('dnf', 'createrepo_c', 'rpm', 'rpmbuild', 'rpmkeys', 'gpg', 'gpgconf', 'sq');
    dir = mkdtempSync(join(tmpdir(), 'qsign-rotation-'));
    c = await TestCluster.start({ nodes: 3, threshold: 2 });
    const gen = await qsign(['keygen', '--name', 'Copr rotation', '--email', KEY, '-c', c.file.clientConfig]);
    expect(gen.code, gen.stderr).toBe(0);
    oldFpr = gen.stdout.trim();
    oldCert = join(dir, 'old.asc');
    const pub = await qsign(['pubkey', '--key', KEY, '--armor', '-o', oldCert, '-c', c.file.clientConfig]);
    expect(pub.code, pub.stderr).toBe(0);

    out = join(dir, 'out');
    mkdirSync(out);
    rotated = await qsign(['key', 'rotate', '--key', KEY, '--out', out, '-c', c.file.clientConfig]);
    expect(rotated.code, rotated.stderr).toBe(0);
    newFpr = rotated.stdout.trim();

    // The repository: the keyring update (signed by the old key) and a package signed by the new key.
    const repo = join(dir, 'repo');
    repoDir = repo;
    mkdirSync(repo);
    copyFileSync(join(out, `${NAME}-keyring-2-1.noarch.rpm`), join(repo, `${NAME}-keyring-2-1.noarch.rpm`));
    newRpm = buildRpm(dir, { ...standardSpecs()[0]!, name: 'qs-after-rotation' });
    const signed = await qsign(['rpm', 'sign', '--key', SUCCESSOR, newRpm, '-c', c.file.clientConfig]);
    expect(signed.code, signed.stderr).toBe(0);
    copyFileSync(newRpm, join(repo, 'qs-after-rotation.rpm'));
    const cr = run('createrepo_c', [repo]);
    expect(cr.status, cr.out).toBe(0);

    const client = makeClient('root', repo);
    root = client.root;
    dnf = client.dnf;
  }, 900_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  const installed = () => run('rpm', ['--root', root, '-qa', '--qf', '%{NAME}-%{VERSION}\n']).out.trim().split('\n').sort();
  const short = (fpr: string) => fpr.slice(-8).toLowerCase();

  it('before the keyring update the client refuses the package signed by the new key', () => {
    const r = dnf('install', 'qs-after-rotation');
    expect(r.status, r.out).not.toBe(0);
    expect(r.out).toMatch(/already installed but they are not correct|public key .* is not installed|GPG check FAILED/i);
    expect(installed()).toEqual([`gpg-pubkey-${short(oldFpr)}`]);
  });

  it('one transaction that brings the keyring update and a new-key package together is refused as a whole (why the keyring goes first)', () => {
    const other = makeClient('root-together', repoDir);
    const r = other.dnf('install', `${NAME}-keyring`, 'qs-after-rotation');
    expect(r.status, r.out).not.toBe(0);
    expect(r.out).toMatch(/Failing package is: qs-after-rotation/);
    expect(r.out).toMatch(/GPG check FAILED/);
    expect(run('rpm', ['--root', other.root, '-qa', '--qf', '%{NAME}-%{VERSION}\n']).out.trim()).toBe(`gpg-pubkey-${short(oldFpr)}`);
  });

  it('installs the keyring update with gpgcheck=1: it is signed by the old key', () => {
    const k = run('rpmkeys', ['--root', root, '-Kv', join(out, `${NAME}-keyring-2-1.noarch.rpm`)]);
    expect(k.status, k.out).toBe(0);
    expect(k.out).toContain(`key ID ${short(oldFpr)}: OK`);
    const r = dnf('install', `${NAME}-keyring`);
    expect(r.status, r.out).toBe(0);
    expect(installed()).toEqual([`gpg-pubkey-${short(oldFpr)}`, `${NAME}-keyring-2`]);
    // The file the repository's gpgkey= names now holds the old and the new certificate.
    const file = readFileSync(join(root, `etc/pki/rpm-gpg/RPM-GPG-KEY-${NAME}`), 'utf8');
    expect(file.match(/BEGIN PGP PUBLIC KEY BLOCK/g)).toHaveLength(2);
  });

  it('then installs a package signed by the new key, with no manual import', () => {
    const r = dnf('install', 'qs-after-rotation');
    expect(r.status, r.out).toBe(0);
    expect(r.out).toMatch(new RegExp(`Importing GPG key 0x${short(newFpr).toUpperCase()}`));
    expect(installed()).toEqual([`gpg-pubkey-${short(newFpr)}`, `gpg-pubkey-${short(oldFpr)}`, 'qs-after-rotation-1.2', `${NAME}-keyring-2`].sort());
  });

  describe('the transition statement checks with the old key alone', () => {
    const statement = () => join(out, `${NAME}-transition.txt`);
    const sig = () => join(out, `${NAME}-transition.txt.asc`);
    const bundle = () => join(out, `RPM-GPG-KEY-${NAME}`);

    it('names both fingerprints, the date and the reason', () => {
      const text = readFileSync(statement(), 'utf8');
      expect(text).toMatch(new RegExp(`^qsign-key-transition: 1\nold-key: ${KEY}\nold-fingerprint: ${oldFpr}\nnew-key: ${SUCCESSOR.replace('+', '\\+')}\nnew-fingerprint: ${newFpr}\nnew-user-id: Copr rotation <${KEY}>\ndate: \\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\dZ\nreason: superseded\n$`));
      expect(newFpr).not.toBe(oldFpr);
    });

    it('gpg: the statement verifies under the old key, and the old key certified the new key', () => {
      const home = mkdtempSync(join(dir, 'gnupg-'));
      const gpg = (...a: string[]) => run('gpg', ['--batch', '--homedir', home, '--trust-model', 'always', ...a]);
      expect(gpg('--import', oldCert).status).toBe(0);
      const v = gpg('--status-fd', '1', '--verify', sig(), statement());
      expect(v.status, v.out).toBe(0);
      expect(v.out).toContain(`VALIDSIG ${oldFpr}`);
      expect(gpg('--import', bundle()).status).toBe(0);
      const checked = gpg('--with-colons', '--check-sigs', newFpr);
      // A good (!) certification of the new key's user ID issued by the old key.
      expect(checked.out.split('\n').some((l) => l.startsWith('sig:!:') && l.split(':')[4] === oldFpr.slice(-16) && l.split(':')[10] === '10x')).toBe(true);
      run('gpgconf', ['--homedir', home, '--kill', 'all']);
    });

    it('sq verify accepts the statement with the old certificate', () => {
      const r = run('sq', ['verify', '--signer-cert', oldCert, '--detached', sig(), statement()]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/1 good signature/);
    });

    it('qsign key verify-transition accepts it, and refuses a changed statement or a new certificate the old key did not certify', async () => {
      const ok = await qsign(['key', 'verify-transition', '--statement', statement(), '--signature', sig(), '--old', oldCert, '--new', bundle()]);
      expect(ok.code, ok.stderr).toBe(0);
      expect(ok.stdout).toContain(`good transition: ${KEY} (${oldFpr}) → ${SUCCESSOR} (${newFpr})`);
      const changed = join(dir, 'changed.txt');
      writeFileSync(changed, readFileSync(statement(), 'utf8').replace('reason: superseded', 'reason: compromised'));
      const bad = await qsign(['key', 'verify-transition', '--statement', changed, '--signature', sig(), '--old', oldCert, '--new', bundle()]);
      expect(bad.code).not.toBe(0);
      expect(bad.stderr).toMatch(/does not verify under the old key/);
      const uncertified = join(dir, 'new-uncertified.asc');
      expect((await qsign(['pubkey', '--key', SUCCESSOR, '--armor', '-o', uncertified, '-c', c.file.clientConfig])).code).toBe(0);
      const bare = await qsign(['key', 'verify-transition', '--statement', statement(), '--signature', sig(), '--old', oldCert, '--new', uncertified]);
      expect(bare.code).not.toBe(0);
      expect(bare.stderr).toMatch(/carries no certification by the old key/);
      expect(bare.stderr.trim().split('\n')).toHaveLength(1);
    }, 600_000); // several qsign runs; a shared machine under load takes minutes
  });

  it('qsign key keyring builds the next keyring version with both current certificates, signed by the key clients trust', async () => {
    const next = join(dir, 'keyring-3');
    mkdirSync(next);
    const r = await qsign(['key', 'keyring', '--key', KEY, '--key', SUCCESSOR, '--keyring-version', '3', '--out', next, '-c', c.file.clientConfig]);
    expect(r.code, r.stderr).toBe(0);
    const rpm = join(next, `${NAME}-keyring-3-1.noarch.rpm`);
    expect(r.stdout.trim()).toBe(rpm);
    const k = run('rpmkeys', ['--root', root, '-Kv', rpm]);
    expect(k.status, k.out).toBe(0);
    expect(k.out).toContain(`key ID ${short(oldFpr)}: OK`);
    expect(readFileSync(join(next, `RPM-GPG-KEY-${NAME}`), 'utf8').match(/BEGIN PGP PUBLIC KEY BLOCK/g)).toHaveLength(2);
  }, 600_000); // several qsign runs; a shared machine under load takes minutes

  it('refuses to rotate a key that is already being rotated, saying why', async () => {
    const again = await qsign(['key', 'rotate', '--key', KEY, '--out', out, '-c', c.file.clientConfig]);
    expect(again.code).not.toBe(0);
    expect(again.stderr).toMatch(new RegExp(`key ${KEY} is already being rotated: its successor ${SUCCESSOR.replace('+', '\\+')} exists`));
    expect(again.stderr.trim().split('\n')).toHaveLength(1);
    for (const n of c.file.nodes) expect((await c.audit(n.id)).filter((a) => a.event === 'key-generated' && String(a.keyName).startsWith(`${KEY}+r`)).length).toBeLessThanOrEqual(1);
  }, 600_000); // several qsign runs; a shared machine under load takes minutes

  it('nodes refuse to have the old key certify any key but its own successor', async () => {
    const stranger = publicKeyPacketBody(ed25519.getPublicKey(ed25519.utils.randomSecretKey()), Math.floor(Date.now() / 1000));
    const ask = (data: Uint8Array) =>
      c.client.sign({ keyName: KEY, kind: 'key-binding', data, openpgp: { signatureType: 0x10, hashAlgorithm: 'sha256', createdUnixSeconds: Math.floor(Date.now() / 1000) } }).catch((e) => e);
    const err = await ask(encodeSuccessorCertification(stranger, `Copr rotation <${KEY}>`));
    expect(isQsignError(err), String(err)).toBe(true);
    expect(String(err.message)).toMatch(/certifies only its successor .*names another public key/);
    const succ = await c.client.key(SUCCESSOR);
    const wrongUid = await ask(encodeSuccessorCertification(publicKeyPacketBody(succ.groupPublicKey, succ.createdUnixSeconds), 'Mallory <mallory@example.org>'));
    expect(String(wrongUid.message)).toMatch(/certifies only its successor's own user ID/);
    // Each node that was asked records its refusal (the coordinator asks at least one).
    const recorded = [];
    for (const n of c.file.nodes) if ((await c.audit(n.id)).some((a) => a.event === 'refused' && /certifies only its successor/.test(String(a.reason)))) recorded.push(n.id);
    expect(recorded.length).toBeGreaterThanOrEqual(1);
  }, 600_000); // cluster round trips on a shared machine under load
});
