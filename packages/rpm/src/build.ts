/**
 * Serialises a header structure with an immutable region the way rpm's
 * headerReload() + headerExport() do for a freshly built header
 * (lib/header.c doExport, "legacy headers don't have regions originally,
 * create one"): the region entry first, then the entries sorted by tag, data
 * laid out in the same order with each item aligned for its type (relative to
 * the start of the data store), and the 16-byte region trailer last, unaligned.
 */
import { check } from './errors.js';
import { putU32 } from './bytes.js';
import { HEADER_MAGIC } from './header.js';
import { RpmTag, RpmType, type RpmTypeNumber } from './tags.js';

/** An entry to serialise; `data` holds the on-disk (big-endian) bytes. */
export interface HeaderEntryInput {
  /** Tag number, ≥ 100 (rpmtag.h). */
  readonly tag: number;
  /** Data type (RpmType). */
  readonly type: RpmTypeNumber;
  /** Item count as stored in the index entry. */
  readonly count: number;
  /** On-disk data bytes. */
  readonly data: Uint8Array;
}

const TYPE_ALIGN: readonly number[] = [1, 1, 1, 2, 4, 8, 1, 1, 1, 1];

/** Size in bytes that {@link buildHeader} would produce for these entries (magic included, no padding). */
export function builtHeaderSize(entries: readonly HeaderEntryInput[]): number {
  return 16 + 16 * (entries.length + 1) + layout(sorted(entries)).dl;
}

/**
 * Builds a header with region `regionTag` (62 for a signature header) over
 * `entries`. Tags must be distinct and ≥ 100. The caller is expected to
 * re-parse the result with {@link parseHeader} to validate contents.
 *
 * @example
 * buildHeader(RpmTag.HEADERSIGNATURES, [{ tag: 273, type: RpmType.STRING, count: 1, data: hexNul }])
 */
export function buildHeader(regionTag: number, entries: readonly HeaderEntryInput[]): Uint8Array {
  check(regionTag >= RpmTag.HEADERIMAGE && regionTag < RpmTag.HEADERREGIONS, 'INVALID_ARGUMENT', `${regionTag} is not a region tag`);
  const list = sorted(entries);
  for (let i = 0; i < list.length; i++) {
    check(list[i]!.tag >= RpmTag.HEADERI18NTABLE, 'INVALID_ARGUMENT', `tag ${list[i]!.tag} below 100`);
    check(i === 0 || list[i]!.tag !== list[i - 1]!.tag, 'INVALID_ARGUMENT', `duplicate tag ${list[i]!.tag}`);
  }
  const { offsets, dl } = layout(list);
  const il = list.length + 1;
  const dataStart = 16 + 16 * il;
  const out = new Uint8Array(dataStart + dl);
  out.set(HEADER_MAGIC, 0);
  putU32(out, 8, il);
  putU32(out, 12, dl);
  const trailerOffset = dl - 16;
  writeEntry(out, 16, regionTag, RpmType.BIN, trailerOffset, 16);
  list.forEach((e, i) => {
    writeEntry(out, 16 + 16 * (i + 1), e.tag, e.type, offsets[i]!, e.count);
    out.set(e.data, dataStart + offsets[i]!);
  });
  writeEntry(out, dataStart + trailerOffset, regionTag, RpmType.BIN, -(il * 16), 16);
  return out;
}

function sorted(entries: readonly HeaderEntryInput[]): HeaderEntryInput[] {
  return [...entries].sort((a, b) => a.tag - b.tag);
}

function layout(list: readonly HeaderEntryInput[]): { offsets: number[]; dl: number } {
  const offsets: number[] = [];
  let at = 0;
  for (const e of list) {
    const align = TYPE_ALIGN[e.type] ?? 1;
    at += (align - (at % align)) % align;
    offsets.push(at);
    at += e.data.length;
  }
  return { offsets, dl: at + 16 };
}

function writeEntry(out: Uint8Array, at: number, tag: number, type: number, offset: number, count: number): void {
  putU32(out, at, tag);
  putU32(out, at + 4, type);
  putU32(out, at + 8, offset);
  putU32(out, at + 12, count);
}
