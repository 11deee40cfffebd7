import { describe, expect, it } from 'vitest';
import {
  buildHeader,
  HEADER_MAGIC,
  parseHeader,
  readRpm,
  RpmError,
  RpmTag,
  RpmType,
  type HeaderEntryInput,
  type ParseHeaderOptions,
  type RpmErrorCode,
} from '../index.js';

function codeOf(f: () => unknown): RpmErrorCode | string {
  try {
    f();
  } catch (e) {
    return e instanceof RpmError ? e.code : `not an RpmError: ${String(e)}`;
  }
  return 'no error';
}

const enc = (s: string) => new TextEncoder().encode(s);
const be32 = (...v: number[]) => {
  const b = new Uint8Array(4 * v.length);
  v.forEach((x, i) => new DataView(b.buffer).setUint32(4 * i, x >>> 0));
  return b;
};

/** A header without a region: raw index entries [tag, type, offset, count] and a data store. */
function rawHeader(entries: [number, number, number, number][], data: Uint8Array, il = entries.length, dl = data.length): Uint8Array {
  const out = new Uint8Array(16 + 16 * entries.length + data.length);
  out.set(HEADER_MAGIC);
  out.set(be32(il, dl), 8);
  entries.forEach((e, i) => out.set(be32(...e), 16 + 16 * i));
  out.set(data, 16 + 16 * entries.length);
  return out;
}

const sample: HeaderEntryInput[] = [
  { tag: 1000, type: RpmType.STRING, count: 1, data: enc('hello\0') },
  { tag: 1004, type: RpmType.I18NSTRING, count: 2, data: enc('Summary\0Résumé\0') },
  { tag: 1030, type: RpmType.INT16, count: 2, data: Uint8Array.of(0x81, 0xa4, 0x41, 0xed) },
  { tag: 1028, type: RpmType.INT32, count: 2, data: be32(5, 0xfffffffe) },
  { tag: 1117, type: RpmType.STRING_ARRAY, count: 3, data: enc('a\0\0c\0') },
  { tag: 5008, type: RpmType.INT64, count: 1, data: Uint8Array.of(0, 0, 0, 1, 0, 0, 0, 2) },
  { tag: 1140, type: RpmType.INT8, count: 3, data: Uint8Array.of(1, 2, 255) },
  { tag: 5090, type: RpmType.BIN, count: 3, data: Uint8Array.of(9, 8, 7) },
];
const opts: ParseHeaderOptions = { region: RpmTag.HEADERIMMUTABLE };

describe('parseHeader', () => {
  it('reads every type through its typed accessor', () => {
    const h = parseHeader(buildHeader(RpmTag.HEADERIMMUTABLE, sample), opts);
    expect(h.region?.tag).toBe(63);
    expect(h.entries.map((e) => e.tag)).toEqual([...sample].map((e) => e.tag).sort((a, b) => a - b));
    expect(h.string(1000)).toBe('hello');
    expect(h.i18nString(1004)).toBe('Summary');
    expect(h.i18nString(1000)).toBe('hello');
    expect(h.int16(1030)).toEqual([0o100644, 0o40755]);
    expect(h.int32(1028)).toEqual([5, 0xfffffffe]);
    expect(h.stringArray(1117)).toEqual(['a', '', 'c']);
    expect(h.int64(5008)).toEqual([(1n << 32n) + 2n]);
    expect(h.int8(1140)).toEqual([1, 2, 255]);
    expect(h.bin(5090)).toEqual(Uint8Array.of(9, 8, 7));
    // data offsets are aligned for their type
    for (const e of h.entries) expect(e.offset % ({ 3: 2, 4: 4, 5: 8 }[e.type as number] ?? 1)).toBe(0);
  });

  it('reports a missing tag and a type mismatch with codes', () => {
    const h = parseHeader(buildHeader(RpmTag.HEADERIMMUTABLE, sample), opts);
    expect(codeOf(() => h.string(4242))).toBe('MISSING_TAG');
    expect(codeOf(() => h.int32(1000))).toBe('WRONG_TAG_TYPE');
    expect(codeOf(() => h.string(1117))).toBe('WRONG_TAG_TYPE');
    expect(codeOf(() => h.int64(1028))).toBe('WRONG_TAG_TYPE');
  });

  it('refuses a bad magic and a truncated intro', () => {
    const good = buildHeader(RpmTag.HEADERIMMUTABLE, sample);
    const bad = good.slice();
    bad[3] = 2;
    expect(codeOf(() => parseHeader(bad))).toBe('BAD_MAGIC');
    expect(codeOf(() => parseHeader(good.subarray(0, 15)))).toBe('TRUNCATED');
    expect(codeOf(() => parseHeader(good.subarray(0, good.length - 1), opts))).toBe('TRUNCATED');
    expect(codeOf(() => parseHeader('x' as never))).toBe('INVALID_ARGUMENT');
  });

  it('refuses an index count above HEADER_TAGS_MAX and a data size above HEADER_DATA_MAX, before allocating', () => {
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 0x10000, 0)))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 0xffffffff, 0)))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 1, 0x10000000)))).toBe('LIMIT_EXCEEDED');
    // within the limits but larger than the input: truncated, nothing allocated
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 0xffff, 0x0fffffff)))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 0xffff, 0x0f000000)))).toBe('TRUNCATED');
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 0, 0)))).toBe('BAD_INDEX_ENTRY');
  });

  it('applies the signature-header limits (32 tags, 64 MiB) when asked', () => {
    const many = Array.from({ length: 33 }, (_, i): [number, number, number, number] => [300 + i, RpmType.BIN, i, 1]);
    const h = rawHeader(many, new Uint8Array(33));
    expect(codeOf(() => parseHeader(h))).toBe('no error');
    expect(codeOf(() => parseHeader(h, { limits: 'signature' }))).toBe('LIMIT_EXCEEDED');
    expect(codeOf(() => parseHeader(rawHeader([], new Uint8Array(0), 1, 64 * 1024 * 1024 + 1), { limits: 'signature' }))).toBe('LIMIT_EXCEEDED');
  });

  it('refuses a data offset past the end of the store', () => {
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.BIN, 5, 1]], new Uint8Array(4))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.BIN, -4, 1]], new Uint8Array(4))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.BIN, 2, 3]], new Uint8Array(4))))).toBe('BAD_INDEX_ENTRY');
  });

  it('refuses overlapping data', () => {
    const data = enc('ab\0cd\0');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 6, 0, 1], [1001, 6, 3, 1]], data)))).toBe('no error');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 6, 0, 1], [1001, 6, 1, 1]], data)))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 6, 3, 1], [1001, 6, 0, 1]], data)))).toBe('BAD_INDEX_ENTRY');
  });

  it('refuses unaligned integer data', () => {
    expect(codeOf(() => parseHeader(rawHeader([[1028, RpmType.INT32, 2, 1]], new Uint8Array(8))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1030, RpmType.INT16, 1, 1]], new Uint8Array(8))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[5008, RpmType.INT64, 4, 1]], new Uint8Array(16))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[5008, RpmType.INT64, 8, 1]], new Uint8Array(16))))).toBe('no error');
  });

  it('refuses unterminated strings and string counts the store cannot hold', () => {
    expect(codeOf(() => parseHeader(rawHeader([[1000, 6, 0, 1]], enc('abc'))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 8, 0, 3]], enc('a\0b\0c'))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 6, 0, 2]], enc('a\0b\0'))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 8, 0, 0x000fffff]], enc('a\0b\0'))))).toBe('BAD_INDEX_ENTRY');
  });

  it('refuses counts that overflow the store or the array limit', () => {
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.INT64, 0, 0xffffffff]], new Uint8Array(8))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.INT32, 0, 0x40000001]], new Uint8Array(8))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.INT32, 0, 3]], new Uint8Array(8))))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.INT32, 0, 0]], new Uint8Array(8))))).toBe('BAD_INDEX_ENTRY');
    const big = new Uint8Array(0x100000);
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.INT8, 0, 0x100000]], big)))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, RpmType.BIN, 0, 0x100000]], big)))).toBe('no error');
  });

  it('refuses unknown types, tags below 100, and unsorted or duplicate tags', () => {
    const d = new Uint8Array(8);
    expect(codeOf(() => parseHeader(rawHeader([[1000, 0, 0, 1]], d)))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 10, 0, 1]], d)))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[99, 7, 0, 1]], d)))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1001, 7, 0, 1], [1000, 7, 1, 1]], d)))).toBe('BAD_INDEX_ENTRY');
    expect(codeOf(() => parseHeader(rawHeader([[1000, 7, 0, 1], [1000, 7, 1, 1]], d)))).toBe('BAD_INDEX_ENTRY');
  });

  it('refuses a malformed region tag or trailer', () => {
    const good = buildHeader(RpmTag.HEADERIMMUTABLE, sample);
    const il = sample.length + 1;
    const dataStart = 16 + 16 * il;
    const dl = good.length - dataStart;
    const patch = (at: number, v: number) => {
      const b = good.slice();
      b.set(be32(v), at);
      return b;
    };
    expect(codeOf(() => parseHeader(good, { region: RpmTag.HEADERSIGNATURES }))).toBe('BAD_REGION');
    expect(codeOf(() => parseHeader(patch(16 + 4, RpmType.INT32), opts))).toBe('BAD_REGION'); // region type
    expect(codeOf(() => parseHeader(patch(16 + 12, 15), opts))).toBe('BAD_REGION'); // region count
    expect(codeOf(() => parseHeader(patch(16 + 8, dl - 15), opts))).toBe('BAD_REGION'); // trailer past end
    expect(codeOf(() => parseHeader(patch(16 + 8, 0), opts))).toBe('BAD_REGION'); // trailer not at end
    expect(codeOf(() => parseHeader(patch(dataStart + dl - 16, 62), opts))).toBe('BAD_REGION'); // trailer tag
    expect(codeOf(() => parseHeader(patch(dataStart + dl - 8, -(il - 1) * 16), opts))).toBe('BAD_REGION'); // covers fewer entries
    expect(codeOf(() => parseHeader(patch(dataStart + dl - 8, -(il * 16) + 1), opts))).toBe('BAD_REGION'); // not a multiple of 16
    // a header whose entry 0 is not a region is fine when the region is optional, refused when required
    const plain = rawHeader([[1000, 7, 0, 1]], new Uint8Array(1));
    expect(codeOf(() => parseHeader(plain))).toBe('no error');
    expect(codeOf(() => parseHeader(plain, opts))).toBe('BAD_REGION');
  });

  it('refuses data that overlaps the region trailer', () => {
    const good = buildHeader(RpmTag.HEADERIMMUTABLE, [{ tag: 5090, type: RpmType.BIN, count: 4, data: new Uint8Array(4) }]);
    const b = good.slice();
    b.set(be32(20), 16 + 16 + 12); // count 4 → 20: runs into the trailer
    expect(codeOf(() => parseHeader(b, opts))).toBe('BAD_INDEX_ENTRY');
  });

  it('refuses bytes after the header unless allowed', () => {
    const good = buildHeader(RpmTag.HEADERIMMUTABLE, sample);
    const longer = new Uint8Array([...good, 1, 2, 3]);
    expect(codeOf(() => parseHeader(longer, opts))).toBe('INVALID_ARGUMENT');
    expect(parseHeader(longer, { ...opts, allowTrailing: true }).bytes).toEqual(good);
  });

  it('refuses a string that is not UTF-8 when it is read, with BAD_STRING', () => {
    const h = parseHeader(rawHeader([[1000, 6, 0, 1]], Uint8Array.of(0xff, 0xfe, 0)));
    expect(codeOf(() => h.string(1000))).toBe('BAD_STRING');
  });
});

describe('readRpm lead checks', () => {
  const lead = () => {
    const b = new Uint8Array(96);
    b.set([0xed, 0xab, 0xee, 0xdb, 3, 0]);
    b[79] = 5;
    return b;
  };
  it('refuses a wrong lead magic, version or signature type, and a short file', () => {
    const sig = buildHeader(RpmTag.HEADERSIGNATURES, [{ tag: 273, type: RpmType.STRING, count: 1, data: enc('00\0') }]);
    const main = buildHeader(RpmTag.HEADERIMMUTABLE, sample);
    const pad = new Uint8Array((8 - (sig.length % 8)) % 8);
    const file = (l: Uint8Array) => new Uint8Array([...l, ...sig, ...pad, ...main]);
    expect(readRpm(file(lead())).mainHeader).toEqual(main);
    const badMagic = lead();
    badMagic[0] = 0;
    expect(codeOf(() => readRpm(file(badMagic)))).toBe('BAD_MAGIC');
    const v2 = lead();
    v2[4] = 2;
    expect(codeOf(() => readRpm(file(v2)))).toBe('BAD_LEAD');
    const sigType = lead();
    sigType[79] = 1;
    expect(codeOf(() => readRpm(file(sigType)))).toBe('BAD_LEAD');
    expect(codeOf(() => readRpm(lead().subarray(0, 50)))).toBe('TRUNCATED');
    expect(codeOf(() => readRpm(lead()))).toBe('TRUNCATED');
    if (pad.length > 0) {
      const f = file(lead());
      f[96 + sig.length] = 1;
      expect(codeOf(() => readRpm(f))).toBe('BAD_PADDING');
    }
    // a main header without the immutable region (v3 package) is refused
    const v3main = rawHeader([[1000, 6, 0, 1]], enc('x\0'));
    expect(codeOf(() => readRpm(new Uint8Array([...lead(), ...sig, ...pad, ...v3main])))).toBe('BAD_REGION');
  });
});
