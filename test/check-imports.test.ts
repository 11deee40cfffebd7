/**
 * scripts/check-imports.mjs enforces the import direction: run on a temp copy
 * of the sources it passes, and it fails, naming the file, once a violation is
 * planted (the client library importing a daemon or storage; a pure package
 * doing I/O).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { appendFileSync, cpSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const repo = join(import.meta.dirname, '..');
let copy: string;

function freshCopy(): string {
  const dir = mkdtempSync(join(tmpdir(), 'qsign-imports-'));
  cpSync(join(repo, 'scripts', 'check-imports.mjs'), join(dir, 'scripts', 'check-imports.mjs'));
  for (const pkg of readdirSync(join(repo, 'packages'))) cpSync(join(repo, 'packages', pkg, 'src'), join(dir, 'packages', pkg, 'src'), { recursive: true });
  return dir;
}

function check(dir: string) {
  const r = spawnSync(process.execPath, [join(dir, 'scripts', 'check-imports.mjs')], { encoding: 'utf8' });
  return { status: r.status, stderr: r.stderr };
}

describe('import direction check', () => {
  beforeAll(() => {
    copy = freshCopy();
  });
  afterAll(() => rmSync(copy, { recursive: true, force: true }));

  it('passes on the sources as they are', () => {
    expect(check(copy)).toMatchObject({ status: 0 });
  });

  it.each([
    ['client', "import { startNode } from '@qsign/node';", 'imports @qsign/node'],
    ['client', "import { openNodeStore } from '@qsign/storage';", 'imports @qsign/storage'],
    ['cli', "const c = await import('@qsign/coordinator');", 'imports @qsign/coordinator'],
    ['audit', "import { readFileSync } from 'node:fs';", 'pure package audit imports node:fs'],
  ])('fails on a planted violation in %s (%s)', (pkg, line, expected) => {
    const dir = freshCopy();
    try {
      const planted = join(dir, 'packages', pkg, 'src', 'planted-violation.ts');
      appendFileSync(planted, `${line}\n`);
      const r = check(dir);
      expect(r.status).toBe(1);
      expect(r.stderr).toContain(`packages/${pkg}/src/planted-violation.ts: ${expected}`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
