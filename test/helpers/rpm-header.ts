/**
 * Synthetic but valid RPM main headers (region 63), built with @qsign/rpm's
 * own header writer: many distinct packages for load tests without running
 * rpmbuild hundreds of times. Nodes parse them like any real header.
 */
import { createHash } from 'node:crypto';
import { buildHeader, packageInfo, RpmTag, RpmType, type HeaderEntryInput } from '@qsign/rpm';

const enc = new TextEncoder();
const str = (tag: number, s: string): HeaderEntryInput => ({ tag, type: RpmType.STRING, count: 1, data: enc.encode(s + '\0') });
const strs = (tag: number, xs: string[]): HeaderEntryInput => ({ tag, type: RpmType.STRING_ARRAY, count: xs.length, data: enc.encode(xs.map((x) => x + '\0').join('')) });
const i32 = (tag: number, xs: number[]): HeaderEntryInput => {
  const b = new Uint8Array(4 * xs.length);
  const v = new DataView(b.buffer);
  xs.forEach((x, i) => v.setInt32(4 * i, x));
  return { tag, type: RpmType.INT32, count: xs.length, data: b };
};
const i16 = (tag: number, xs: number[]): HeaderEntryInput => {
  const b = new Uint8Array(2 * xs.length);
  const v = new DataView(b.buffer);
  xs.forEach((x, i) => v.setUint16(2 * i, x));
  return { tag, type: RpmType.INT16, count: xs.length, data: b };
};
const sha256hex = (s: string) => createHash('sha256').update(s).digest('hex');

/** The main header of package `name`-`version`-1.noarch with `files` files. */
export function syntheticRpmHeader(name: string, version: string, files = 3): Uint8Array {
  const base = Array.from({ length: files }, (_, i) => `file-${i}.txt`);
  const header = buildHeader(RpmTag.HEADERIMMUTABLE, [
    str(RpmTag.NAME, name),
    str(RpmTag.VERSION, version),
    str(RpmTag.RELEASE, '1'),
    str(RpmTag.ARCH, 'noarch'),
    str(RpmTag.BUILDHOST, 'builder.example.org'),
    i32(RpmTag.BUILDTIME, [1_760_000_000]),
    str(RpmTag.SOURCERPM, `${name}-${version}-1.src.rpm`),
    strs(RpmTag.PAYLOADDIGEST, [sha256hex(`${name}-${version} payload`)]),
    i32(RpmTag.PAYLOADDIGESTALGO, [8]),
    i32(RpmTag.FILEDIGESTALGO, [8]),
    strs(RpmTag.BASENAMES, base),
    strs(RpmTag.DIRNAMES, [`/usr/share/${name}/`]),
    i32(RpmTag.DIRINDEXES, base.map(() => 0)),
    i32(RpmTag.FILESIZES, base.map((_, i) => 100 + i)),
    i16(RpmTag.FILEMODES, base.map(() => 0o100644)),
    strs(RpmTag.FILEDIGESTS, base.map((b) => sha256hex(`${name}/${b}`))),
  ]);
  packageInfo(header); // must parse as the nodes will
  return header;
}

/**
 * The hostile header of issue 9 finding 4: about 31 KB, one dirname of
 * `dirLength` characters shared by `files` files (every path is long), no
 * file digests — it once gave a 15 MB audit record.
 */
export function hostileRpmHeader(opts: { dirLength?: number; files?: number } = {}): Uint8Array {
  const files = opts.files ?? 1000;
  const base = Array.from({ length: files }, (_, i) => `f${i}`);
  const header = buildHeader(RpmTag.HEADERIMMUTABLE, [
    str(RpmTag.NAME, 'hostile'),
    str(RpmTag.VERSION, '1'),
    str(RpmTag.RELEASE, '1'),
    str(RpmTag.ARCH, 'noarch'),
    str(RpmTag.BUILDHOST, 'builder.example.org'),
    i32(RpmTag.BUILDTIME, [1_760_000_000]),
    i32(RpmTag.FILEDIGESTALGO, [8]),
    strs(RpmTag.BASENAMES, base),
    strs(RpmTag.DIRNAMES, [`/${'d'.repeat((opts.dirLength ?? 15_000) - 2)}/`]),
    i32(RpmTag.DIRINDEXES, base.map(() => 0)),
    i32(RpmTag.FILESIZES, base.map(() => 1)),
    i16(RpmTag.FILEMODES, base.map(() => 0o100644)),
    strs(RpmTag.FILEDIGESTS, base.map(() => '')),
  ]);
  packageInfo(header); // must parse as the nodes will
  return header;
}
