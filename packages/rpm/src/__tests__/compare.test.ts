import { describe, expect, it } from 'vitest';
import { compareFileLists, packageInfo, readRpm } from '../index.js';
import { buildRpm, readBytes, tempDir, type SpecInput } from './fixtures.js';

/** A reproducible package: fixed content, so two builds differ only where the spec says. */
function spec(over: { release?: string; greeting?: string; mode?: string; extra?: boolean } = {}): SpecInput {
  return {
    name: 'qs-rebuild',
    release: over.release ?? '1',
    buildArch: 'noarch',
    install: [
      'mkdir -p $RPM_BUILD_ROOT/usr/share/qs-rebuild $RPM_BUILD_ROOT/usr/bin',
      `echo '${over.greeting ?? 'hello'}' > $RPM_BUILD_ROOT/usr/share/qs-rebuild/greeting`,
      'seq 1 2000 > $RPM_BUILD_ROOT/usr/share/qs-rebuild/numbers',
      'printf "#!/bin/sh\\necho hi\\n" > $RPM_BUILD_ROOT/usr/bin/qs-rebuild',
      `chmod ${over.mode ?? '755'} $RPM_BUILD_ROOT/usr/bin/qs-rebuild`,
      ...(over.extra ? ['echo planted > $RPM_BUILD_ROOT/usr/share/qs-rebuild/extra'] : []),
    ],
    files: ['/usr/share/qs-rebuild', '/usr/bin/qs-rebuild'],
  };
}
const files = (path: string) => packageInfo(readRpm(readBytes(path)).header);

describe('compareFileLists on rpmbuild output', () => {
  const dir = tempDir('compare');
  const original = files(buildRpm(tempDir('orig'), spec()));

  it('reads the file list with digests, sizes, modes and the digest algorithm', () => {
    const greeting = original.files.find((f) => f.path === '/usr/share/qs-rebuild/greeting')!;
    expect(greeting.size).toBe(6);
    expect(greeting.digest).toMatch(/^[0-9a-f]{64}$/);
    expect(original.fileDigestAlgo).toBe(8); // SHA-256
    expect(original.files.find((f) => f.path === '/usr/bin/qs-rebuild')!.mode).toBe(0o100755);
  });

  it('reports no difference for an identical rebuild', () => {
    const again = files(buildRpm(tempDir('again'), spec()));
    expect(compareFileLists(original, again)).toEqual({ digestAlgorithmDiffers: false, differences: [] });
  });

  it('names exactly the file whose content changed, with digest and size', () => {
    const trojan = files(buildRpm(dir, spec({ greeting: 'hello, trojan' })));
    const { differences } = compareFileLists(original, trojan);
    expect(differences.map((d) => [d.path, d.kind, d.properties])).toEqual([['/usr/share/qs-rebuild/greeting', 'changed', ['digest', 'size']]]);
  });

  it('names a mode change and a planted file', () => {
    const other = files(buildRpm(tempDir('mode'), spec({ mode: '4755', extra: true })));
    const { differences } = compareFileLists(original, other);
    expect(differences.map((d) => [d.path, d.kind, d.properties])).toEqual([
      ['/usr/bin/qs-rebuild', 'changed', ['mode']],
      ['/usr/share/qs-rebuild/extra', 'added', []],
    ]);
    expect(compareFileLists(other, original).differences.find((d) => d.kind === 'missing')?.path).toBe('/usr/share/qs-rebuild/extra');
  });

  it('does not compare digests made with different algorithms, and says so', () => {
    const md5 = { ...original, fileDigestAlgo: 1, files: original.files.map((f) => ({ ...f, digest: f.digest ? 'ab'.repeat(16) : '' })) };
    expect(compareFileLists(original, md5)).toEqual({ digestAlgorithmDiffers: true, differences: [] });
  });
});
