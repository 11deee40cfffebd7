/**
 * Suite-wide nonce-reuse detector: every test that obtains a signature
 * registers its R (first 32 bytes) here. The registry is a file shared by all
 * test workers of one run (its path comes from the global setup), appended
 * under an exclusive lock file, and each new R is checked against every R
 * recorded before — so "no two signatures share an R" holds across the run.
 */
import { appendFileSync, readFileSync, existsSync, openSync, closeSync, unlinkSync } from 'node:fs';
import { bytesToHex } from '@noble/hashes/utils.js';
import { inject } from 'vitest';
import type {} from '../global-setup.js';

function registryPath(): string {
  const p = inject('rRegistry');
  if (!p) throw new Error('no R registry: run tests through vitest with test/global-setup.ts');
  return p;
}

function withLock<T>(fn: () => T): T {
  const lock = registryPath() + '.lock';
  for (let i = 0; ; i++) {
    try {
      closeSync(openSync(lock, 'wx'));
      break;
    } catch {
      if (i > 2000) throw new Error('R registry lock stuck');
      Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, 5);
    }
  }
  try {
    return fn();
  } finally {
    unlinkSync(lock);
  }
}

/** Records signatures' R values; throws if any R was seen before in this run. */
export function registerSignatures(signatures: Uint8Array[]): void {
  const rs = signatures.map((s) => bytesToHex(s.subarray(0, 32)));
  withLock(() => {
    const path = registryPath();
    const seen = new Set(existsSync(path) ? readFileSync(path, 'utf8').split('\n').filter(Boolean) : []);
    const batch = new Set<string>();
    for (const r of rs) {
      if (seen.has(r) || batch.has(r)) throw new Error(`nonce reuse: R ${r} appeared in two signatures`);
      batch.add(r);
    }
    appendFileSync(path, rs.map((r) => r + '\n').join(''));
  });
}
