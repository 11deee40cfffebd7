/**
 * Issue #4 acceptance 2 (last part): code that combines shares into a secret
 * (`@qsign/frost/recovery`) is reachable only from the ceremony and recovery
 * commands. scripts/check-imports.mjs enforces it; this test shows the rule
 * holds today AND that the check fails for an import anywhere else.
 */
import { describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { join, relative } from 'node:path';

const root = join(import.meta.dirname, '..');
const check = () => spawnSync(process.execPath, [join(root, 'scripts', 'check-imports.mjs')], { encoding: 'utf8' });

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((n) => {
    const p = join(dir, n);
    if (statSync(p).isDirectory()) return n === 'node_modules' || n === 'dist' || n === '__tests__' ? [] : sources(p);
    return p.endsWith('.ts') ? [p] : [];
  });
}

describe('secret reconstruction reachability', () => {
  it('only ceremony/recovery CLI modules import @qsign/frost/recovery, and the import check passes', () => {
    const importers = sources(join(root, 'packages'))
      .filter((f) => !f.includes('/packages/frost/'))
      .filter((f) => readFileSync(f, 'utf8').includes("'@qsign/frost/recovery'"))
      .map((f) => relative(root, f));
    expect(importers).toEqual(['packages/ceremony/src/ceremony-recovery.ts']);
    expect(check().status).toBe(0);
  });

  it('the import check fails when any other module imports it', () => {
    for (const where of ['packages/node/src', 'packages/coordinator/src', 'packages/cli/src/commands']) {
      const f = join(root, where, `zz-recovery-probe-${process.pid}.ts`);
      writeFileSync(f, "import { combineShares } from '@qsign/frost/recovery';\nexport const x = combineShares;\n");
      try {
        const r = check();
        expect(r.status, where).toBe(1);
        expect(r.stderr).toMatch(/imports secret reconstruction outside ceremony\/recovery code/);
      } finally {
        rmSync(f);
      }
    }
  });
});
