/**
 * Global setup: one R registry file per test run (see helpers/r-registry.ts),
 * handed to every worker with vitest's provide/inject.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TestProject } from 'vitest/node';

declare module 'vitest' {
  export interface ProvidedContext {
    rRegistry: string;
  }
}

export default function setup(project: TestProject): () => void {
  const dir = mkdtempSync(join(tmpdir(), 'qsign-run-'));
  project.provide('rRegistry', join(dir, 'r-values.txt'));
  return () => rmSync(dir, { recursive: true, force: true });
}
