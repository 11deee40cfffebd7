/**
 * Audit records — the leaves of a node's log (DESIGN.md, trust model §4):
 * who asked, which key, the exact digest signed, the file, and for RPMs the
 * parsed header — and their deterministic encoding. The leaf hash of a
 * record is RFC 6962 §2.1 `SHA-256(0x00 || encodeRecord(record))`.
 *
 * @module
 */
import { AuditError } from './errors.js';
import { utf8, utf8DecodeStrict, bytesEqual } from './encoding.js';
import { type JsonValue, canonicalJson } from './canonical-json.js';

/** What happened. The list is closed: decoders reject other values. */
export const AUDIT_EVENTS = [
  'signed',
  'refused',
  'held',
  'approved',
  'denied',
  'expired',
  'key-imported',
  'key-generated',
  'key-rotated',
  'key-revoked',
  'reshared',
  'sealed',
  'unsealed',
  'config-changed',
  'started',
  /** A coordinator issued a group signature (its own log). */
  'issued',
  /** A coordinator could not complete a request (its own log). */
  'failed',
  /** A witness saw a peer's checkpoint inconsistent with one it saw before. */
  'fork-detected',
  /** A node verified and stored a key's OpenPGP certificate. */
  'certificate-stored',
  /** A node stored a key's renewed certificate: a newer self-signature with a later expiry (docs/windows.md "No accidental expiry"). */
  'key-renewed',
  /** An operator decided on a held request; or it expired undecided. */
  'hold-approved',
  'hold-denied',
  'hold-expired',
  /** A held request ended without this node (signed by others, or abandoned by the coordinator). */
  'hold-ended',
  /** A node was initialised (`qsign node init`): its enrollment key and unseal scheme. */
  'initialised',
  /** A node took part in round 1 of a DKG (the key is stored, 'key-generated', only once all agree). */
  'dkg-round1',
  /** A node dealt sub-shares of its share for a reshare plan. */
  'reshare-dealt',
  /** A new holder verified its sub-shares and keeps its new share pending, having signed a confirmation of the merged commitment. */
  'reshare-received',
  /** A node activated its new share of a reshared key once every new holder confirmed ('reshared' is the old holder's retirement). */
  'reshared-in',
  /** A node deleted nonces handed out long ago and never used (or beyond a coordinator's quota). */
  'nonces-expired',
  /** A witness holds a checkpoint of this log beyond (or inconsistent with) what the log holds: it was rolled back; the node refuses to sign. */
  'rollback-detected',
  /** A dealer node generated a new RSA key with safe primes, dealt its Shoup shares to the pinned peers and dropped the primes and d (its own share is stored later, 'key-generated'). */
  'rsa-key-dealt',
] as const;
/** One of {@link AUDIT_EVENTS}. */
export type AuditEvent = (typeof AUDIT_EVENTS)[number];

/** The policy outcome recorded with a request. */
export type AuditDecision = 'allow' | 'deny' | 'hold';

/** One file of an RPM payload, as listed in its header. */
export interface RpmFileEntry {
  readonly path: string;
  /** Lowercase hex file digest (algorithm per `RpmSummary.fileDigestAlgorithm`). */
  readonly digest?: string;
  readonly size?: number;
  readonly mode?: number;
}

/** The parsed RPM header fields that identify a build (DESIGN.md §4). */
export interface RpmSummary {
  readonly name: string;
  readonly epoch?: number;
  readonly version: string;
  readonly release: string;
  readonly arch: string;
  readonly sourceRpm?: string;
  readonly buildHost?: string;
  /** POSIX seconds (RPMTAG_BUILDTIME). */
  readonly buildTime?: number;
  /** Lowercase hex payload digest. */
  readonly payloadDigest?: string;
  readonly payloadDigestAlgorithm?: string;
  readonly fileDigestAlgorithm?: string;
  /** `name-[epoch:]version-release.arch`. */
  readonly nevra?: string;
  /** Number of files in the package (also when only {@link filesSummary} is recorded). */
  readonly fileCount?: number;
  /**
   * The file list in header order: every file, or — when the list does not fit
   * {@link MAX_RECORD_FILES} entries / {@link MAX_RECORD_FILE_LIST_BYTES} bytes, or a path is
   * over {@link MAX_RECORD_PATH} characters — the files that fit, with {@link filesTruncated} set.
   */
  readonly files?: readonly RpmFileEntry[];
  /** True when {@link files} is not the whole list (`qsign audit compare` then says so). */
  readonly filesTruncated?: boolean;
  /**
   * The count and hex SHA-256 of the full list (`@qsign/rpm` `canonicalFileList`), which an
   * auditor holding a rebuild recomputes: equal digests mean equal lists, whatever was truncated.
   */
  readonly filesSummary?: { readonly count: number; readonly digest: string };
}

/** One audit log entry (one Merkle leaf). */
export interface AuditRecord {
  /** Position in the log; equals the leaf index. */
  readonly seq: number;
  /** Milliseconds since the POSIX epoch. */
  readonly timeMs: number;
  readonly event: AuditEvent;
  readonly requestId?: string;
  /** The requesting client's identity (e.g. its key fingerprint or name). */
  readonly clientId?: string;
  readonly keyName?: string;
  /** Lowercase hex fingerprint of the signing key. */
  readonly keyFingerprint?: string;
  /** What was signed, e.g. `rpm-header`, `file`, `opaque-digest`. */
  readonly payloadKind?: string;
  /** Lowercase hex of the exact digest signed. */
  readonly digest?: string;
  readonly digestAlgorithm?: string;
  readonly fileName?: string;
  readonly rpm?: RpmSummary;
  readonly decision?: AuditDecision;
  readonly reason?: string;
  /** Operators who approved a held request. */
  readonly approvedBy?: readonly string[];
  /** Machine-readable refusal code (e.g. `STALE_REQUEST`), with `reason`. */
  readonly code?: string;
  /** Lowercase hex SHA-256 of the request's data (for an RPM header request: of the header bytes). */
  readonly dataSha256?: string;
  /** Node ids (FROST identifiers) of the signing set. */
  readonly signers?: readonly number[];
  /** Which coordinator relayed the request. */
  readonly coordinator?: string;
  /** Lowercase hex of the group signature (coordinator `issued` records). */
  readonly signature?: string;
  /** Anything else, as canonical JSON. */
  readonly details?: { readonly [key: string]: JsonValue };
}

/**
 * Largest encoded record accepted. Every field is capped (strings, lists, the
 * RPM file list) so that a record, and with it a page of records, stays small
 * whatever a client sends (issue 9 finding 4).
 */
export const MAX_RECORD_BYTES = 64 * 1024;
/** Longest string field (a refusal reason, a file name claim, …). */
export const MAX_RECORD_STRING = 4096;
/** Most files an `rpm.files` list holds; beyond it the list is truncated (`filesTruncated`), `filesSummary` covers all. */
export const MAX_RECORD_FILES = 1024;
/** Most bytes (JSON) the `rpm.files` list of one record may take (about 90 files of typical paths): records stay small, so logs of many large packages stay quick to read. */
export const MAX_RECORD_FILE_LIST_BYTES = 8 * 1024;
/** Longest file path in `rpm.files`; a file with a longer one is left out of the list (`filesTruncated`). */
export const MAX_RECORD_PATH = 256;
const MAX_STRING = MAX_RECORD_STRING;

type Obj = Record<string, unknown>;

function fail(path: string, what: string): never {
  // `record.FIELD…`: the top-level field at fault, for callers that move it aside.
  const field = path.startsWith('record.') ? path.slice(7).split(/[.[]/)[0] : undefined;
  throw new AuditError('malformed-record', `${path}: ${what}`, { details: field ? { field } : {} });
}

function obj(v: unknown, path: string, required: readonly string[], optional: readonly string[]): Obj {
  if (typeof v !== 'object' || v === null || Array.isArray(v)) fail(path, 'must be an object');
  const o = v as Obj;
  for (const k of Object.keys(o)) {
    if (o[k] === undefined) continue;
    if (!required.includes(k) && !optional.includes(k)) fail(`${path}.${k}`, 'unknown field');
  }
  for (const k of required) if (o[k] === undefined) fail(`${path}.${k}`, 'is required');
  return o;
}

function str(o: Obj, k: string, path: string, opt: boolean, max = MAX_STRING, pattern?: RegExp): void {
  const v = o[k];
  if (v === undefined && opt) return;
  if (typeof v !== 'string' || v.length === 0 || v.length > max) fail(`${path}.${k}`, `must be a string of 1..${max} characters`);
  if (pattern && !pattern.test(v)) fail(`${path}.${k}`, `must match ${pattern}`);
}

function int(o: Obj, k: string, path: string, opt: boolean): void {
  const v = o[k];
  if (v === undefined && opt) return;
  if (typeof v !== 'number' || !Number.isSafeInteger(v) || v < 0) fail(`${path}.${k}`, 'must be a non-negative safe integer');
}

const HEX = /^(?:[0-9a-f]{2})+$/;
const TOKEN = /^[a-z0-9][a-z0-9+.-]*$/;

function checkRpm(v: unknown, path: string): void {
  const o = obj(v, path, ['name', 'version', 'release', 'arch'], [
    'epoch', 'sourceRpm', 'buildHost', 'buildTime', 'payloadDigest', 'payloadDigestAlgorithm', 'fileDigestAlgorithm', 'nevra', 'fileCount', 'files', 'filesTruncated', 'filesSummary',
  ]);
  if (o.filesTruncated !== undefined && o.filesTruncated !== true) fail(`${path}.filesTruncated`, 'must be true when present');
  for (const k of ['name', 'version', 'release', 'arch']) str(o, k, path, false, 1024);
  for (const k of ['sourceRpm', 'buildHost', 'nevra']) str(o, k, path, true, 1024);
  int(o, 'fileCount', path, true);
  for (const k of ['payloadDigestAlgorithm', 'fileDigestAlgorithm']) str(o, k, path, true, 64, TOKEN);
  str(o, 'payloadDigest', path, true, 1024, HEX);
  int(o, 'epoch', path, true);
  int(o, 'buildTime', path, true);
  if (o.files !== undefined) {
    if (!Array.isArray(o.files) || o.files.length > MAX_RECORD_FILES) fail(`${path}.files`, `must be an array of at most ${MAX_RECORD_FILES}`);
    o.files.forEach((f: unknown, i: number) => {
      const p = `${path}.files[${i}]`;
      const fo = obj(f, p, ['path'], ['digest', 'size', 'mode']);
      str(fo, 'path', p, false, MAX_RECORD_PATH);
      str(fo, 'digest', p, true, 128, HEX);
      int(fo, 'size', p, true);
      int(fo, 'mode', p, true);
    });
  }
  if (o.filesSummary !== undefined) {
    const p = `${path}.filesSummary`;
    const so = obj(o.filesSummary, p, ['count', 'digest'], []);
    int(so, 'count', p, false);
    str(so, 'digest', p, false, 1024, HEX);
  }
}

/**
 * Checks the shape of an audit record: known fields only, required fields
 * present, strings non-empty and bounded, hex fields lowercase hex, integers
 * safe and non-negative, `event`/`decision` from their closed lists.
 *
 * @throws AuditError `malformed-record` naming the offending field.
 */
export function assertAuditRecord(v: unknown): asserts v is AuditRecord {
  const path = 'record';
  const o = obj(v, path, ['seq', 'timeMs', 'event'], [
    'requestId', 'clientId', 'keyName', 'keyFingerprint', 'payloadKind', 'digest', 'digestAlgorithm', 'fileName', 'rpm', 'decision', 'reason', 'approvedBy', 'details',
    'code', 'dataSha256', 'signers', 'coordinator', 'signature',
  ]);
  int(o, 'seq', path, false);
  int(o, 'timeMs', path, false);
  if (!(AUDIT_EVENTS as readonly unknown[]).includes(o.event)) fail(`${path}.event`, 'unknown event');
  for (const k of ['requestId', 'clientId', 'keyName', 'fileName', 'coordinator']) str(o, k, path, true);
  str(o, 'code', path, true, 64, /^[A-Z][A-Z0-9_]*$/);
  str(o, 'dataSha256', path, true, 64, /^[0-9a-f]{64}$/);
  str(o, 'signature', path, true, 1024, HEX);
  if (o.signers !== undefined) {
    if (!Array.isArray(o.signers) || o.signers.length === 0 || o.signers.length > 65535) fail(`${path}.signers`, 'must be a non-empty array');
    o.signers.forEach((_: unknown, i: number) => int(o.signers as unknown as Obj, String(i), `${path}.signers`, false));
  }
  str(o, 'reason', path, true);
  str(o, 'keyFingerprint', path, true, 1024, HEX);
  str(o, 'digest', path, true, 1024, HEX);
  str(o, 'payloadKind', path, true, 64, TOKEN);
  str(o, 'digestAlgorithm', path, true, 64, TOKEN);
  if (o.decision !== undefined && o.decision !== 'allow' && o.decision !== 'deny' && o.decision !== 'hold') fail(`${path}.decision`, 'must be allow, deny or hold');
  if (o.rpm !== undefined) checkRpm(o.rpm, `${path}.rpm`);
  if (o.approvedBy !== undefined) {
    if (!Array.isArray(o.approvedBy) || o.approvedBy.length === 0 || o.approvedBy.length > 64) fail(`${path}.approvedBy`, 'must be a non-empty array');
    o.approvedBy.forEach((_: unknown, i: number) => str(o.approvedBy as unknown as Obj, String(i), `${path}.approvedBy`, false));
  }
  if (o.details !== undefined) {
    obj(o.details, `${path}.details`, [], Object.keys(o.details as object));
    try {
      canonicalJson(o.details);
    } catch (e) {
      throw new AuditError('malformed-record', `${path}.details: not canonical JSON`, { cause: e, details: { field: 'details' } });
    }
  }
}

/**
 * The canonical bytes of a record (UTF-8 canonical JSON, see
 * {@link canonicalJson}); the Merkle leaf is `leafHash(encodeRecord(r))`
 * (RFC 6962 §2.1).
 *
 * @throws AuditError `malformed-record`.
 * @example `const leaf = leafHash(encodeRecord({ seq: 0, timeMs: Date.now(), event: 'started' }));`
 */
export function encodeRecord(record: AuditRecord): Uint8Array {
  assertAuditRecord(record);
  let text: string;
  try {
    text = canonicalJson(record);
  } catch (e) {
    throw new AuditError('malformed-record', 'record is not encodable as canonical JSON', { cause: e });
  }
  const bytes = utf8(text);
  if (bytes.length > MAX_RECORD_BYTES) throw new AuditError('malformed-record', `record is too large (${bytes.length} bytes, at most ${MAX_RECORD_BYTES})`, { details: { tooLarge: true } });
  return bytes;
}

/**
 * Parses record bytes, validates the shape, and requires them to be exactly
 * the canonical encoding (re-encodes and compares), so one record has one
 * leaf hash.
 *
 * @throws AuditError `malformed-record` or `non-canonical-record`.
 */
export function decodeRecord(bytes: Uint8Array): AuditRecord {
  if (!(bytes instanceof Uint8Array)) throw new AuditError('invalid-argument', 'record must be bytes');
  if (bytes.length > MAX_RECORD_BYTES) throw new AuditError('malformed-record', 'record is too large');
  const text = utf8DecodeStrict(bytes);
  if (text === undefined) throw new AuditError('malformed-record', 'record is not UTF-8');
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (e) {
    throw new AuditError('malformed-record', 'record is not JSON', { cause: e });
  }
  assertAuditRecord(value);
  let again: Uint8Array;
  try {
    again = utf8(canonicalJson(value));
  } catch (e) {
    throw new AuditError('malformed-record', 'record holds values outside canonical JSON', { cause: e });
  }
  if (!bytesEqual(again, bytes)) throw new AuditError('non-canonical-record', 'record bytes are not in canonical form');
  return value;
}
