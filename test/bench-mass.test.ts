/**
 * Issue 12 acceptance 3 keeps working: scripts/bench-mass.mjs, the 30,000-header run, is
 * run here at a small count so the script cannot rot unnoticed (it once imported the
 * dev-cluster functions from a package root that no longer re-exports them, and failed
 * at its first line). Figures are the bench's business; this checks that the script
 * signs every package it made, through `qsign rpm sign`, and that `qsign audit
 * crosscheck` accounts for every one, as its JSON line says.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

const SCRIPT = fileURLToPath(new URL('../scripts/bench-mass.mjs', import.meta.url));

describe('scripts/bench-mass.mjs', () => {
  it('signs N distinct RPM headers and prints the time and a crosscheck that accounts for all of them', () => {
    const r = spawnSync(process.execPath, [SCRIPT, '--count=12', '--batch=6', '--jobs=2', '--json'], { encoding: 'utf8', timeout: 300_000 });
    expect(r.status, r.stderr).toBe(0);
    const result = JSON.parse(r.stdout.trim().split('\n').pop()!);
    expect(result).toMatchObject({ packages: 12, batch: 6, jobs: 2, allAccounted: true, crosscheck: { exit: 0, problems: 0 } });
    expect(result.crosscheck.issued).toBeGreaterThanOrEqual(12); // the 12 packages and the dev certificate
    expect(result.crosscheck.accounted).toBe(result.crosscheck.issued);
    expect(result.signSeconds).toBeGreaterThan(0);
    expect(r.stderr).toContain('12 / 12 signed');
  }, 320_000);
});
