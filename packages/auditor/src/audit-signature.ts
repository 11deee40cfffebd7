/**
 * What `audit query --signature` accepts, reduced to the 64-byte Ed25519
 * group signature the coordinator's `issued` record holds: 128 hex digits,
 * the raw 64 bytes, an OpenPGP signature (binary or armored, RFC 9580 §5.2,
 * §6 — `qsign sign -b` / `sign -d` output), or a signed RPM (its header
 * signature, RPMSIGTAG_DSA/RSA, rpm format.md). Anything else is refused
 * with what it looked like. Pure.
 */
import { bytesToHex } from '@noble/hashes/utils.js';
import { errorMessage, QsignError } from '@qsign/protocol';
import { parseSignature } from '@qsign/openpgp';
import { LEAD_MAGIC, readRpm, RpmSigTag } from '@qsign/rpm';

/** Header-only signature tags first (what `qsign rpm sign` writes), then header+payload ones. */
const RPM_SIGNATURE_TAGS = [RpmSigTag.DSA, RpmSigTag.RSA, RpmSigTag.GPG, RpmSigTag.PGP] as const;

function bad(what: string, why: string): never {
  throw new QsignError('INVALID_ARGUMENT', `--signature ${what}: ${why}`);
}

/** The group signature (lowercase hex, 64 bytes) in a file's bytes; `what` names the file in errors. */
export function groupSignatureOf(bytes: Uint8Array, what: string): string {
  if (bytes.length === 64) return bytesToHex(bytes);
  const text = new TextDecoder('utf-8', { fatal: false }).decode(bytes.subarray(0, 8192)).trim();
  if (/^[0-9a-fA-F]{128}$/.test(text)) return text.toLowerCase();
  if (bytes.length >= 4 && LEAD_MAGIC.every((b, i) => bytes[i] === b)) return fromRpm(bytes, what);
  if (text.startsWith('-----BEGIN PGP ') || (bytes.length > 0 && (bytes[0]! & 0x80) !== 0)) {
    if (text.startsWith('-----BEGIN PGP ') && !text.startsWith('-----BEGIN PGP SIGNATURE-----'))
      bad(what, `is ${/^-----BEGIN (PGP [A-Z ]+)-----/.exec(text)?.[1] ?? 'other'} armor, not a PGP SIGNATURE (give the .sig/.asc signature file, not the key or message)`);
    try {
      return bytesToHex(parseSignature(bytes).signature64);
    } catch (e) {
      bad(what, `not a qsign OpenPGP signature: ${errorMessage(e)}`);
    }
  }
  bad(what, 'not a signature: give 128 hex digits, the 64 raw bytes, an OpenPGP signature file (binary or armored) or a signed .rpm');
}

function fromRpm(bytes: Uint8Array, what: string): string {
  let sigs;
  try {
    sigs = readRpm(bytes).signatureHeader;
  } catch (e) {
    bad(what, `looks like an RPM but cannot be read: ${errorMessage(e)}`);
  }
  const tag = RPM_SIGNATURE_TAGS.find((t) => sigs.has(t));
  if (tag === undefined) bad(what, 'is an RPM without an OpenPGP signature (not signed yet?)');
  try {
    return bytesToHex(parseSignature(sigs.bin(tag)).signature64);
  } catch (e) {
    bad(what, `the RPM's signature (tag ${tag}) is not a qsign EdDSA signature: ${errorMessage(e)}`);
  }
}
