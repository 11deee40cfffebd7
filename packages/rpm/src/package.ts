/**
 * Splits an RPM package file into lead, signature header, main header and
 * payload (docs/manual/format.md; rpm 4.18 lib/rpmlead.c, lib/signature.c,
 * lib/package.c).
 */
import { check } from './errors.js';
import { u16 } from './bytes.js';
import { parseHeader, type RpmHeader } from './header.js';
import { RpmTag } from './tags.js';

/** Size of the lead (struct rpmlead, docs/manual/format.md). */
export const LEAD_SIZE = 96;
/** Lead magic ed ab ee db. */
export const LEAD_MAGIC: Uint8Array = Uint8Array.of(0xed, 0xab, 0xee, 0xdb);
/** RPMSIGTYPE_HEADERSIG: the lead's signature_type for header-style signatures. */
export const RPMSIGTYPE_HEADERSIG = 5;

/** The 96-byte lead, decoded (only `bytes` matters to rpm ≥ 4; the rest is informative). */
export interface RpmLead {
  /** The 96 lead bytes as in the file. */
  readonly bytes: Uint8Array;
  /** Format major version (3 for every current package). */
  readonly major: number;
  /** Format minor version. */
  readonly minor: number;
  /** 0 binary, 1 source. */
  readonly type: number;
  /** Legacy architecture number. */
  readonly archnum: number;
  /** name-version-release, truncated to 65 bytes by rpmbuild (latin1-decoded). */
  readonly name: string;
  /** Legacy OS number. */
  readonly osnum: number;
  /** Signature type; always 5 (header-style) here. */
  readonly signatureType: number;
}

/** An RPM file split into its four parts. All byte arrays are views of the input. */
export interface RpmFile {
  /** The lead. */
  readonly lead: RpmLead;
  /** Parsed signature header (its `bytes` exclude the 8-byte alignment padding). */
  readonly signatureHeader: RpmHeader;
  /** Raw main header bytes, from its magic 8e ad e8 01 00 00 00 00 to the end of its data store. */
  readonly mainHeader: Uint8Array;
  /** Parsed main header. */
  readonly header: RpmHeader;
  /** Offset of the signature header (always 96). */
  readonly signatureHeaderOffset: number;
  /** Offset of the main header: 96 + signature header size rounded up to 8. */
  readonly mainHeaderOffset: number;
  /** Offset of the (compressed) payload: mainHeaderOffset + main header size. */
  readonly payloadOffset: number;
}

/**
 * Reads an RPM v4 package: checks the lead (magic, major 3 or 4, signature
 * type 5 as rpmLeadRead does), parses the signature header with rpm's
 * signature limits (a region 62 is optional, as in rpm) and checks that its
 * alignment padding to a multiple of 8 bytes is present and zero, then parses
 * the main header, which must carry the immutable region 63 (v3 packages
 * without one are refused, as rpmsign refuses to sign them).
 *
 * @throws RpmError with codes TRUNCATED, BAD_MAGIC, BAD_LEAD, or any code of {@link parseHeader}.
 * @example
 * const { mainHeader, payloadOffset } = readRpm(fs.readFileSync('hello-1-1.noarch.rpm'));
 */
export function readRpm(bytes: Uint8Array): RpmFile {
  check(bytes instanceof Uint8Array, 'INVALID_ARGUMENT', 'rpm must be a Uint8Array');
  check(bytes.length >= LEAD_SIZE, 'TRUNCATED', `lead needs ${LEAD_SIZE} bytes, got ${bytes.length}`);
  for (let i = 0; i < LEAD_MAGIC.length; i++) {
    check(bytes[i] === LEAD_MAGIC[i], 'BAD_MAGIC', 'lead magic is not ed ab ee db: not an RPM file');
  }
  const lead = decodeLead(bytes.subarray(0, LEAD_SIZE));

  const signatureHeader = parseHeader(bytes.subarray(LEAD_SIZE), {
    region: 'optional-signature',
    limits: 'signature',
    allowTrailing: true,
  });
  const sigEnd = LEAD_SIZE + signatureHeader.size;
  const pad = (8 - (signatureHeader.size % 8)) % 8;
  check(bytes.length >= sigEnd + pad, 'TRUNCATED', 'file ends inside the signature header padding');
  for (let i = sigEnd; i < sigEnd + pad; i++) {
    check(bytes[i] === 0, 'BAD_PADDING', 'signature header padding is not zero');
  }
  const mainHeaderOffset = sigEnd + pad;
  check(bytes.length > mainHeaderOffset, 'TRUNCATED', 'file ends before the main header');
  const header = parseHeader(bytes.subarray(mainHeaderOffset), {
    region: RpmTag.HEADERIMMUTABLE,
    allowTrailing: true,
  });
  return {
    lead,
    signatureHeader,
    mainHeader: header.bytes,
    header,
    signatureHeaderOffset: LEAD_SIZE,
    mainHeaderOffset,
    payloadOffset: mainHeaderOffset + header.size,
  };
}

function decodeLead(b: Uint8Array): RpmLead {
  const major = b[4]!;
  const signatureType = u16(b, 78);
  check(major >= 3 && major <= 4, 'BAD_LEAD', `unsupported RPM lead version ${major}`);
  check(signatureType === RPMSIGTYPE_HEADERSIG, 'BAD_LEAD', `lead signature type is ${signatureType}, expected 5`);
  const nameBytes = b.subarray(10, 76);
  const nul = nameBytes.indexOf(0);
  return {
    bytes: b,
    major,
    minor: b[5]!,
    type: u16(b, 6),
    archnum: u16(b, 8),
    name: String.fromCharCode(...nameBytes.subarray(0, nul < 0 ? nameBytes.length : nul)),
    osnum: u16(b, 76),
    signatureType,
  };
}
