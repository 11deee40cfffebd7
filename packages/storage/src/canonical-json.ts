/**
 * Canonical JSON: sorted keys, no whitespace, undefined omitted, byte arrays
 * as lowercase hex. The same value always gives the same bytes.
 */
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';

/** Serialises a plain value canonically. */
export function canonicalJson(value: unknown): string {
  if (value === null) return 'null';
  if (value instanceof Uint8Array) return JSON.stringify(bytesToHex(value));
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? 'null' : canonicalJson(v))).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  if (typeof value === 'number' && !Number.isFinite(value)) throw new TypeError('canonical JSON has no NaN/Infinity');
  if (typeof value === 'bigint') return value.toString();
  return JSON.stringify(value);
}

/** Canonical JSON as UTF-8 bytes. */
export function canonicalJsonBytes(value: unknown): Uint8Array {
  return utf8ToBytes(canonicalJson(value));
}
