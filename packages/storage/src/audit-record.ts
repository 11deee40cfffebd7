/**
 * From what a node or coordinator says happened (an `@qsign/audit`
 * `AuditEntry`, built by its typed constructors) to the closed, canonical
 * record that becomes a Merkle leaf.
 *
 * Schema fields stay where they are (entries use the schema's names);
 * `details` are converted to canonical JSON. A schema field with an
 * unexpected shape is moved to `details` rather than dropped, and details
 * that would make the record too large are replaced by their size and
 * digest, so a record is never refused for what it describes.
 */
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex, utf8ToBytes } from '@noble/hashes/utils.js';
import { AuditError, MAX_RECORD_STRING, canonicalJson, encodeRecord, type AuditEntry, type AuditRecord as LogRecord, type JsonValue } from '@qsign/audit';

export type { AuditEntry } from '@qsign/audit';

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

/** Most items of a list kept in a record; the rest are counted. */
export const MAX_RECORD_LIST = 256;
/** Characters kept of a string longer than `MAX_RECORD_STRING`. */
const KEPT_PREFIX = 1024;

/**
 * Caps a value for a record (issue 9 finding 4): a string longer than
 * `MAX_RECORD_STRING` keeps its first 1,024 characters and says how long it
 * was and its SHA-256; a list longer than {@link MAX_RECORD_LIST} keeps its
 * first items and says how many there were.
 */
export function boundJson(v: JsonValue): JsonValue {
  if (typeof v === 'string') {
    if (v.length <= MAX_RECORD_STRING) return v;
    const head = v.slice(0, KEPT_PREFIX).replace(LONE_SURROGATE, '\ufffd');
    return `${head}…[truncated: ${v.length} characters, sha256 ${bytesToHex(sha256(utf8ToBytes(v)))}]`;
  }
  if (Array.isArray(v)) {
    const kept = v.slice(0, MAX_RECORD_LIST).map(boundJson);
    return v.length > MAX_RECORD_LIST ? [...kept, `…[truncated: ${v.length} items]`] : kept;
  }
  if (typeof v === 'object' && v !== null) {
    const out: Record<string, JsonValue> = {};
    for (const [k, x] of Object.entries(v)) if (x !== undefined) out[k.length > 256 ? (boundJson(k) as string) : k] = boundJson(x);
    return out;
  }
  return v;
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
  for (const [k, v] of Object.entries(entry)) {
    if (k === 'event' || k === 'seq' || k === 'timeMs') continue;
    const j0 = toJsonValue(v);
    if (j0 === undefined || j0 === '') continue;
    const j = boundJson(j0);
    if (k === 'details') {
      if (typeof j === 'object' && !Array.isArray(j)) Object.assign(details, j);
    } else top[k] = j;
  }
  if (top.digest !== undefined && top.digestAlgorithm === undefined) top.digestAlgorithm = 'sha256';
  let extra: Record<string, JsonValue> = details;
  // Up to one retry per schema field: a field whose shape the schema rejects moves to details;
  // and once: details that would make the record too large are replaced by their size and digest.
  const tries = Object.keys(top).length + 2;
  for (let i = 0; i < tries; i++) {
    const record = { ...top, seq, timeMs, event: entry.event, ...(Object.keys(extra).length ? { details: extra } : {}) } as unknown as LogRecord;
    try {
      return { record, bytes: encodeRecord(record) };
    } catch (e) {
      if (!(e instanceof AuditError)) throw e;
      const field = e.details.field;
      if (field !== undefined && field !== 'details' && field in top) {
        extra[field] = top[field]!;
        delete top[field];
      } else if (e.details.tooLarge && extra === details && Object.keys(details).length) {
        const text = canonicalJson(details);
        extra = { detailsTruncated: { bytes: utf8ToBytes(text).length, sha256: bytesToHex(sha256(utf8ToBytes(text))), fields: Object.keys(details).sort().join(',').slice(0, 1024) } };
      } else throw e;
    }
  }
  throw new AuditError('malformed-record', 'record does not encode');
}
