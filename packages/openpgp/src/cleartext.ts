/** The cleartext signature framework (RFC 4880 §7, RFC 9580 §7). */
import { armor } from './armor.js';
import { utf8 } from './bytes.js';
import { check } from './errors.js';
import { expectHashAlgorithm, HASH_ARMOR_NAMES, type HashAlgorithm } from './hash.js';
import { parseSignatureFields } from './parse-signature.js';
import { SignatureType } from './signature.js';

const MAX_TEXT_CHARS = 64 * 1024 * 1024;

/** Splits text into lines (CR LF, LF or CR), strips trailing spaces/tabs, drops the one line ending before the armor. */
function cleartextLines(text: string): string[] {
  check(typeof text === 'string', 'INVALID_ARGUMENT', 'text must be a string');
  check(text.length <= MAX_TEXT_CHARS, 'TOO_LARGE', 'text too large');
  const lines = text.split(/\r\n|\n|\r/).map((l) => l.replace(/[ \t]+$/, ''));
  if (lines.length > 0 && lines[lines.length - 1] === '') lines.pop();
  return lines;
}

/**
 * The exact bytes a cleartext signature (type 0x01) is computed over (RFC 4880 §7.1):
 * trailing spaces and tabs removed from every line, lines joined with CR LF, and no
 * line ending after the last line (that one belongs to the armor). Pass this to
 * `prepareSignature({ signatureType: 0x01, … }, cleartextSigningInput(text))`.
 *
 * @example cleartextSigningInput('hello \nworld\n') // → 'hello\r\nworld'
 */
export function cleartextSigningInput(text: string): Uint8Array {
  return utf8(cleartextLines(text).join('\r\n'));
}

/**
 * A cleartext-signed message (RFC 4880 §7): the "BEGIN PGP SIGNED MESSAGE" line,
 * "Hash:" header, the dash-escaped text (§7.1) and the armored signature. The signature
 * must be a text (0x01) signature over {@link cleartextSigningInput}(text) using `hashAlgorithm`.
 */
export function cleartextSignedMessage(text: string, signaturePacket: Uint8Array, hashAlgorithm: HashAlgorithm): string {
  expectHashAlgorithm(hashAlgorithm);
  const sig = parseSignatureFields(signaturePacket); // Ed25519 or RSA
  check(sig.signatureType === SignatureType.Text, 'INVALID_ARGUMENT', 'a cleartext signature must be a text (0x01) signature');
  check(sig.hashAlgorithm === hashAlgorithm, 'INVALID_ARGUMENT', `signature uses ${sig.hashAlgorithm}, not ${hashAlgorithm}`);
  const body = cleartextLines(text).map((l) => (l.startsWith('-') ? '- ' + l : l));
  return [
    '-----BEGIN PGP SIGNED MESSAGE-----',
    `Hash: ${HASH_ARMOR_NAMES[hashAlgorithm]}`,
    '',
    ...body,
    armor('SIGNATURE', signaturePacket),
  ].join('\n');
}
