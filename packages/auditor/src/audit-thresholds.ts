/**
 * Each key's threshold at the time of each node signature, read from a node's
 * own audit log (docs/audit.md): `key-imported`, `key-generated` and
 * `reshared-in` records carry `threshold: "N-of-M"`, `reshared` (retired)
 * ends it. A crosscheck needs this because a reshare changes a key's
 * threshold; the cluster's original threshold is not the minimum for later
 * signatures.
 */
import type { FetchedLog } from './fetch.js';

const KEY_EVENTS = new Set(['key-imported', 'key-generated', 'reshared-in']);

/** N of an "N-of-M" threshold string, or undefined. */
function minSignersOf(v: unknown): number | undefined {
  const m = typeof v === 'string' ? /^(\d+)-of-\d+$/.exec(v) : null;
  return m ? Number(m[1]) : undefined;
}

/**
 * For each request a node log records as `signed`: the threshold the node's
 * key had then (requestId → N), as far as the log says (absent if it never
 * recorded the key's share).
 */
export function thresholdsAtSigning(log: FetchedLog): Map<string, number> {
  const current = new Map<string, number>();
  const out = new Map<string, number>();
  for (const { record } of log.records) {
    if (!record?.keyName) continue;
    const n = minSignersOf(record.details?.threshold);
    if (KEY_EVENTS.has(record.event) && n !== undefined) current.set(record.keyName, n);
    else if (record.event === 'reshared' && record.details?.retired === true) current.delete(record.keyName);
    else if (record.event === 'signed' && record.requestId && current.has(record.keyName)) out.set(record.requestId, current.get(record.keyName)!);
  }
  return out;
}
