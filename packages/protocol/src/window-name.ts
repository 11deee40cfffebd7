/**
 * Names of a windowed key's signing subkeys (docs/windows.md). Each window's subkey is a
 * threshold key of its own, stored beside the primary under `PRIMARY+wSTART-END`: the
 * name is how every node knows which window a subkey belongs to, and it is fixed by the
 * officer-signed keygen request that created the subkey.
 */
import { isValidKeyName } from './request.js';

/** A subkey's primary key name and half-open window `[start, end)` (Unix seconds). */
export interface SubkeyName {
  primary: string;
  start: number;
  end: number;
}

const PATTERN = /^(.+)\+w(\d{1,10})-(\d{1,10})$/;

/** The key name of `primary`'s subkey for the window `[start, end)`. */
export function subkeyKeyName(primary: string, start: number, end: number): string {
  return `${subkeyPrefix(primary)}${start}-${end}`;
}

/** What every subkey name of `primary` starts with (for a range scan of a node's keys). */
export function subkeyPrefix(primary: string): string {
  return `${primary}+w`;
}

/** Parses a subkey's key name; undefined for any other key name (or a window that runs backwards). */
export function parseSubkeyName(name: string): SubkeyName | undefined {
  const m = PATTERN.exec(name);
  if (!m || !isValidKeyName(name)) return undefined;
  const start = Number(m[2]);
  const end = Number(m[3]);
  if (!(end > start) || end > 0xffffffff) return undefined;
  return { primary: m[1]!, start, end };
}

/** The subkey names of `primary` among `names`, oldest window first. */
export function subkeysOf(primary: string, names: readonly string[]): SubkeyName[] {
  return names
    .map(parseSubkeyName)
    .filter((s): s is SubkeyName => s !== undefined && s.primary === primary)
    .sort((a, b) => a.start - b.start);
}
