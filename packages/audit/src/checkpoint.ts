/**
 * Transparency log checkpoints (c2sp.org/tlog-checkpoint@v1.0.0): the note
 * text `<origin>\n<size>\n<base64 root>\n[extension lines]`.
 *
 * @module
 */
import { AuditError, check } from './errors.js';
import { base64DecodeStrict, base64Encode, isBytes, isSize, isWellFormed } from './encoding.js';
import { HASH_SIZE } from './hash.js';
import { type NoteLimits, type OpenedNote, type VerifierKey, openNote, signNote } from './note.js';

/** A parsed checkpoint body. */
export interface Checkpoint {
  /** Log identity (first line); non-empty. */
  readonly origin: string;
  /** Tree size (number of leaves). Limited to safe integers here. */
  readonly size: number;
  /** RFC 6962 root hash MTH(D[size]), 32 bytes. */
  readonly rootHash: Uint8Array;
  /** Opaque, non-empty extension lines (NOT RECOMMENDED by the spec). */
  readonly extensions: readonly string[];
}

// eslint-disable-next-line no-control-regex
const BAD_LINE = /[\u0000-\u001f]/;

function checkLine(line: unknown, what: string, code: 'invalid-argument' | 'malformed-checkpoint'): asserts line is string {
  if (typeof line !== 'string' || line === '' || !isWellFormed(line) || BAD_LINE.test(line)) {
    throw new AuditError(code, `${what} must be a non-empty line without control characters`);
  }
}

/**
 * Formats a checkpoint body (c2sp.org/tlog-checkpoint "Note text").
 *
 * @example `formatCheckpoint({ origin: 'node-1.qsign.example/audit', size: 3, rootHash, extensions: [] })`
 */
export function formatCheckpoint(cp: Checkpoint): string {
  check(typeof cp === 'object' && cp !== null, 'invalid-argument', 'checkpoint must be an object');
  checkLine(cp.origin, 'origin', 'invalid-argument');
  check(isSize(cp.size), 'invalid-argument', 'size must be a non-negative safe integer');
  check(isBytes(cp.rootHash, HASH_SIZE), 'invalid-argument', 'root hash must be 32 bytes');
  const extensions = cp.extensions ?? [];
  check(Array.isArray(extensions), 'invalid-argument', 'extensions must be an array');
  extensions.forEach((l) => checkLine(l, 'extension line', 'invalid-argument'));
  return [cp.origin, String(cp.size), base64Encode(cp.rootHash), ...extensions].join('\n') + '\n';
}

/**
 * Parses a checkpoint body strictly (c2sp.org/tlog-checkpoint "Note text"):
 * ≥ 3 newline-terminated non-empty lines; size in decimal without leading
 * zeroes (and ≤ 2^53 − 1 here); root is canonical base64 of 32 bytes;
 * extension lines non-empty.
 *
 * @throws AuditError `malformed-checkpoint`.
 */
export function parseCheckpoint(body: string): Checkpoint {
  if (typeof body !== 'string' || !body.endsWith('\n')) throw new AuditError('malformed-checkpoint', 'checkpoint must end in a newline');
  const lines = body.slice(0, -1).split('\n');
  if (lines.length < 3) throw new AuditError('malformed-checkpoint', 'checkpoint needs origin, size and root lines');
  lines.forEach((l, i) => checkLine(l, `line ${i + 1}`, 'malformed-checkpoint'));
  const [origin, sizeText, rootText, ...extensions] = lines as [string, string, string, ...string[]];
  if (!/^(0|[1-9][0-9]*)$/.test(sizeText)) throw new AuditError('malformed-checkpoint', 'size must be decimal without leading zeroes');
  const size = Number(sizeText);
  if (!Number.isSafeInteger(size)) throw new AuditError('malformed-checkpoint', 'size is too large');
  const rootHash = base64DecodeStrict(rootText);
  if (rootHash === undefined || rootHash.length !== HASH_SIZE) throw new AuditError('malformed-checkpoint', 'root must be base64 of 32 bytes');
  return { origin, size, rootHash, extensions };
}

/** A verified, parsed checkpoint note. */
export interface OpenedCheckpoint {
  readonly checkpoint: Checkpoint;
  readonly note: OpenedNote;
}

/**
 * Signs a checkpoint as a note with the log's Ed25519 key; the key name SHOULD
 * be the origin (c2sp.org/tlog-checkpoint "Signatures"), which is the default.
 */
export function signCheckpoint(cp: Checkpoint, secretKey: Uint8Array, name: string = cp.origin): string {
  return signNote(formatCheckpoint(cp), name, secretKey);
}

/**
 * Opens a signed checkpoint ({@link openNote}) and parses its body
 * ({@link parseCheckpoint}); if `origin` is given the body must carry it.
 *
 * @throws AuditError from {@link openNote}, `malformed-checkpoint`, or `inconsistent-checkpoints` on an origin mismatch.
 */
export function openCheckpoint(
  note: string | Uint8Array,
  verifiers: readonly VerifierKey[],
  options: NoteLimits & { origin?: string } = {},
): OpenedCheckpoint {
  const opened = openNote(note, verifiers, options);
  const checkpoint = parseCheckpoint(opened.text);
  if (options.origin !== undefined && checkpoint.origin !== options.origin) {
    throw new AuditError('inconsistent-checkpoints', `checkpoint origin ${JSON.stringify(checkpoint.origin)} is not the expected one`);
  }
  return { checkpoint, note: opened };
}
