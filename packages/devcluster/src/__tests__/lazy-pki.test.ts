/**
 * Loading @qsign/devcluster does not load the X.509 library (large; only
 * `pki init/issue` and TLS cluster set-up need it): its dependency, the
 * reflect-metadata polyfill, appears only once a certificate is made.
 */
import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

describe('devcluster root', () => {
  it('loads the X.509 library only when a certificate is made', () => {
    const dir = join(mkdtempSync(join(tmpdir(), 'qsign-lazy-pki-')), 'ca');
    const script = `
      const d = await import('@qsign/devcluster');
      const before = typeof Reflect.getMetadata;
      await d.pkiInit(${JSON.stringify(dir)});
      console.log(JSON.stringify({ before, after: typeof Reflect.getMetadata }));`;
    const out = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 120_000 });
    expect(JSON.parse(out.trim().split('\n').pop()!)).toEqual({ before: 'undefined', after: 'function' });
  });
});
