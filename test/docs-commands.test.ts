/**
 * Issue 16 acceptance 2: the shell command blocks of README.md, docs/*.md and
 * deploy/README.md work as typed on a fresh clone.
 *
 * The rules live in the documents, so a changed README needs no change here:
 * - every block fenced as ```sh is run; other fences (``` , ```json,
 *   ```console …) are illustrations or synopses and are not;
 * - a ```sh block directly preceded by `<!-- docs-test: skip REASON -->` is
 *   not run (for commands needing production hosts, a real network or a held
 *   request); the reason is required, and is printed;
 * - each document runs in order in ONE bash (`set -euo pipefail`, so an
 *   `export` carries over) in a fresh sandbox directory that looks like a
 *   fresh clone's root to `npx qsign` (it links the checkout's node_modules)
 *   and holds an unsigned `pkg.rpm`;
 * - a document that does not start a cluster itself (`cluster up`) gets a
 *   fresh dev cluster at ./dev first, with QSIGN_CONFIG exported, as the
 *   README's quick start leaves it. Whatever runs is stopped afterwards.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { copyFileSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { requireTools } from './helpers/tools.js';
import { buildRpm, tempDir } from '../packages/rpm/src/__tests__/fixtures.js';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const SKIP = /^<!--\s*docs-test:\s*skip\s+(\S.*?)\s*-->$/;

/** One ```sh block of a document. */
interface Block {
  file: string;
  line: number;
  text: string;
  skip?: string;
}

/** The ```sh blocks of a Markdown document, with their skip reasons. */
function shellBlocks(file: string, markdown: string): Block[] {
  const lines = markdown.split('\n');
  const out: Block[] = [];
  for (let i = 0; i < lines.length; i++) {
    const open = /^(\s*)(`{3,}|~{3,})\s*(\S*)/.exec(lines[i]!);
    if (!open) continue;
    const fence = open[2]!;
    let j = i + 1;
    while (j < lines.length && !lines[j]!.trim().startsWith(fence)) j++;
    if (open[3] === 'sh') {
      let k = i - 1;
      while (k >= 0 && lines[k]!.trim() === '') k--;
      const skip = k >= 0 ? SKIP.exec(lines[k]!.trim())?.[1] : undefined;
      out.push({ file, line: i + 1, text: lines.slice(i + 1, j).join('\n'), ...(skip ? { skip } : {}) });
    }
    i = j;
  }
  return out;
}

const DOCS = ['README.md', ...readdirSync(join(ROOT, 'docs')).filter((f) => f.endsWith('.md')).sort().map((f) => `docs/${f}`), 'deploy/README.md'].filter((f) => existsSync(join(ROOT, f)));
const byDoc = DOCS.map((file) => ({ file, blocks: shellBlocks(file, readFileSync(join(ROOT, file), 'utf8')) })).filter((d) => d.blocks.length > 0);

describe('documented shell commands work as typed', () => {
  let pkg: string;
  const sandboxes: string[] = [];
  beforeAll(() => {
    requireTools('rpmbuild', 'rpmsign', 'rpmkeys', 'gpg');
    pkg = buildRpm(tempDir('docs-commands'), { name: 'qsign-docs-demo', install: ['mkdir -p $RPM_BUILD_ROOT/usr/share/qd', 'echo hi > $RPM_BUILD_ROOT/usr/share/qd/hi'], files: ['/usr/share/qd/hi'] });
  });
  afterAll(() => {
    for (const dir of sandboxes) {
      if (existsSync(join(dir, 'dev', 'cluster.json'))) spawnSync('npx', ['qsign', 'cluster', 'down', '--dir', './dev'], { cwd: dir, stdio: 'ignore', timeout: 60_000 });
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('finds the documents and their blocks (a parser that finds nothing would pass vacuously)', () => {
    expect(byDoc.map((d) => d.file)).toContain('README.md');
    expect(byDoc.flatMap((d) => d.blocks).filter((b) => !b.skip).length).toBeGreaterThan(3);
    for (const b of byDoc.flatMap((d) => d.blocks)) if (b.skip !== undefined) expect(b.skip.length, `${b.file}:${b.line}`).toBeGreaterThan(5);
  });

  for (const { file, blocks } of byDoc) {
    it(`${file}: every runnable sh block succeeds`, () => {
      const dir = mkdtempSync(join(tmpdir(), 'qsign-docs-'));
      sandboxes.push(dir);
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'));
      copyFileSync(pkg, join(dir, 'pkg.rpm'));
      const run = blocks.filter((b) => !b.skip);
      for (const b of blocks.filter((x) => x.skip)) console.log(`docs-test: ${b.file}:${b.line} not run: ${b.skip}`);
      const startsCluster = run.some((b) => /\bcluster up\b/.test(b.text));
      const script = [
        'set -euo pipefail',
        ...(startsCluster ? [] : ['npx qsign cluster up --dir ./dev >/dev/null', 'export QSIGN_CONFIG=$PWD/dev/client.json']),
        ...run.map((b) => `echo "### ${b.file}:${b.line}" >&2\n${b.text}`),
        'echo "### done" >&2',
      ].join('\n');
      writeFileSync(join(dir, 'docs-commands.sh'), script);
      const r = spawnSync('bash', ['docs-commands.sh'], { cwd: dir, encoding: 'utf8', timeout: 540_000, env: { ...process.env, QSIGN_CONFIG: '' } });
      const failedAt = [...r.stderr.matchAll(/^### (\S+)$/gm)].at(-1)?.[1];
      expect(failedAt, `${file}: the block at ${failedAt} failed (exit ${r.status}):\n${r.stderr.slice(-3000)}\n${r.stdout.slice(-1500)}`).toBe('done');
      expect(r.status).toBe(0);
    }, 600_000);
  }
});
