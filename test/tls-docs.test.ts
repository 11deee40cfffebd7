/**
 * docs/tls.md's CA set-up works as written: the test runs the commands of
 * its marked block, in order, in an empty directory (`qsign` is the built
 * CLI), and checks what OpenSSL says about the result.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QSIGN_BIN } from '@qsign/devcluster';
import { requireTools } from './helpers/tools.js';

/** The commands of the sh block that follows the marker naming this test. */
function documentedCommands(): string[] {
  const doc = readFileSync('docs/tls.md', 'utf8');
  const at = doc.indexOf('<!-- test/tls-docs.test.ts runs the commands of this block');
  expect(at).toBeGreaterThan(0);
  const block = /```sh\n([\s\S]*?)```/.exec(doc.slice(at))![1]!;
  return block.split('\n').filter((l) => l.trim() && !l.startsWith('#'));
}

/** Splits a documented command line into words (double quotes group). */
function words(line: string): string[] {
  return [...line.matchAll(/"([^"]*)"|(\S+)/g)].map((m) => m[1] ?? m[2]!);
}

let dir: string;
beforeAll(() => {
  requireTools('openssl');
  dir = mkdtempSync(join(tmpdir(), 'qsign-tls-docs-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

describe('docs/tls.md', () => {
  it('sets up a cluster CA with the documented commands, and OpenSSL accepts every certificate', () => {
    const out: string[] = [];
    const cmds = documentedCommands();
    expect(cmds.length).toBeGreaterThanOrEqual(6);
    for (const line of cmds) {
      const [cmd, ...args] = words(line);
      const argv = cmd === 'qsign' ? [process.execPath, QSIGN_BIN, ...args] : [cmd!, ...args];
      out.push(execFileSync(argv[0]!, argv.slice(1), { cwd: dir, encoding: 'utf8', timeout: 60_000 }));
    }
    const all = out.join('\n');
    expect(all).toMatch(/ca\/node-1\.crt: OK/);
    expect(all).toMatch(/ca\/coordinator-coordinator-a\.crt: OK/);
    expect(all).toMatch(/ca\/client-copr-backend\.crt: OK/);
    expect(all).toMatch(/URI:qsign:node:1, DNS:node1\.example\.org/);
    expect(statSync(join(dir, 'ca', 'ca.key')).mode & 0o077).toBe(0);
    expect(statSync(join(dir, 'ca', 'node-1.key')).mode & 0o077).toBe(0);
  });
});
