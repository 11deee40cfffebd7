/**
 * Global setup: the external tools the suite needs (as root), and one R
 * registry file per test run (see helpers/r-registry.ts),
 * handed to every worker with vitest's provide/inject.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';
import { requireTools } from './helpers/tools.js';

declare module 'vitest' {
  export interface ProvidedContext {
    rRegistry: string;
  }
}

export default function setup(project: TestProject): () => void {
  // As root, install every external tool the suite uses once, up front: a
  // first-time apt install of Chromium can outlast a test hook's timeout.
  // Otherwise each test that needs a missing tool fails saying what to install.
  if (process.getuid?.() === 0) requireTools('gpg', 'rpmbuild', 'rpmkeys', 'rpmsign', 'sq', 'chromium', 'createrepo_c', 'dnf', 'skopeo', 'openssl');
  const dir = mkdtempSync(join(tmpdir(), 'qsign-run-'));
  project.provide('rRegistry', join(dir, 'r-values.txt'));
  return () => rmSync(dir, { recursive: true, force: true });
}
