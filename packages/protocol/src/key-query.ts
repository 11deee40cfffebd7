/**
 * Which key a `-u`/`--key` argument names, as gpg and obs-sign read it: the key's name,
 * the e-mail address of one of its user IDs (`demo@qsign.invalid`, `<demo@qsign.invalid>`
 * or the whole user ID), its 64-bit key ID (16 hex digits, optional `0x`) or its v4
 * fingerprint (40 hex digits, any case, spaces allowed) — RFC 9580 §5.5.4. Pure: the
 * caller supplies the candidate keys (the client's pinned keys).
 */
import { QsignError } from './errors.js';

/** A key a query may name: its name, lowercase-hex v4 fingerprint, and user IDs. */
export interface KeyCandidate {
  name: string;
  fingerprint: string;
  userIds: readonly string[];
}

/** How a query was read: a 40-hex fingerprint, a 16-hex key ID, or text (a name, user ID or e-mail). */
export type KeyQuery = { kind: 'fingerprint'; hex: string } | { kind: 'keyid'; hex: string } | { kind: 'text'; text: string; email?: string };

/** Reads a `-u` argument (see the module comment). */
export function parseKeyQuery(query: string): KeyQuery {
  const trimmed = query.trim();
  const hex = trimmed.replace(/^0x/i, '').replace(/\s+/g, '').toLowerCase();
  if (/^[0-9a-f]{40}$/.test(hex)) return { kind: 'fingerprint', hex };
  if (/^[0-9a-f]{16}$/.test(hex) && !/\s/.test(trimmed)) return { kind: 'keyid', hex };
  const m = /^<([^<>\s]+@[^<>\s]+)>$/.exec(trimmed) ?? /<([^<>\s]+@[^<>\s]+)>/.exec(trimmed) ?? /^([^<>\s]+@[^<>\s]+)$/.exec(trimmed);
  return m ? { kind: 'text', text: trimmed, email: m[1]!.toLowerCase() } : { kind: 'text', text: trimmed };
}

/** The e-mail address of a user ID ("Name <a@b>" → "a@b", a bare "a@b" → itself), lowercase; undefined if none. */
export function userIdEmail(userId: string): string | undefined {
  const m = /<([^<>\s]+@[^<>\s]+)>\s*$/.exec(userId) ?? /^\s*([^<>\s]+@[^<>\s]+)\s*$/.exec(userId);
  return m?.[1]!.toLowerCase();
}

/** True if `c` is a key the query names other than by its exact name. */
function matches(q: KeyQuery, c: KeyCandidate): boolean {
  const fpr = c.fingerprint.toLowerCase();
  if (q.kind === 'fingerprint') return fpr === q.hex;
  if (q.kind === 'keyid') return fpr.length === 40 && fpr.slice(24) === q.hex;
  return c.userIds.some((u) => u === q.text || (q.email !== undefined && userIdEmail(u) === q.email));
}

/** What a query was looked for as, for "unknown key" messages. */
export function describeKeyQuery(q: KeyQuery): string {
  if (q.kind === 'fingerprint') return `fingerprint ${q.hex.toUpperCase()}`;
  if (q.kind === 'keyid') return `key ID ${q.hex.toUpperCase()}`;
  return q.email !== undefined && q.email !== q.text ? `name, user ID or e-mail ${JSON.stringify(q.text)} (${q.email})` : `name, user ID or e-mail ${JSON.stringify(q.text)}`;
}

/**
 * The name of the one candidate `query` names. An exact key name always wins; otherwise the
 * fingerprint, key ID, user ID or e-mail must match exactly one candidate.
 * Returns undefined when none matches (the caller may still ask the cluster by name).
 *
 * @throws QsignError INVALID_ARGUMENT when several keys match, listing them.
 */
export function resolveKeyQuery(query: string, candidates: readonly KeyCandidate[]): string | undefined {
  if (candidates.some((c) => c.name === query)) return query;
  const q = parseKeyQuery(query);
  const hits = candidates.filter((c) => matches(q, c));
  if (hits.length > 1)
    throw new QsignError(
      'INVALID_ARGUMENT',
      `${query} is ambiguous: it matches ${hits.length} keys (${hits.map((c) => `${c.name}: ${c.fingerprint.toUpperCase()}${c.userIds[0] ? ` ${c.userIds[0]}` : ''}`).join('; ')}); pass the key name or fingerprint`,
    );
  return hits[0]?.name;
}
