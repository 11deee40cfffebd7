/**
 * Names of a rotated key's successors (docs/rotation.md). `qsign key rotate --key K` makes
 * the successor `K+r2` by DKG (rotating `K+r2` makes `K+r3`, and so on): as with window
 * subkeys (window-name.ts), the name, fixed by the officer-signed keygen request, is how
 * every node knows whose successor a key is, and so which key the old primary may certify.
 */
import { isValidKeyName } from './request.js';

const PATTERN = /^(.+)\+r(\d{1,4})$/;

/** A successor's predecessor key name and its generation (2 for the first successor). */
export interface SuccessorName {
  predecessor: string;
  generation: number;
}

/** The key name of `name`'s successor: `K+r2` for `K`, `K+r(N+1)` for `K+rN`. */
export function successorKeyName(name: string): string {
  const m = PATTERN.exec(name);
  return m ? `${m[1]}+r${Number(m[2]) + 1}` : `${name}+r2`;
}

/** Parses a successor's key name; undefined for any other key name. */
export function parseSuccessorName(name: string): SuccessorName | undefined {
  const m = PATTERN.exec(name);
  if (!m || !isValidKeyName(name)) return undefined;
  const generation = Number(m[2]);
  if (generation < 2) return undefined;
  return { predecessor: generation === 2 ? m[1]! : `${m[1]}+r${generation - 1}`, generation };
}
