// Runs transparency-dev/merkle's proof-verification probes (see vectors/README.md).
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AuditError, verifyConsistency, verifyInclusion } from '../index.js';

const b64 = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'base64'));
const load = <T>(name: string): T[] => JSON.parse(readFileSync(new URL(`./vectors/${name}`, import.meta.url), 'utf8')) as T[];

interface InclusionProbe { file: string; leafIdx: number; treeSize: number; root: string; leafHash: string; proof: string[] | null; desc: string; wantErr: boolean }
interface ConsistencyProbe { file: string; size1: number; size2: number; root1: string; root2: string; proof: string[] | null; desc: string; wantErr: boolean }

/**
 * Deliberate divergences from the Go reference: these probes expect success
 * but pass hashes that are not 32 bytes long; Go skips the length check when
 * sizes are equal, we refuse any non-SHA-256-sized hash (`invalid-argument`).
 */
const STRICTER = new Set(['testdata/consistency/additional/sizes-are-equal-one-and-proof-is-empty.json']);

/** Runs `f`; returns undefined on success or the AuditError code. */
function outcome(f: () => void): string | undefined {
  try {
    f();
    return undefined;
  } catch (e) {
    if (!(e instanceof AuditError)) throw e;
    return e.code;
  }
}

describe('transparency-dev/merkle inclusion probes', () => {
  const probes = load<InclusionProbe>('merkle-inclusion.json');
  it('has all 98 probes', () => expect(probes).toHaveLength(98));
  for (const p of probes) {
    it(`${p.file}: ${p.desc}`, () => {
      const code = outcome(() => verifyInclusion(b64(p.leafHash), p.leafIdx, p.treeSize, (p.proof ?? []).map(b64), b64(p.root)));
      if (p.wantErr) expect(code).toBeDefined();
      else expect(code).toBeUndefined();
    });
  }
});

describe('transparency-dev/merkle consistency probes', () => {
  const probes = load<ConsistencyProbe>('merkle-consistency.json');
  it('has all 98 probes', () => expect(probes).toHaveLength(98));
  for (const p of probes) {
    it(`${p.file}: ${p.desc}`, () => {
      const code = outcome(() => verifyConsistency(p.size1, p.size2, b64(p.root1), b64(p.root2), (p.proof ?? []).map(b64)));
      if (STRICTER.has(p.file)) expect(code).toBe('invalid-argument');
      else if (p.wantErr) expect(code).toBeDefined();
      else expect(code).toBeUndefined();
    });
  }
});
