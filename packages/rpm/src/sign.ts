/**
 * Puts an OpenPGP signature into an RPM's signature header, the way rpm 4.18
 * `rpmsign --addsign` does (sign/rpmgensig.c rpmSign / replaceSignature), with
 * the main header and payload left byte-identical.
 */
import { check, RpmError } from './errors.js';
import { concat } from './bytes.js';
import { buildHeader, builtHeaderSize, type HeaderEntryInput } from './build.js';
import { verifyDigests } from './digests.js';
import { parseHeader } from './header.js';
import { readRpm } from './package.js';
import { inspectSignaturePacket, PgpPubkeyAlgo } from './pgp-packet.js';
import { OPENPGP_SIGNATURE_TAGS, RpmSigTag, RpmTag, RpmType } from './tags.js';

/** Signature-header tags an OpenPGP signature can be written to. */
export type RpmSignatureTag =
  | typeof RpmSigTag.DSA
  | typeof RpmSigTag.RSA
  | typeof RpmSigTag.GPG
  | typeof RpmSigTag.PGP;

/** Options for {@link addHeaderSignature}. */
export interface AddHeaderSignatureOptions {
  /**
   * Where the packet goes (makeSigTag, sign/rpmgensig.c): 267 RPMSIGTAG_DSA
   * (DSA, ECDSA or EdDSA over the main header), 268 RPMSIGTAG_RSA (RSA over
   * the main header), 1005 RPMSIGTAG_GPG / 1002 RPMSIGTAG_PGP (DSA-family /
   * RSA over main header + payload). Default: the header-only tag for the
   * packet's algorithm, {@link headerSignatureTag}.
   */
  readonly tag?: RpmSignatureTag;
  /**
   * `'all'` (default) first removes every OpenPGP signature tag (267, 268,
   * 1002, 1005, 1006), as rpmsign's deleteSigs() does, so the package carries
   * only the new signature; `'tag'` replaces only `tag` (to add a
   * header+payload signature beside a header-only one, add that one second).
   */
  readonly replace?: 'all' | 'tag';
  /** Refuse a package whose own digests do not match, as rpmsign does (default true). */
  readonly verifyDigests?: boolean;
}

const DSA_FAMILY: readonly number[] = [PgpPubkeyAlgo.DSA, PgpPubkeyAlgo.ECDSA, PgpPubkeyAlgo.EDDSA];

/**
 * The header-only signature tag rpmsign picks for a packet (makeSigTag,
 * sign/rpmgensig.c, `ishdr`): 268 RPMSIGTAG_RSA for RSA (algorithm 1), 267
 * RPMSIGTAG_DSA for DSA, ECDSA and EdDSA.
 *
 * @throws RpmError BAD_SIGNATURE_PACKET
 * @example headerSignatureTag(rsaPacket) // 268
 */
export function headerSignatureTag(sigPacket: Uint8Array): typeof RpmSigTag.DSA | typeof RpmSigTag.RSA {
  return inspectSignaturePacket(sigPacket).pubkeyAlgo === PgpPubkeyAlgo.RSA ? RpmSigTag.RSA : RpmSigTag.DSA;
}

/**
 * What rpmsign hands the signer for a header-only signature (267/268): the
 * main header bytes from its magic to the end of its data store — for
 * packages with a payload digest (RPMTAG_PAYLOADDIGEST 5092) this is all that
 * is signed. For older packages without one, rpmsign also adds a
 * header+payload signature: sign {@link headerPayloadSignatureInput} and add it
 * with `{ tag: RpmSigTag.GPG, replace: 'tag' }` after the header-only one.
 *
 * @example
 * fs.writeFileSync('hdr', headerSignatureInput(bytes)); // gpg --detach-sign hdr
 */
export function headerSignatureInput(rpmBytes: Uint8Array): Uint8Array {
  return readRpm(rpmBytes).mainHeader.slice();
}

/** What rpmsign signs for a header+payload signature (1005/1002): everything from the main header on. */
export function headerPayloadSignatureInput(rpmBytes: Uint8Array): Uint8Array {
  return rpmBytes.slice(readRpm(rpmBytes).mainHeaderOffset);
}

/**
 * Returns a copy of `rpmBytes` whose signature header carries `sigPacket` (one
 * binary OpenPGP Signature packet) in `options.tag`. Exactly what happens:
 *
 * 1. The package is read ({@link readRpm}: v4, immutable region 63) and, unless
 *    disabled, its digests are checked ({@link verifyDigests}).
 * 2. The packet is checked ({@link inspectSignaturePacket}) and its public-key
 *    algorithm must fit the tag (DSA/ECDSA/EdDSA → 267/1005, RSA → 268/1002).
 * 3. The signature header's entries are kept as they are — SHA256 273, SHA1
 *    269, sizes, MD5 and all others, data bytes unchanged — except the removed
 *    signature tags (see `replace`), and the packet is added as a BIN entry.
 * 4. RPMSIGTAG_RESERVEDSPACE 1008, if present, is resized (to zero bytes, as
 *    rpmsign writes) by the change in header size so the signature header keeps
 *    its exact size; if it would have to shrink to 0 bytes or less, it is left
 *    as it was and the signature header grows (rpmsign does the same).
 * 5. The header is rebuilt as rpm's headerReload(…, HEADERSIGNATURES) lays it
 *    out: region entry 62 first, entries sorted by tag, data in that order with
 *    type alignment, the region trailer (tag 62, BIN, offset −16·il, count 16)
 *    ending the data store; then zero padding to a multiple of 8 bytes.
 * 6. Lead, new signature header and the original bytes from the main header
 *    to the end are concatenated; the result is re-read as a self-check.
 *
 * @throws RpmError BAD_SIGNATURE_PACKET, DIGEST_MISMATCH, LIMIT_EXCEEDED (over
 *   32 signature tags), or any {@link readRpm} error.
 * @example
 * const signed = addHeaderSignature(bytes, gpgDetachedSig, { tag: RpmSigTag.DSA });
 */
export function addHeaderSignature(
  rpmBytes: Uint8Array,
  sigPacket: Uint8Array,
  options: AddHeaderSignatureOptions = {},
): Uint8Array {
  const tag = options.tag ?? headerSignatureTag(sigPacket);
  const replace = options.replace ?? 'all';
  check(
    [RpmSigTag.DSA, RpmSigTag.RSA, RpmSigTag.GPG, RpmSigTag.PGP].includes(tag),
    'INVALID_ARGUMENT',
    `tag ${String(tag)} is not an OpenPGP signature tag (267, 268, 1002, 1005)`,
  );
  check(replace === 'all' || replace === 'tag', 'INVALID_ARGUMENT', `replace must be 'all' or 'tag'`);

  const rpm = readRpm(rpmBytes);
  if (options.verifyDigests ?? true) verifyDigests(rpmBytes, rpm);

  const pkt = inspectSignaturePacket(sigPacket);
  const wantRsa = tag === RpmSigTag.RSA || tag === RpmSigTag.PGP;
  check(
    wantRsa ? pkt.pubkeyAlgo === PgpPubkeyAlgo.RSA : DSA_FAMILY.includes(pkt.pubkeyAlgo),
    'BAD_SIGNATURE_PACKET',
    `public-key algorithm ${pkt.pubkeyAlgo} does not belong in tag ${tag}`,
  );

  const removed: readonly number[] = replace === 'all' ? OPENPGP_SIGNATURE_TAGS : [tag];
  const entries: HeaderEntryInput[] = rpm.signatureHeader.entries
    .filter((e) => !removed.includes(e.tag))
    .map(({ tag: t, type, count, data }) => ({ tag: t, type, count, data }));
  entries.push({ tag, type: RpmType.BIN, count: sigPacket.length, data: sigPacket.slice() });

  const sigHeader = buildHeader(RpmTag.HEADERSIGNATURES, fitReservedSpace(entries, rpm.signatureHeader.size));
  parseHeader(sigHeader, { region: RpmTag.HEADERSIGNATURES, limits: 'signature' });
  const pad = new Uint8Array((8 - (sigHeader.length % 8)) % 8);
  const out = concat([rpm.lead.bytes, sigHeader, pad, rpmBytes.subarray(rpm.mainHeaderOffset)]);

  const again = readRpm(out);
  if (out.length - again.mainHeaderOffset !== rpmBytes.length - rpm.mainHeaderOffset) {
    throw new RpmError('INVALID_ARGUMENT', 'internal error: rebuilt package does not re-read identically');
  }
  return out;
}

/**
 * rpmsign's "Adjust reserved size for added/removed signatures": resize
 * RESERVEDSPACE 1008 so the header built from `entries` is `targetSize` bytes.
 * Alignment of any tag after 1008 may move by a few bytes, so a few rounds are
 * tried; if no exact fit with 0 < size < targetSize exists, `entries` is
 * returned unchanged.
 */
function fitReservedSpace(entries: HeaderEntryInput[], targetSize: number): HeaderEntryInput[] {
  const i = entries.findIndex((e) => e.tag === RpmSigTag.RESERVEDSPACE);
  if (i < 0 || entries[i]!.type !== RpmType.BIN) return entries;
  let size = entries[i]!.data.length - (builtHeaderSize(entries) - targetSize);
  for (let round = 0; round < 4; round++) {
    if (size <= 0 || size >= targetSize) return entries;
    const trial = entries.slice();
    trial[i] = { tag: RpmSigTag.RESERVEDSPACE, type: RpmType.BIN, count: size, data: new Uint8Array(size) };
    const got = builtHeaderSize(trial);
    if (got === targetSize) return trial;
    size += targetSize - got;
  }
  return entries;
}
