/**
 * Real RPMs for the tests, built with rpmbuild from tiny specs in a temp dir
 * (never the user's ~/rpmbuild, never the system rpmdb).
 */
import { afterAll } from 'vitest';
import { execFileSync, spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { requireTools } from '../../../../test/helpers/tools.js';

/** A spec to build: its name, arch and the files it installs. */
export interface SpecInput {
  name: string;
  version?: string;
  release?: string;
  epoch?: number;
  buildArch?: string;
  /** Extra rpmbuild --define pairs (e.g. to shrink the reserved space). */
  defines?: Record<string, string>;
  /** Shell lines run in %install, with $RPM_BUILD_ROOT as the buildroot. */
  install: string[];
  /** %files lines. */
  files: string[];
}

/** Builds `spec` with rpmbuild in `dir` and returns the path of the binary rpm. */
export function buildRpm(dir: string, spec: SpecInput): string {
  requireTools('rpmbuild');
  const top = join(dir, `top-${spec.name}`);
  const specPath = join(dir, `${spec.name}.spec`);
  writeFileSync(
    specPath,
    [
      `Name: ${spec.name}`,
      `Version: ${spec.version ?? '1.0'}`,
      `Release: ${spec.release ?? '1'}`,
      ...(spec.epoch !== undefined ? [`Epoch: ${spec.epoch}`] : []),
      'Summary: qsign rpm package test fixture',
      'License: MIT',
      ...(spec.buildArch ? [`BuildArch: ${spec.buildArch}`] : []),
      '%description',
      'Test fixture.',
      '%install',
      ...spec.install,
      '%files',
      ...spec.files,
      '',
    ].join('\n'),
  );
  const defs = Object.entries({ _topdir: top, _build_id_links: 'none', debug_package: '%{nil}', ...spec.defines }).flatMap(([k, v]) => ['--define', `${k} ${v}`]);
  execFileSync('rpmbuild', ['-bb', ...defs, specPath], { stdio: 'pipe' });
  const rpmsDir = join(top, 'RPMS');
  const arch = readdirSync(rpmsDir)[0]!;
  const file = readdirSync(join(rpmsDir, arch)).find((f) => f.endsWith('.rpm'))!;
  return join(rpmsDir, arch, file);
}

const made: string[] = [];
// Every test file that imports these fixtures removes its temp dirs when it ends.
afterAll(() => {
  for (const d of made.splice(0)) rmSync(d, { recursive: true, force: true });
});

/** A fresh temp dir, removed after the test file. */
export function tempDir(prefix: string): string {
  const d = mkdtempSync(join(tmpdir(), `qsign-rpm-${prefix}-`));
  made.push(d);
  return d;
}

/** Reads a file as a plain Uint8Array. */
export function readBytes(path: string): Uint8Array {
  return new Uint8Array(readFileSync(path));
}

/** `rpm -qp --qf FORMAT path` with a private dbpath. */
export function rpmQuery(dir: string, path: string, format: string): string {
  return execFileSync('rpm', ['--dbpath', join(dir, 'querydb'), '-qp', '--qf', format, path], { encoding: 'utf8' });
}

/** The three standard fixtures: noarch with epoch, arch-specific, many files. */
export function standardSpecs(): SpecInput[] {
  return [
    {
      name: 'qs-noarch',
      version: '1.2',
      release: '3.fc40',
      epoch: 2,
      buildArch: 'noarch',
      install: [
        'mkdir -p $RPM_BUILD_ROOT/usr/share/qs $RPM_BUILD_ROOT/etc',
        'echo hello > $RPM_BUILD_ROOT/usr/share/qs/a.txt',
        'head -c 5000 /dev/urandom > $RPM_BUILD_ROOT/usr/share/qs/b.bin',
        ': > $RPM_BUILD_ROOT/usr/share/qs/empty',
        'echo conf > $RPM_BUILD_ROOT/etc/qs.conf',
        'ln -s a.txt $RPM_BUILD_ROOT/usr/share/qs/link',
      ],
      files: ['/usr/share/qs', '%config /etc/qs.conf'],
    },
    {
      name: 'qs-arch',
      version: '0.9~rc1',
      release: '7',
      install: [
        'mkdir -p $RPM_BUILD_ROOT/usr/lib/qs-arch $RPM_BUILD_ROOT/usr/bin',
        'printf "#!/bin/sh\\necho hi\\n" > $RPM_BUILD_ROOT/usr/bin/qs-arch',
        'chmod 755 $RPM_BUILD_ROOT/usr/bin/qs-arch',
        'head -c 70000 /dev/urandom > $RPM_BUILD_ROOT/usr/lib/qs-arch/data',
        'echo x > "$RPM_BUILD_ROOT/usr/lib/qs-arch/with space"',
      ],
      files: ['/usr/bin/qs-arch', '/usr/lib/qs-arch'],
    },
    {
      name: 'qs-many',
      buildArch: 'noarch',
      install: [
        'mkdir -p $RPM_BUILD_ROOT/usr/share/qs-many/d1 $RPM_BUILD_ROOT/usr/share/qs-many/d2',
        'for i in $(seq 1 150); do echo "file $i" > $RPM_BUILD_ROOT/usr/share/qs-many/d$((i % 2 + 1))/f$i; done',
      ],
      files: ['/usr/share/qs-many'],
    },
  ];
}

/** A private GnuPG home and rpm database under a test dir, with the runners signing tests use. */
export interface SigningHome {
  /** GNUPGHOME. */
  gnupg: string;
  /** rpm --dbpath for rpmkeys. */
  db: string;
  /** process.env with GNUPGHOME set. */
  env: NodeJS.ProcessEnv;
  /** gpg in batch mode, empty passphrase, loopback pinentry; returns stdout. */
  gpg: (...args: string[]) => Buffer;
  /** Writes package bytes to a fresh file in the dir and returns its path. */
  write: (bytes: Uint8Array) => string;
  /** `rpmkeys --checksig -v` against the private database. */
  checksig: (path: string) => { ok: boolean; out: string };
}

/** Creates `dir`/gnupg (mode 0700) and `dir`/rpmdb and returns the runners over them. */
export function signingHome(dir: string): SigningHome {
  const gnupg = join(dir, 'gnupg');
  const db = join(dir, 'rpmdb');
  mkdirSync(gnupg, { mode: 0o700 });
  mkdirSync(db);
  const env = { ...process.env, GNUPGHOME: gnupg };
  let n = 0;
  return {
    gnupg,
    db,
    env,
    gpg: (...args) => execFileSync('gpg', ['--batch', '--yes', '--passphrase', '', '--pinentry-mode', 'loopback', ...args], { env, stdio: 'pipe' }),
    write: (bytes) => {
      const p = join(dir, `signed-${++n}.rpm`);
      writeFileSync(p, bytes);
      return p;
    },
    checksig: (path) => {
      const r = spawnSync('rpmkeys', ['--dbpath', db, '--checksig', '-v', path], { encoding: 'utf8' });
      return { ok: r.status === 0, out: r.stdout + r.stderr };
    },
  };
}
