#!/usr/bin/env node
// The whole test suite: bootstrap (install + build), import-direction check,
// then vitest. Ends with "N passed, N failed" alone on a line, the counts
// taken from vitest's own JSON report.
import { spawnSync } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { tmpdir } from 'node:os';

const root = join(dirname(fileURLToPath(import.meta.url)), '..');
const step = (args) => spawnSync(process.execPath, args, { cwd: root, stdio: 'inherit' }).status ?? 1;

let status = step([join(root, 'scripts', 'bootstrap.mjs')]);
if (status === 0) status = step([join(root, 'scripts', 'check-imports.mjs')]);
if (status !== 0) {
  console.log('0 passed, 1 failed');
  process.exit(status);
}
const report = join(tmpdir(), `qsign-vitest-${process.pid}.json`);
const vitest = join(root, 'node_modules', 'vitest', 'vitest.mjs');
status = step([vitest, 'run', '--reporter=default', '--reporter=json', `--outputFile.json=${report}`, ...process.argv.slice(2)]);
let passed = 0;
let failed = 0;
try {
  const r = JSON.parse(readFileSync(report, 'utf8'));
  passed = r.numPassedTests;
  failed = r.numFailedTests + (r.numRuntimeErrorTestSuites ?? 0);
  if (status !== 0 && failed === 0) failed = 1; // a suite that failed to load, or an unhandled error
  rmSync(report, { force: true });
} catch {
  failed = Math.max(failed, 1);
}
console.log(`${passed} passed, ${failed} failed`);
process.exit(status);
