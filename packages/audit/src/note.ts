/**
 * C2SP signed notes (c2sp.org/signed-note@v1.0.0): Ed25519 signing, verifier
 * keys (vkeys), and strict opening with Ed25519 (type 0x01) and timestamped
 * Ed25519 cosignature (type 0x04, c2sp.org/tlog-cosignature) verifiers.
 *
 * Byte-compatible with golang.org/x/mod/sumdb/note; stricter where noted.
 *
 * @module
 */
import { ed25519Backend } from './ed25519-backend.js';
import { sha256 } from '@noble/hashes/sha2.js';
import { AuditError, check } from './errors.js';
import { base64DecodeStrict, base64Encode, concat, isBytes, isWellFormed, readU64be, utf8, utf8DecodeStrict } from './encoding.js';

/** Signature type 0x01: Ed25519 over the note text (c2sp.org/signed-note "Ed25519 signatures"). */
export const SIG_TYPE_ED25519 = 0x01;
/** Signature type 0x04: timestamped Ed25519 checkpoint cosignature (c2sp.org/tlog-cosignature). */
export const SIG_TYPE_COSIGNATURE_V1 = 0x04;
/** The signature types this package verifies. */
export type SignatureType = typeof SIG_TYPE_ED25519 | typeof SIG_TYPE_COSIGNATURE_V1;

/** A parsed verifier key (c2sp.org/signed-note "Verifier keys"). */
export interface VerifierKey {
  /** Key name: non-empty, no Unicode spaces, no `+`. */
  readonly name: string;
  /** The 32-bit key ID (see {@link keyId}). */
  readonly keyId: number;
  /** Signature type byte. */
  readonly type: SignatureType;
  /** 32-byte Ed25519 public key (RFC 8032). */
  readonly publicKey: Uint8Array;
}

/** A signature line from a known key that verified. */
export interface VerifiedSignature {
  readonly name: string;
  readonly keyId: number;
  readonly type: SignatureType;
  /** POSIX seconds, for cosignatures (type 0x04) only. */
  readonly timestamp?: number;
}

/** A signature line from a key not in the verifier list (kept, not checked). */
export interface UnverifiedSignature {
  readonly name: string;
  readonly keyId: number;
  /** The base64 signature field as it appeared. */
  readonly base64: string;
}

/** The result of {@link openNote}. */
export interface OpenedNote {
  /** The note text, including its final newline, without the separating blank line. */
  readonly text: string;
  readonly signatures: readonly VerifiedSignature[];
  readonly unverified: readonly UnverifiedSignature[];
}

/** Size limits for {@link openNote}. */
export interface NoteLimits {
  /** Maximum note size in UTF-8 bytes (default 256 KiB: 16 post-quantum signatures fit). */
  readonly maxBytes?: number;
  /** Maximum number of signature lines (default 100, as Go; the spec requires accepting ≥ 16). */
  readonly maxSignatures?: number;
}

const DEFAULT_MAX_BYTES = 256 * 1024;
const DEFAULT_MAX_SIGNATURES = 100;
const SIG_PREFIX = '\u2014 '; // em dash, space
const UNICODE_SPACE = /[\t\n\v\f\r \u0085\u00a0\u1680\u2000-\u200a\u2028\u2029\u202f\u205f\u3000]/u;
// eslint-disable-next-line no-control-regex
const CONTROL_EXCEPT_NEWLINE = /[\u0000-\u0009\u000b-\u001f]/;

/**
 * A valid key name (c2sp.org/signed-note "Format"): non-empty, well-formed,
 * no Unicode spaces (Go's `unicode.IsSpace`), no `+`, and no control characters.
 */
export function isValidKeyName(name: unknown): name is string {
  return (
    typeof name === 'string' &&
    name !== '' &&
    isWellFormed(name) &&
    !UNICODE_SPACE.test(name) &&
    !name.includes('+') &&
    !CONTROL_EXCEPT_NEWLINE.test(name)
  );
}

/**
 * key ID = SHA-256(key name || 0x0A || type || public key)[:4] as a big-endian
 * uint32 (c2sp.org/signed-note "Signatures"; type 0x04 per c2sp.org/tlog-cosignature).
 */
export function keyId(name: string, type: SignatureType, publicKey: Uint8Array): number {
  check(isValidKeyName(name), 'invalid-argument', 'invalid key name');
  check(type === SIG_TYPE_ED25519 || type === SIG_TYPE_COSIGNATURE_V1, 'invalid-argument', 'unsupported signature type');
  check(isBytes(publicKey, 32), 'invalid-argument', 'Ed25519 public key must be 32 bytes');
  const h = sha256(concat(utf8(name), Uint8Array.of(0x0a, type), publicKey));
  return ((h[0]! << 24) | (h[1]! << 16) | (h[2]! << 8) | h[3]!) >>> 0;
}

/** The 4-byte big-endian form of a key ID. */
export function keyIdBytes(id: number): Uint8Array {
  return Uint8Array.of(id >>> 24, (id >>> 16) & 0xff, (id >>> 8) & 0xff, id & 0xff);
}

/**
 * Encodes a vkey `<name>+<hex key ID>+<base64(type || public key)>`
 * (c2sp.org/signed-note "Verifier keys").
 *
 * @example `makeVerifierKey('node-1.qsign.example/audit', ed25519.getPublicKey(secretKey))`
 */
export function makeVerifierKey(name: string, publicKey: Uint8Array, type: SignatureType = SIG_TYPE_ED25519): string {
  const id = keyId(name, type, publicKey);
  return `${name}+${id.toString(16).padStart(8, '0')}+${base64Encode(concat(Uint8Array.of(type), publicKey))}`;
}

/**
 * Parses a vkey (c2sp.org/signed-note "Verifier keys"). Accepts types 0x01 and
 * 0x04 with 32-byte Ed25519 keys; the hex key ID must be 8 lowercase digits and
 * equal the recomputed {@link keyId}.
 *
 * @throws AuditError `malformed-key`.
 */
export function parseVerifierKey(vkey: string): VerifierKey {
  if (typeof vkey !== 'string' || vkey.length > 1024) throw new AuditError('malformed-key', 'vkey must be a short string');
  // The base64 part may itself contain '+': cut at the first two only (as Go's strings.Cut).
  const p1 = vkey.indexOf('+');
  const p2 = p1 < 0 ? -1 : vkey.indexOf('+', p1 + 1);
  if (p2 < 0) throw new AuditError('malformed-key', 'vkey must have three +-separated parts');
  const name = vkey.slice(0, p1);
  const hex = vkey.slice(p1 + 1, p2);
  const b64 = vkey.slice(p2 + 1);
  if (!isValidKeyName(name)) throw new AuditError('malformed-key', 'invalid key name');
  if (!/^[0-9a-f]{8}$/.test(hex)) throw new AuditError('malformed-key', 'key ID must be 8 lowercase hex digits');
  const key = base64DecodeStrict(b64);
  if (key === undefined || key.length !== 33) throw new AuditError('malformed-key', 'key must be base64 of type || 32-byte key');
  const type = key[0]!;
  if (type !== SIG_TYPE_ED25519 && type !== SIG_TYPE_COSIGNATURE_V1) throw new AuditError('malformed-key', `unsupported signature type ${type}`);
  const publicKey = key.slice(1);
  const id = keyId(name, type, publicKey);
  if (id !== parseInt(hex, 16)) throw new AuditError('malformed-key', 'key ID does not match name and key');
  return { name, keyId: id, type, publicKey };
}

function checkVerifier(v: VerifierKey): void {
  if (
    typeof v !== 'object' || v === null || !isValidKeyName(v.name) || !isBytes(v.publicKey, 32) ||
    (v.type !== SIG_TYPE_ED25519 && v.type !== SIG_TYPE_COSIGNATURE_V1) || keyId(v.name, v.type, v.publicKey) !== v.keyId
  ) {
    throw new AuditError('malformed-key', 'invalid verifier key');
  }
}

/** Checks that `text` is valid note text: non-empty, newline-terminated, no control characters but newline. */
function checkText(text: string, code: 'invalid-argument' | 'malformed-note'): void {
  if (typeof text !== 'string' || text === '' || !text.endsWith('\n') || !isWellFormed(text) || CONTROL_EXCEPT_NEWLINE.test(text)) {
    throw new AuditError(code, 'note text must be non-empty, end in a newline and contain no control characters but newline');
  }
}

function checkSecretKey(secretKey: Uint8Array): void {
  check(isBytes(secretKey, 32), 'invalid-argument', 'Ed25519 secret key must be 32 bytes');
}

/** `— <name> <base64(keyID || sig)>\n` (c2sp.org/signed-note "Signatures"). */
export function signatureLine(name: string, id: number, signature: Uint8Array): string {
  check(isValidKeyName(name), 'invalid-argument', 'invalid key name');
  check(Number.isInteger(id) && id >= 0 && id <= 0xffffffff, 'invalid-argument', 'key ID must be a uint32');
  check(isBytes(signature) && signature.length > 0, 'invalid-argument', 'signature must be non-empty bytes');
  return `${SIG_PREFIX}${name} ${base64Encode(concat(keyIdBytes(id), signature))}\n`;
}

/**
 * Signs `text` with an Ed25519 key (type 0x01) and returns the complete note:
 * text, a blank line, one signature line (c2sp.org/signed-note "Format",
 * "Ed25519 signatures"). More lines (e.g. {@link cosign}) may be appended.
 *
 * @param secretKey - 32-byte RFC 8032 Ed25519 secret key (seed).
 * @example `signNote(formatCheckpoint(cp), cp.origin, nodeSecretKey)`
 */
export function signNote(text: string, name: string, secretKey: Uint8Array): string {
  checkText(text, 'invalid-argument');
  check(isValidKeyName(name), 'invalid-argument', 'invalid key name');
  checkSecretKey(secretKey);
  const publicKey = ed25519Backend().publicKey(secretKey);
  const sig = ed25519Backend().sign(utf8(text), secretKey);
  return `${text}\n${signatureLine(name, keyId(name, SIG_TYPE_ED25519, publicKey), sig)}`;
}

/** The message a v1 Ed25519 cosignature signs: `cosignature/v1\ntime <T>\n` || body (c2sp.org/tlog-cosignature). */
export function cosignatureMessage(body: string, timestamp: number): Uint8Array {
  check(Number.isSafeInteger(timestamp) && timestamp >= 0, 'invalid-argument', 'timestamp must be a non-negative safe integer');
  return utf8(`cosignature/v1\ntime ${timestamp}\n${body}`);
}

/**
 * Verifies one signature from key `v` over `text`, returning the cosignature
 * timestamp if any, or `false`.
 */
function verifyOne(v: VerifierKey, text: string, sig: Uint8Array): { ok: true; timestamp?: number } | { ok: false } {
  if (v.type === SIG_TYPE_ED25519) {
    if (sig.length !== 64) return { ok: false };
    return { ok: ed25519Backend().verify(sig, utf8(text), v.publicKey) };
  }
  // Type 0x04: timestamped_signature = u64 timestamp || ed25519 signature[64].
  if (sig.length !== 72) return { ok: false };
  const t = readU64be(sig, 0);
  if (t > BigInt(Number.MAX_SAFE_INTEGER)) return { ok: false }; // ≥ year 285 million: "in the future", MAY reject
  if (text.split('\n').length < 4) return { ok: false }; // not a checkpoint body (three lines)
  const timestamp = Number(t);
  const ok = ed25519Backend().verify(sig.subarray(8), cosignatureMessage(text, timestamp), v.publicKey);
  return ok ? { ok: true, timestamp } : { ok: false };
}

/**
 * Parses and verifies a signed note (c2sp.org/signed-note "Format",
 * "Signatures"), strictly:
 * - valid UTF-8, no control characters but newline, at most `maxBytes`;
 * - text is everything up to the last blank line; then ≥ 1 lines
 *   `— <name> <base64>` each ending in a newline, at most `maxSignatures`;
 * - base64 must be canonical padded standard base64 of ≥ 5 bytes;
 * - lines whose (name, key ID) match no verifier are ignored (returned as
 *   `unverified`, identical duplicates dropped), as the spec requires;
 * - a line matching a known key MUST verify, else the whole note is rejected
 *   (`bad-signature`); two lines from one known key are rejected
 *   (`duplicate-signature`; Go silently keeps the first);
 * - at least one known key must have signed (`no-verified-signature`).
 *
 * @throws AuditError `malformed-note`, `note-too-large`, `malformed-key`, `ambiguous-key`,
 *   `bad-signature`, `duplicate-signature`, `no-verified-signature`.
 */
export function openNote(note: string | Uint8Array, verifiers: readonly VerifierKey[], limits: NoteLimits = {}): OpenedNote {
  const maxBytes = limits.maxBytes ?? DEFAULT_MAX_BYTES;
  const maxSignatures = limits.maxSignatures ?? DEFAULT_MAX_SIGNATURES;
  check(Number.isSafeInteger(maxBytes) && maxBytes > 0 && Number.isSafeInteger(maxSignatures) && maxSignatures >= 16, 'invalid-argument', 'bad limits');
  check(Array.isArray(verifiers), 'invalid-argument', 'verifiers must be an array');
  verifiers.forEach(checkVerifier);

  let msg: string;
  if (note instanceof Uint8Array) {
    if (note.length > maxBytes) throw new AuditError('note-too-large', 'note exceeds the size limit');
    const s = utf8DecodeStrict(note);
    if (s === undefined) throw new AuditError('malformed-note', 'note is not valid UTF-8');
    msg = s;
  } else if (typeof note === 'string') {
    if (!isWellFormed(note)) throw new AuditError('malformed-note', 'note is not valid Unicode');
    if (note.length > maxBytes || utf8(note).length > maxBytes) throw new AuditError('note-too-large', 'note exceeds the size limit');
    msg = note;
  } else {
    throw new AuditError('invalid-argument', 'note must be a string or bytes');
  }
  if (CONTROL_EXCEPT_NEWLINE.test(msg)) throw new AuditError('malformed-note', 'note contains control characters');

  const split = msg.lastIndexOf('\n\n');
  if (split < 0) throw new AuditError('malformed-note', 'note has no signature block');
  const text = msg.slice(0, split + 1);
  const block = msg.slice(split + 2);
  if (block === '' || !block.endsWith('\n')) throw new AuditError('malformed-note', 'signature block must end in a newline');
  const lines = block.slice(0, -1).split('\n');
  if (lines.length > maxSignatures) throw new AuditError('note-too-large', 'too many signatures');

  const signatures: VerifiedSignature[] = [];
  const unverified: UnverifiedSignature[] = [];
  const seenKnown = new Set<string>();
  const seenUnknown = new Set<string>();
  for (const line of lines) {
    if (!line.startsWith(SIG_PREFIX)) throw new AuditError('malformed-note', 'signature line must start with an em dash and a space');
    const rest = line.slice(SIG_PREFIX.length);
    const sp = rest.indexOf(' ');
    const name = sp < 0 ? rest : rest.slice(0, sp);
    const b64 = sp < 0 ? '' : rest.slice(sp + 1);
    const raw = b64 === '' ? undefined : base64DecodeStrict(b64);
    if (!isValidKeyName(name) || raw === undefined || raw.length < 5) throw new AuditError('malformed-note', 'malformed signature line');
    const keyIdNum = ((raw[0]! << 24) | (raw[1]! << 16) | (raw[2]! << 8) | raw[3]!) >>> 0;
    const matches = verifiers.filter((v) => v.name === name && v.keyId === keyIdNum);
    if (matches.length === 0) {
      if (!seenUnknown.has(line)) {
        seenUnknown.add(line);
        unverified.push({ name, keyId: keyIdNum, base64: b64 });
      }
      continue;
    }
    const label = `${name}+${keyIdNum.toString(16).padStart(8, '0')}`;
    if (matches.length > 1) throw new AuditError('ambiguous-key', `ambiguous key ${label}`);
    if (seenKnown.has(label)) throw new AuditError('duplicate-signature', `key ${label} signed twice`);
    seenKnown.add(label);
    const v = matches[0]!;
    const r = verifyOne(v, text, raw.subarray(4));
    if (!r.ok) throw new AuditError('bad-signature', `invalid signature for key ${label}`);
    signatures.push(r.timestamp === undefined ? { name, keyId: keyIdNum, type: v.type } : { name, keyId: keyIdNum, type: v.type, timestamp: r.timestamp });
  }
  if (signatures.length === 0) throw new AuditError('no-verified-signature', 'note has no signature from a known key');
  return { text, signatures, unverified };
}
