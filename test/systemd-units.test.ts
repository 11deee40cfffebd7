/**
 * Issue 15 acceptance 6: `systemd-analyze verify` passes on every unit in
 * deploy/systemd, with no complaint at all (it prints parse warnings but
 * still exits 0, so any output fails the test). Templates are verified as an
 * instance too. A deliberately broken copy shows the check can fail.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTools } from './helpers/tools.js';

const UNITS = fileURLToPath(new URL('../deploy/systemd/', import.meta.url));

/** Runs `systemd-analyze verify` on `unit` inside `dir`; returns its exit status and everything it printed. */
function verify(dir: string, unit: string): { status: number | null; output: string } {
  const r = spawnSync('systemd-analyze', ['verify', '--man=no', unit], { cwd: dir, encoding: 'utf8', timeout: 60_000, env: { ...process.env, SYSTEMD_LOG_COLOR: '0' } });
  return { status: r.status, output: `${r.stdout}${r.stderr}`.trim() };
}

describe('systemd units', () => {
  const files = readdirSync(UNITS).filter((f) => /\.(service|socket|timer|target|path)$/.test(f));

  it('deploy/systemd has units to check', () => {
    expect(files).toEqual(expect.arrayContaining(['qsign-agent.service', 'qsign-coordinator.service', 'qsign-node@.service']));
  });

  it('systemd-analyze verify passes on every unit, silently', () => {
    requireTools('systemd-analyze');
    const dir = mkdtempSync(join(tmpdir(), 'qsign-units-'));
    try {
      for (const f of files) copyFileSync(join(UNITS, f), join(dir, f));
      for (const f of files) {
        const targets = f.includes('@.') ? [`./${f}`, f.replace('@.', '@1.')] : [`./${f}`];
        for (const t of targets) expect(verify(dir, t), `systemd-analyze verify ${t}`).toEqual({ status: 0, output: '' });
      }
      // The check can fail: a unit with an unknown key and a bad value is reported.
      const bad = readFileSync(join(UNITS, 'qsign-coordinator.service'), 'utf8').replace('Restart=on-failure', 'Restart=sometimes\nNoSuchKey=1');
      writeFileSync(join(dir, 'broken.service'), bad);
      const r = verify(dir, './broken.service');
      expect(r.output).toMatch(/Unknown key 'NoSuchKey'/);
      expect(r.output).toMatch(/restart specifier/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 120_000);
});
