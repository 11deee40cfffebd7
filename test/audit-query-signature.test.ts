/**
 * Issue 16 item 5: `qsign audit query --signature FILE` takes the signature
 * files users have — an OpenPGP detached signature from `qsign sign -b`
 * (binary and armored) and a package signed by `qsign rpm sign` (its header
 * signature) — and says what is wrong with anything else, instead of
 * answering "no matching signatures".
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, writeFileSync } from 'node:fs';
import { basename, join } from 'node:path';
import { TestCluster } from './helpers/cluster.js';
import { requireTools } from './helpers/tools.js';
import { jsonLines, qsign } from './helpers/audit.js';
import { buildRpm, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

describe('audit query --signature with signature files', () => {
  let c: TestCluster;
  let dir: string;
  const query = (sig: string) => qsign(['audit', 'query', '--cluster', c.dir, '--signature', sig, '--json']);
  const signer = (stdout: string) => {
    const rows = jsonLines(stdout);
    expect(rows).toHaveLength(1);
    return rows[0]!;
  };

  beforeAll(async () => {
    requireTools('rpmbuild');
    c = await TestCluster.start({ nodes: 3, threshold: 2 });
    dir = tempDir('audit-query-sig');
  });
  afterAll(async () => {
    await c?.stop();
  });

  it('finds the request behind a binary and an armored OpenPGP signature from qsign sign -b', async () => {
    const file = join(dir, 'q.txt');
    writeFileSync(file, 'what was signed\n');
    for (const armor of [false, true]) {
      const out = `${file}.${armor ? 'asc' : 'sig'}`;
      const s = await qsign(['sign', '--key', 'demo', '-b', ...(armor ? ['--armor'] : []), '-o', out, file, '-c', c.file.clientConfig]);
      expect(s.stderr).toBe('');
      expect(s.code).toBe(0);
      const q = await query(out);
      expect(q.stderr).toBe('');
      expect(q.code).toBe(0);
      const row = signer(q.stdout);
      expect(row).toMatchObject({ key: 'demo', fileName: file });
      expect(row.recordedBy).toHaveLength(2);
    }
  });

  it('finds the request behind a signed RPM (its header signature)', async () => {
    const rpm = buildRpm(dir, { name: 'qsign-query-sig', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/qq', 'echo hi > $RPM_BUILD_ROOT/usr/share/qq/hi'], files: ['/usr/share/qq/hi'] });
    const unsigned = join(dir, 'unsigned.rpm');
    copyFileSync(rpm, unsigned);
    const s = await qsign(['rpm', 'sign', '--key', 'demo', rpm, '-c', c.file.clientConfig]);
    expect(s.code, s.stderr).toBe(0);
    const q = await query(rpm);
    expect(q.stderr).toBe('');
    expect(q.code).toBe(0);
    expect(signer(q.stdout)).toMatchObject({ key: 'demo', fileName: basename(rpm) });
    const none = await query(unsigned);
    expect(none.stderr).toMatch(/is an RPM without an OpenPGP signature/);
    expect(none.code).not.toBe(0);
  });

  it('says what is wrong with a file that is not a signature', async () => {
    const text = join(dir, 'plain.txt');
    writeFileSync(text, 'hello\n');
    const r = await query(text);
    expect(r.stderr.trim()).toBe(`qsign: --signature ${text}: not a signature: give 128 hex digits, the 64 raw bytes, an OpenPGP signature file (binary or armored) or a signed .rpm`);
    expect(r.code).not.toBe(0);
    const key = join(dir, 'key.asc');
    const pub = await qsign(['pubkey', '--key', 'demo', '--armor', '-c', c.file.clientConfig]);
    writeFileSync(key, pub.stdout);
    const k = await query(key);
    expect(k.stderr).toMatch(/is PGP PUBLIC KEY BLOCK armor, not a PGP SIGNATURE/);
  });
});
