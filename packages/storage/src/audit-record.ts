/**
 * From what a node or coordinator says happened (a loose `AuditEntry`) to the
 * closed, canonical `@qsign/audit` record that becomes a Merkle leaf.
 *
 * Fields the record schema knows go where the schema puts them (so auditors
 * can query them); everything else goes under `details`, so a new field
 * written by new code never makes the log refuse a write. A known field with
 * an unexpected shape is also moved to `details` rather than dropped.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { AuditError, encodeRecord, type AuditRecord as LogRecord, type JsonValue } from '@qsign/audit';

/** What an audit record says, before the log stamps it with `seq` and `timeMs`. */
export interface AuditEntry {
  event: string;
  [field: string]: unknown;
}

/** Entry names that map to a differently named schema field. */
const RENAMED: Readonly<Record<string, string>> = { client: 'clientId', messageSha256: 'digest' };

/** Top-level fields of the record schema (`@qsign/audit` AuditRecord). */
const SCHEMA_FIELDS = new Set([
  'requestId', 'clientId', 'keyName', 'keyFingerprint', 'payloadKind', 'digest', 'digestAlgorithm', 'fileName', 'rpm',
  'decision', 'reason', 'approvedBy', 'code', 'dataSha256', 'signers', 'coordinator', 'signature',
]);

const LONE_SURROGATE = /[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** Converts any value to canonical-JSON-safe form: bytes → hex, null/undefined dropped, non-integers → strings. */
export function toJsonValue(v: unknown, depth = 0): JsonValue | undefined {
  if (v === undefined || v === null || depth > 24) return undefined;
  if (v instanceof Uint8Array) return bytesToHex(v);
  switch (typeof v) {
    case 'string':
      return v.replace(LONE_SURROGATE, '\ufffd');
    case 'boolean':
      return v;
    case 'number':
      return Number.isSafeInteger(v) && !Object.is(v, -0) ? v : String(v);
    case 'bigint':
      return v.toString();
    case 'object': {
      if (v instanceof Date) return v.toISOString();
      if (v instanceof Map) return toJsonValue(Object.fromEntries(v), depth);
      if (Array.isArray(v)) return v.map((x) => toJsonValue(x, depth + 1) ?? '');
      const out: Record<string, JsonValue> = {};
      for (const [k, x] of Object.entries(v as Record<string, unknown>)) {
        const j = toJsonValue(x, depth + 1);
        if (j !== undefined) out[k] = j;
      }
      return out;
    }
    default:
      return String(v);
  }
}

/**
 * Builds the canonical record for `entry` at position `seq` and returns it
 * with its bytes (the leaf is `leafHash(bytes)`, RFC 6962 §2.1).
 *
 * @throws AuditError `malformed-record` if even the fallback (details) form does not encode.
 */
export function buildRecord(entry: AuditEntry, seq: number, timeMs: number): { record: LogRecord; bytes: Uint8Array } {
  const top: Record<string, JsonValue> = {};
  const details: Record<string, JsonValue> = {};
  for (const [k0, v] of Object.entries(entry)) {
    if (k0 === 'event' || k0 === 'seq' || k0 === 'timeMs') continue;
    const k = RENAMED[k0] ?? k0;
    const j = toJsonValue(v);
    if (j === undefined || j === '') continue;
    if (k0 === 'details' && typeof j === 'object' && !Array.isArray(j)) Object.assign(details, j);
    else if (SCHEMA_FIELDS.has(k)) top[k] = j;
    else details[k0] = j;
  }
  if (top.digest !== undefined && top.digestAlgorithm === undefined) top.digestAlgorithm = 'sha256';
  // Up to one retry per schema field: a field whose shape the schema rejects moves to details.
  for (let i = 0; i <= SCHEMA_FIELDS.size; i++) {
    const record = { ...top, seq, timeMs, event: entry.event, ...(Object.keys(details).length ? { details } : {}) } as unknown as LogRecord;
    try {
      return { record, bytes: encodeRecord(record) };
    } catch (e) {
      const field = e instanceof AuditError ? /^record\.([A-Za-z]+)/.exec(e.message)?.[1] : undefined;
      if (!field || !(field in top)) throw e;
      details[field] = top[field]!;
      delete top[field];
    }
  }
  throw new AuditError('malformed-record', 'record does not encode');
}
