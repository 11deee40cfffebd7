/**
 * freePort's machine-wide reservations: a port another process reserved recently is not
 * handed out, and reservations older than the hold are deleted by the first reservation
 * a process makes, so the reservation directory does not grow run after run.
 */
import { existsSync, mkdirSync, mkdtempSync, readdirSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { freePort, portRange, PORT_HOLD_MS } from '../cluster.js';

const saved = process.env.TMPDIR;
const tmp = mkdtempSync(join(tmpdir(), 'qsign-freeport-'));
afterAll(() => {
  if (saved === undefined) delete process.env.TMPDIR;
  else process.env.TMPDIR = saved;
  rmSync(tmp, { recursive: true, force: true });
});

describe('freePort reservations', () => {
  it('deletes aged-out reservations, keeps recent ones, and reserves the port it hands out', async () => {
    process.env.TMPDIR = tmp; // os.tmpdir() reads it on every call
    const dir = join(tmp, `qsign-ports-${process.getuid?.() ?? 'u'}`);
    mkdirSync(dir, { recursive: true });
    const old = new Date(Date.now() - PORT_HOLD_MS - 60_000);
    for (const p of ['1', '2', '3']) {
      writeFileSync(join(dir, p), '');
      utimesSync(join(dir, p), old, old);
    }
    writeFileSync(join(dir, '4'), ''); // reserved just now by "another process"
    const port = await freePort();
    expect(port).toBeGreaterThan(4);
    expect(readdirSync(dir).sort()).toEqual(['4', String(port)].sort());
    expect(existsSync(join(dir, '1'))).toBe(false);
  });

  it('draws ports below the ephemeral range, where outgoing connections never take one', async () => {
    process.env.TMPDIR = tmp;
    const { low, high } = portRange();
    for (let i = 0; i < 20; i++) {
      const port = await freePort();
      expect(port).toBeGreaterThanOrEqual(low);
      expect(port).toBeLessThan(high);
    }
    const range = join(tmp, 'ip_local_port_range');
    writeFileSync(range, '40000\t60999\n');
    expect(portRange(range)).toEqual({ low: 28000, high: 40000 });
    expect(portRange(join(tmp, 'absent'))).toEqual({ low: 20768, high: 32768 });
  });
});
