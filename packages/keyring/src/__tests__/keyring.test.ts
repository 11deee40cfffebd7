import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor, dearmor, fingerprint, keyId, readSubkeys, toHex, assembleCertificate, bindSubkey, certifyPrimary, type KeySigner } from '@qsign/openpgp';
import { keyringSpec, RpmError } from '@qsign/rpm';
import { requireTools } from '../../../../test/helpers/tools.js';
import { localEd25519 } from '../../../../test/helpers/local-keys.js';
import { waitFor } from '../../../../test/helpers/cluster.js';
import { buildKeyringRpm } from '../index.js';

const T = 1_790_000_000;

describe('NAME-keyring RPM', () => {
  let dir: string;
  let path: string;
  let armored: string;
  let id: string;
  const rpmq = (...args: string[]) => execFileSync('rpm', ['--dbpath', join(dir, 'db'), ...args], { encoding: 'utf8' });

  beforeAll(async () => {
    requireTools('rpmbuild', 'rpm');
    dir = mkdtempSync(join(tmpdir(), 'qsign-keyring-'));
    const primary = localEd25519(T);
    const sub = localEd25519(T);
    const cert = assembleCertificate({
      primaryKeyBody: primary.publicKeyBody,
      userId: 'copr foo <foo@example.org>',
      selfSignatures: [await certifyPrimary({ primary, userId: 'copr foo <foo@example.org>', createdUnixSeconds: T })],
      subkeys: [{ publicKeyBody: sub.publicKeyBody, bindings: [await bindSubkey({ primary, subkey: sub, createdUnixSeconds: T })] }],
    });
    armored = armor('PUBLIC KEY BLOCK', cert);
    id = toHex(keyId(fingerprint(primary.publicKeyBody)));
    path = (await buildKeyringRpm({ name: 'copr-foo', version: '2', release: '1', workDir: dir, certificates: [{ fileName: 'RPM-GPG-KEY-copr-foo', keyIds: [id], armored }] })).path;
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('installs the certificate under /etc/pki/rpm-gpg', () => {
    expect(rpmq('-qp', '--qf', '%{NAME}-%{VERSION}-%{RELEASE}.%{ARCH}\n', path)).toBe('copr-foo-keyring-2-1.noarch\n');
    expect(rpmq('-qlp', path).trim().split('\n')).toEqual(['/etc/pki/rpm-gpg/RPM-GPG-KEY-copr-foo']);
    // The installed file is exactly the certificate: its digest, size and mode in the header.
    expect(rpmq('-qp', '--qf', '[%{FILEDIGESTS} %{FILESIZES} %{FILEMODES:octal}]\n', path)).toBe(`${createHash('sha256').update(armored).digest('hex')} ${armored.length} 100644\n`);
  });

  it('carries a Lua %posttrans (no /bin/sh needed) that starts the refresh after the transaction, and the refresh is valid sh', () => {
    const scripts = rpmq('-qp', '--scripts', path);
    expect(scripts).toMatch(/^posttrans scriptlet \(using <lua>\):/m);
    expect(rpmq('-qp', '--requires', path)).not.toMatch(/\/bin\/sh/);
    expect(scripts).toContain("if posix.access('/bin/sh', 'x') then");
    const body = scripts.slice(scripts.indexOf('[==[\n') + 5, scripts.indexOf(']==]'));
    expect(body).toContain(`for entry in ${id.slice(-8).toLowerCase()}:/etc/pki/rpm-gpg/RPM-GPG-KEY-copr-foo; do`);
    expect(body).toContain('ids=${entry%%:*}; file=${entry#*:}');
    expect(body).toContain("copy=$(rpm -q gpg-pubkey-$id --qf '%{DESCRIPTION}\\n')");
    expect(body).toContain('rpm -e --allmatches gpg-pubkey-$id');
    expect(body).toContain('rpmkeys --import "$file" || { [ -s "$saved" ] && rpmkeys --import "$saved"; }');
    expect(body).toMatch(/\) &\nexit 0/);
    const f = join(dir, 'posttrans.sh');
    writeFileSync(f, body);
    expect(spawnSync('sh', ['-n', f]).status).toBe(0);
  });

  it('refuses names and key IDs a shell or spec could misread', () => {
    const ok = { name: 'copr-foo', version: '1', release: '1', certificates: [{ fileName: 'K', keyIds: [id] }] };
    for (const bad of [{ ...ok, name: 'a b' }, { ...ok, name: 'x;rm' }, { ...ok, version: '1 2' }, { ...ok, certificates: [{ fileName: '../k', keyIds: [id] }] }, { ...ok, certificates: [{ fileName: 'K', keyIds: ['zz'] }] }, { ...ok, certificates: [{ fileName: 'K', keyIds: [] }] }, { ...ok, certificates: [] }]) {
      expect(() => keyringSpec(bad)).toThrow(RpmError);
    }
  });

  describe("the refresh on Debian's rpm 4.18: new subkeys reach a client that stored the key before", () => {
    const UID = 'copr bar <bar@example.org>';
    let primary: KeySigner;
    let subA: KeySigner;
    let subB: KeySigner;
    let work: string;
    let db: string;
    const cert = async (subs: KeySigner[]) =>
      armor('PUBLIC KEY BLOCK', assembleCertificate({
        primaryKeyBody: primary.publicKeyBody,
        userId: UID,
        selfSignatures: [await certifyPrimary({ primary, userId: UID, createdUnixSeconds: T })],
        subkeys: await Promise.all(subs.map(async (s) => ({ publicKeyBody: s.publicKeyBody, bindings: [await bindSubkey({ primary, subkey: s, createdUnixSeconds: T })] }))),
      }));
    const shortId = () => toHex(keyId(fingerprint(primary.publicKeyBody))).slice(-8).toLowerCase();
    const stored = () => {
      const r = spawnSync('rpm', ['--dbpath', db, '-q', `gpg-pubkey-${shortId()}`, '--qf', '%{DESCRIPTION}'], { encoding: 'utf8' });
      return r.status === 0 ? readSubkeys(dearmor(r.stdout).bytes).map((k) => toHex(k.fingerprint)) : [];
    };
    /** Runs the package's refresh job as rpm would start it, against `db`, with the certificate file under `etc`. */
    const refresh = (pkg: string, etc: string) => {
      const scripts = rpmq('-qp', '--scripts', pkg);
      const body = scripts.slice(scripts.indexOf('[==[\n') + 5, scripts.indexOf(']==]')).replaceAll('/etc/pki/rpm-gpg', etc);
      // rpm and rpmkeys as on the client, but on this test's database instead of the host's.
      const bin = join(work, 'bin');
      mkdirSync(bin, { recursive: true });
      for (const tool of ['rpm', 'rpmkeys']) {
        writeFileSync(join(bin, tool), `#!/bin/sh\nexec /usr/bin/${tool} --dbpath ${db} "$@"\n`);
        chmodSync(join(bin, tool), 0o755);
      }
      // The job's last step removes its saved copy: mark when it has, to wait for the detached job.
      const done = join(work, `done-${Date.now()}`);
      writeFileSync(join(bin, 'rm'), `#!/bin/sh\n/bin/rm "$@"; : > ${done}\n`);
      chmodSync(join(bin, 'rm'), 0o755);
      const r = spawnSync('sh', ['-c', body], { env: { ...process.env, PATH: `${bin}:${process.env.PATH}` }, encoding: 'utf8' });
      expect(r.status, r.stderr).toBe(0);
      return waitFor(() => existsSync(done), 120_000, 'the detached refresh job');
    };
    const build = async (version: string, armored: string) => {
      const d = mkdtempSync(join(work, `build-${version}-`));
      return (await buildKeyringRpm({ name: 'copr-bar', version, release: '1', workDir: d, certificates: [{ fileName: 'RPM-GPG-KEY-copr-bar', keyIds: [toHex(keyId(fingerprint(primary.publicKeyBody)))], armored }] })).path;
    };

    beforeAll(async () => {
      requireTools('rpmkeys');
      primary = localEd25519(T);
      subA = localEd25519(T);
      subB = localEd25519(T);
      work = mkdtempSync(join(tmpdir(), 'qsign-keyring-refresh-'));
      db = join(work, 'db');
      mkdirSync(db);
      const v1 = join(work, 'v1.asc');
      writeFileSync(v1, await cert([subA]));
      expect(spawnSync('rpmkeys', ['--dbpath', db, '--import', v1]).status).toBe(0);
    });
    afterAll(() => work && rmSync(work, { recursive: true, force: true }));

    it('a plain re-import keeps the old stored copy (why the refresh exists)', async () => {
      const v2 = join(work, 'v2-plain.asc');
      writeFileSync(v2, await cert([subA, subB]));
      expect(spawnSync('rpmkeys', ['--dbpath', db, '--import', v2]).status).toBe(0);
      expect(stored()).toEqual([toHex(fingerprint(subA.publicKeyBody))]);
    });

    it('a failed import puts the saved copy back (the client keeps trusting the key)', async () => {
      const etc = mkdtempSync(join(work, 'etc-broken-'));
      writeFileSync(join(etc, 'RPM-GPG-KEY-copr-bar'), '-----BEGIN PGP PUBLIC KEY BLOCK-----\n\nnot a key\n-----END PGP PUBLIC KEY BLOCK-----\n');
      await refresh(await build('2', await cert([subA, subB])), etc);
      expect(stored()).toEqual([toHex(fingerprint(subA.publicKeyBody))]);
    });

    it('the keyring update replaces the stored copy: the new subkey arrives', async () => {
      const armored = await cert([subA, subB]);
      const etc = mkdtempSync(join(work, 'etc-'));
      writeFileSync(join(etc, 'RPM-GPG-KEY-copr-bar'), armored);
      await refresh(await build('3', armored), etc);
      expect(stored()).toEqual([subA, subB].map((k) => toHex(fingerprint(k.publicKeyBody))));
    });
  });
});

