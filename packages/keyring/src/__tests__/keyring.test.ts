import { execFileSync, spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { armor, fingerprint, keyId, toHex, assembleCertificate, bindSubkey, certifyPrimary } from '@qsign/openpgp';
import { keyringSpec, RpmError } from '@qsign/rpm';
import { requireTools } from '../../../../test/helpers/tools.js';
import { localEd25519 } from '../../../../test/helpers/local-keys.js';
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
});
