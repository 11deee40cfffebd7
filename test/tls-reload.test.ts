/**
 * TLS material reloads on SIGHUP (what `systemctl reload` sends) after
 * checking the new files, and keeps the old material when they are bad
 * (another CA, another identity).
 * File polling is set to an hour here, so only the signal can trigger it.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pkiInit, pkiIssue } from '@qsign/devcluster';
import { TlsMaterial } from '@qsign/rpc';
import { waitFor } from './helpers/cluster.js';

let dir: string;
beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'qsign-tls-reload-'));
  await pkiInit(join(dir, 'ca'));
  await pkiInit(join(dir, 'other'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('TLS reload', () => {
  it('reloads the certificate on SIGHUP, and refuses one naming another identity or from another CA', async () => {
    const files = { ca: join(dir, 'ca', 'ca.crt'), cert: join(dir, 'live.crt'), key: join(dir, 'live.key') };
    const first = await pkiIssue(join(dir, 'ca'), { role: 'node', name: '1' }, { out: join(dir, 'first') });
    copyFileSync(first.cert, files.cert);
    copyFileSync(first.key, files.key);
    const logs: string[] = [];
    const m = new TlsMaterial(files, (l) => logs.push(l)).watch(3_600_000);
    try {
      expect(m.identity).toEqual({ role: 'node', name: '1' });
      const serial = m.serialNumber;
      const next = await pkiIssue(join(dir, 'ca'), { role: 'node', name: '1' }, { out: join(dir, 'next') });
      copyFileSync(next.key, files.key);
      copyFileSync(next.cert, files.cert);
      expect(m.serialNumber).toBe(serial); // nothing reloads by itself within the hour
      process.kill(process.pid, 'SIGHUP');
      await waitFor(() => m.serialNumber !== serial, 30_000, 'the SIGHUP reload');
      expect(logs.some((l) => /TLS SIGHUP: loaded .*qsign:node:1/.test(l))).toBe(true);
      const renewed = m.serialNumber;
      // Another identity's certificate is refused.
      const other = await pkiIssue(join(dir, 'ca'), { role: 'node', name: '7' }, { out: join(dir, 'other') });
      copyFileSync(other.key, files.key);
      copyFileSync(other.cert, files.cert);
      process.kill(process.pid, 'SIGHUP');
      await waitFor(() => logs.some((l) => /TLS SIGHUP: kept the current certificate: .* now names qsign:node:7, but this party is qsign:node:1/.test(l)), 30_000, 'the refused identity change');
      expect(m.serialNumber).toBe(renewed);
      const foreign = await pkiIssue(join(dir, 'other'), { role: 'node', name: '9' }, { out: join(dir, 'foreign') });
      copyFileSync(foreign.key, files.key);
      copyFileSync(foreign.cert, files.cert);
      process.kill(process.pid, 'SIGHUP');
      await waitFor(() => logs.some((l) => /TLS SIGHUP: kept the current certificate: .* was not issued by the CA/.test(l)), 30_000, 'the refused reload');
      expect(m.serialNumber).toBe(renewed);
      expect(m.identity).toEqual({ role: 'node', name: '1' });
    } finally {
      m.close();
    }
  });
});
