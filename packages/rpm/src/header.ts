/**
 * Strict parser for the RPM "header structure" (docs/manual/format_header.md),
 * used both for the signature header and the main header.
 *
 * The checks follow rpm 4.18 lib/header.c (hdrblobInit, hdrblobVerifyRegion,
 * hdrblobVerifyInfo) and add two of our own: index entries must be sorted by
 * strictly increasing tag (the documented order, which rules out duplicate
 * tags); string accessors additionally require UTF-8. Nothing is allocated in proportion to
 * a count read from the input before that count has been checked against the
 * input's length.
 */
import { check, RpmError } from './errors.js';
import { i32, u16, u32 } from './bytes.js';
import { RpmTag, RpmType, type RpmTypeNumber } from './tags.js';

/** The 8-byte header magic: 8e ad e8 01 (version 1) and 4 reserved zero bytes. */
export const HEADER_MAGIC: Uint8Array = Uint8Array.of(0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0);
/** rpm's HEADER_TAGS_MAX (lib/header.c): most index entries in a header. */
export const HEADER_TAGS_MAX = 0xffff;
/** rpm's HEADER_DATA_MAX (lib/header.c): largest data store, 256 MiB - 1. */
export const HEADER_DATA_MAX = 0x0fffffff;
/** rpm's HEADER_ARRAY_MAX (lib/header.c): most items in a non-BIN entry. */
export const HEADER_ARRAY_MAX = 0x000fffff;
/** rpm's headerMaxbytes (lib/header.c): 8 + 16·il + dl must stay below this. */
export const HEADER_MAX_BYTES = 256 * 1024 * 1024;
/** hdrblobVerifyLengths (lib/header.c): a signature header has at most 32 entries... */
export const SIGNATURE_TAGS_MAX = 32;
/** ...and at most 64 MiB of data. */
export const SIGNATURE_DATA_MAX = 64 * 1024 * 1024;

/** Size of one index entry and of a region trailer (struct entryInfo_s). */
const ENTRY_SIZE = 16;
/** Size of magic + il + dl. */
const INTRO_SIZE = 16;

/** Byte size of one item of each fixed-size type; -1 for strings (typeSizes, lib/header.c). */
const TYPE_SIZE: readonly number[] = [0, 1, 1, 2, 4, 8, -1, 1, -1, -1];
/** Required alignment of each type's data offset (typeAlign, lib/header.c). */
const TYPE_ALIGN: readonly number[] = [1, 1, 1, 2, 4, 8, 1, 1, 1, 1];

const utf8 = new TextDecoder('utf-8', { fatal: true });

/** One index entry with a view of its on-disk data (still big-endian). */
export interface HeaderEntry {
  /** Tag number (rpmtag.h). */
  readonly tag: number;
  /** Data type (RpmType). */
  readonly type: RpmTypeNumber;
  /** Offset of the data in the data store. */
  readonly offset: number;
  /** Number of items (bytes for BIN, strings for string types). */
  readonly count: number;
  /** The entry's data bytes exactly as stored (a view; do not modify). */
  readonly data: Uint8Array;
}

/** The immutable region of a header (docs/manual/format_header.md, "Immutable regions"). */
export interface HeaderRegion {
  /** Region tag: 62 (HEADERSIGNATURES) or 63 (HEADERIMMUTABLE), or 61 (legacy HEADERIMAGE). */
  readonly tag: number;
  /** Offset of the 16-byte trailer in the data store (always dl - 16 here). */
  readonly trailerOffset: number;
}

/** Options for {@link parseHeader}. */
export interface ParseHeaderOptions {
  /**
   * Region tag expected as the first entry. A number makes a region of that
   * tag mandatory; `'optional'` (default) verifies a region if entry 0 carries
   * a region tag (61–63); `'optional-signature'` is the same but for the
   * signature header (62, with rpm's fix-up accepting a 61 trailer).
   */
  readonly region?: number | 'optional' | 'optional-signature';
  /** `'signature'` applies rpm's signature-header limits (32 tags, 64 MiB). Default `'header'`. */
  readonly limits?: 'header' | 'signature';
  /** Allow bytes after the header (they are ignored and not part of `bytes`). Default false. */
  readonly allowTrailing?: boolean;
}

/**
 * A parsed header: entries in index order and typed accessors. Every accessor
 * throws {@link RpmError} `MISSING_TAG` if the tag is absent and
 * `WRONG_TAG_TYPE` if it is stored with another type.
 */
export class RpmHeader {
  /** The header's bytes exactly as in the input, magic included. */
  readonly bytes: Uint8Array;
  /** Non-region entries in index order (sorted by tag). */
  readonly entries: readonly HeaderEntry[];
  /** The region, if the header has one. */
  readonly region: HeaderRegion | undefined;
  readonly #byTag: Map<number, HeaderEntry>;

  /** @internal Use {@link parseHeader}. */
  constructor(bytes: Uint8Array, entries: readonly HeaderEntry[], region: HeaderRegion | undefined) {
    this.bytes = bytes;
    this.entries = entries;
    this.region = region;
    this.#byTag = new Map(entries.map((e) => [e.tag, e]));
  }

  /** Total size in bytes (16 + 16·il + dl). */
  get size(): number {
    return this.bytes.length;
  }

  /** Whether `tag` is present. */
  has(tag: number): boolean {
    return this.#byTag.has(tag);
  }

  /** The entry for `tag`, or undefined. */
  entry(tag: number): HeaderEntry | undefined {
    return this.#byTag.get(tag);
  }

  /** CHAR or INT8 items of `tag`, as unsigned numbers. */
  int8(tag: number): number[] {
    const e = this.#typed(tag, [RpmType.CHAR, RpmType.INT8]);
    return Array.from(e.data);
  }

  /** INT16 items of `tag`, as unsigned numbers. */
  int16(tag: number): number[] {
    const e = this.#typed(tag, [RpmType.INT16]);
    const out = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = u16(e.data, 2 * i);
    return out;
  }

  /** INT32 items of `tag`, as unsigned numbers. */
  int32(tag: number): number[] {
    const e = this.#typed(tag, [RpmType.INT32]);
    const out = new Array<number>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = u32(e.data, 4 * i);
    return out;
  }

  /** INT64 items of `tag`, as unsigned bigints. */
  int64(tag: number): bigint[] {
    const e = this.#typed(tag, [RpmType.INT64]);
    const view = new DataView(e.data.buffer, e.data.byteOffset, e.data.byteLength);
    const out = new Array<bigint>(e.count);
    for (let i = 0; i < e.count; i++) out[i] = view.getBigUint64(8 * i, false);
    return out;
  }

  /** The STRING value of `tag`. */
  string(tag: number): string {
    const e = this.#typed(tag, [RpmType.STRING]);
    return decodeStrings(e)[0]!;
  }

  /** The STRING_ARRAY items of `tag`. */
  stringArray(tag: number): string[] {
    return decodeStrings(this.#typed(tag, [RpmType.STRING_ARRAY]));
  }

  /**
   * The untranslated ("C" locale, first) value of an I18NSTRING `tag`; a plain
   * STRING is accepted too, as rpm does for string-class tags.
   */
  i18nString(tag: number): string {
    return decodeStrings(this.#typed(tag, [RpmType.I18NSTRING, RpmType.STRING]))[0]!;
  }

  /** A copy of the BIN data of `tag`. */
  bin(tag: number): Uint8Array {
    return this.#typed(tag, [RpmType.BIN]).data.slice();
  }

  #typed(tag: number, types: readonly number[]): HeaderEntry {
    const e = this.#byTag.get(tag);
    if (e === undefined) throw new RpmError('MISSING_TAG', `tag ${tag} is absent`);
    check(types.includes(e.type), 'WRONG_TAG_TYPE', `tag ${tag} has type ${e.type}, expected ${types.join(' or ')}`);
    return e;
  }
}

/** Splits string-typed data into `count` NUL-terminated UTF-8 strings (validated at parse). */
function decodeStrings(e: HeaderEntry): string[] {
  const out: string[] = [];
  let at = 0;
  for (let i = 0; i < e.count; i++) {
    const nul = e.data.indexOf(0, at);
    out.push(decodeUtf8(e.data.subarray(at, nul), e.tag));
    at = nul + 1;
  }
  return out;
}

function decodeUtf8(b: Uint8Array, tag: number): string {
  try {
    return utf8.decode(b);
  } catch (cause) {
    throw new RpmError('BAD_STRING', `tag ${tag}: string is not valid UTF-8`, { cause });
  }
}

/**
 * Length in bytes of an entry's data, bounded by the data store end
 * (dataLength/strtaglen, lib/header.c), or -1 if it does not fit.
 */
function dataLength(type: number, count: number, data: Uint8Array, start: number, end: number): number {
  if (type === RpmType.STRING && count !== 1) return -1;
  const size = TYPE_SIZE[type]!;
  if (size >= 0) {
    const len = size * count;
    return len > end - start ? -1 : len;
  }
  let at = start;
  for (let i = 0; i < count; i++) {
    if (at >= end) return -1;
    const nul = data.indexOf(0, at);
    if (nul < 0 || nul >= end) return -1;
    at = nul + 1;
  }
  return at - start;
}

/**
 * Parses one header structure starting at its 8-byte magic
 * (docs/manual/format_header.md), with rpm's limits and checks
 * (lib/header.c hdrblobInit / hdrblobVerifyRegion / hdrblobVerifyInfo):
 * il ≤ HEADER_TAGS_MAX (signature: 32), dl ≤ HEADER_DATA_MAX (signature: 64 MiB),
 * 8 + 16·il + dl < 256 MiB and within the input; a region tag, if present, of
 * type BIN and count 16 whose trailer ends the data store and covers every
 * entry (exact size, as rpm requires in package files); every other entry with
 * tag ≥ 100, type 1–9, 1 ≤ count ≤ dl (≤ HEADER_ARRAY_MAX unless BIN), data
 * aligned for its type, inside the store, after the previous entry's data,
 * clear of the trailer, strings NUL-terminated; tags strictly increasing.
 *
 * @throws RpmError on any violation; never allocates more than the input.
 * @example
 * const h = parseHeader(mainHeaderBytes, { region: RpmTag.HEADERIMMUTABLE });
 * h.string(RpmTag.NAME) // 'hello'
 */
export function parseHeader(bytes: Uint8Array, options: ParseHeaderOptions = {}): RpmHeader {
  check(bytes instanceof Uint8Array, 'INVALID_ARGUMENT', 'header must be a Uint8Array');
  check(bytes.length >= INTRO_SIZE, 'TRUNCATED', `header intro needs ${INTRO_SIZE} bytes, got ${bytes.length}`);
  for (let i = 0; i < HEADER_MAGIC.length; i++) {
    check(bytes[i] === HEADER_MAGIC[i], 'BAD_MAGIC', 'header magic is not 8e ad e8 01 00 00 00 00');
  }
  const il = u32(bytes, 8);
  const dl = u32(bytes, 12);
  const sig = options.limits === 'signature';
  const tagsMax = sig ? SIGNATURE_TAGS_MAX : HEADER_TAGS_MAX;
  const dataMax = sig ? SIGNATURE_DATA_MAX : HEADER_DATA_MAX;
  check(il <= tagsMax, 'LIMIT_EXCEEDED', `header has ${il} index entries, limit ${tagsMax}`);
  check(dl <= dataMax, 'LIMIT_EXCEEDED', `header data store is ${dl} bytes, limit ${dataMax}`);
  check(il >= 1, 'BAD_INDEX_ENTRY', 'header has no index entries');
  const size = INTRO_SIZE + il * ENTRY_SIZE + dl;
  check(size - 8 < HEADER_MAX_BYTES, 'LIMIT_EXCEEDED', `header is ${size} bytes, limit ${HEADER_MAX_BYTES}`);
  check(bytes.length >= size, 'TRUNCATED', `header announces ${size} bytes (il ${il}, dl ${dl}), input has ${bytes.length}`);
  check(options.allowTrailing === true || bytes.length === size, 'INVALID_ARGUMENT', `${bytes.length - size} bytes after the header`);

  const hdr = bytes.subarray(0, size);
  const dataStart = INTRO_SIZE + il * ENTRY_SIZE;
  const raw = (i: number) => {
    const at = INTRO_SIZE + i * ENTRY_SIZE;
    return { tag: u32(hdr, at), type: u32(hdr, at + 4), offset: i32(hdr, at + 8), count: u32(hdr, at + 12) };
  };

  const region = verifyRegion(hdr, il, dl, dataStart, raw(0), options.region ?? 'optional');
  const rdl = region ? region.trailerOffset + ENTRY_SIZE : 0;

  const entries: HeaderEntry[] = [];
  let end = 0;
  let prevTag = -1;
  for (let i = region ? 1 : 0; i < il; i++) {
    const e = raw(i);
    const where = `index entry ${i} (tag ${e.tag}, type ${e.type}, offset ${e.offset}, count ${e.count})`;
    const bad = (why: string) => new RpmError('BAD_INDEX_ENTRY', `${where}: ${why}`);
    if (e.tag < RpmTag.HEADERI18NTABLE) throw bad('tag below 100 (misplaced region tag?)');
    if (e.tag <= prevTag) throw bad('tags are not strictly increasing (unsorted or duplicate)');
    if (e.type < RpmType.CHAR || e.type > RpmType.I18NSTRING) throw bad('unknown type');
    if (e.count < 1 || e.count > dl) throw bad('count out of range');
    if (e.type !== RpmType.BIN && e.count > HEADER_ARRAY_MAX) throw bad(`more than ${HEADER_ARRAY_MAX} items`);
    if (e.offset < 0 || e.offset > dl) throw bad('offset outside the data store');
    if (e.offset % TYPE_ALIGN[e.type]! !== 0) throw bad('data is not aligned for its type');
    if (e.offset < end) throw bad('data overlaps the previous entry');
    const len = dataLength(e.type, e.count, hdr, dataStart + e.offset, dataStart + dl);
    if (len <= 0) throw bad(e.type >= RpmType.STRING && e.type !== RpmType.BIN ? 'string not NUL-terminated inside the data store' : 'data runs past the data store');
    if (region && e.offset + len > rdl - ENTRY_SIZE && e.offset < rdl) throw bad('data overlaps the region trailer');
    end = e.offset + len;
    prevTag = e.tag;
    entries.push({
      tag: e.tag,
      type: e.type as RpmTypeNumber,
      offset: e.offset,
      count: e.count,
      data: hdr.subarray(dataStart + e.offset, dataStart + end),
    });
  }
  return new RpmHeader(hdr, entries, region);
}

interface RawEntry {
  tag: number;
  type: number;
  offset: number;
  count: number;
}

/** hdrblobVerifyRegion (lib/header.c) with exact_size = 1. */
function verifyRegion(
  hdr: Uint8Array,
  il: number,
  dl: number,
  dataStart: number,
  first: RawEntry,
  want: number | 'optional' | 'optional-signature',
): HeaderRegion | undefined {
  const isRegionTag = first.tag >= RpmTag.HEADERIMAGE && first.tag < RpmTag.HEADERREGIONS;
  if (typeof want === 'number') {
    check(first.tag === want, 'BAD_REGION', `first index entry is tag ${first.tag}, expected region tag ${want}`);
  } else if (!isRegionTag) {
    return undefined;
  } else if (want === 'optional-signature') {
    check(first.tag === RpmTag.HEADERSIGNATURES, 'BAD_REGION', `signature header region tag is ${first.tag}, expected 62`);
  }
  const tag = first.tag;
  const bad = (why: string) => new RpmError('BAD_REGION', `region tag ${tag}: ${why}`);
  if (first.type !== RpmType.BIN || first.count !== ENTRY_SIZE) throw bad(`must be BIN with count 16, is type ${first.type} count ${first.count}`);
  if (first.offset < 0 || first.offset + ENTRY_SIZE > dl) throw bad(`trailer offset ${first.offset} outside the data store`);
  const t = dataStart + first.offset;
  let trailerTag = u32(hdr, t);
  // rpm fixes up old packages with HEADERIMAGE in the signature region trailer.
  if (tag === RpmTag.HEADERSIGNATURES && trailerTag === RpmTag.HEADERIMAGE) trailerTag = tag;
  const trailerType = u32(hdr, t + 4);
  const regionBytes = -i32(hdr, t + 8);
  const trailerCount = u32(hdr, t + 12);
  if (trailerTag !== tag || trailerType !== RpmType.BIN || trailerCount !== ENTRY_SIZE) {
    throw bad(`trailer is tag ${trailerTag} type ${trailerType} count ${trailerCount}`);
  }
  if (regionBytes % ENTRY_SIZE !== 0 || regionBytes / ENTRY_SIZE !== il) {
    throw bad(`trailer covers ${regionBytes / ENTRY_SIZE} entries, header has ${il}`);
  }
  if (first.offset + ENTRY_SIZE !== dl) throw bad(`trailer ends at ${first.offset + ENTRY_SIZE}, data store is ${dl} bytes`);
  return { tag, trailerOffset: first.offset };
}
