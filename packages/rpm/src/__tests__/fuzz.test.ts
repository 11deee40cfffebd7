/**
 * Fuzz-style robustness: thousands of mutated real packages and headers
 * (bit flips, truncations, corrupted counts/offsets/sizes, random splices,
 * random bytes). Every call must either succeed or throw RpmError, finish
 * fast, and never allocate more than a small multiple of its input.
 */
import { rmSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../../../test/helpers/tools.js';
import {
  addHeaderSignature,
  HEADER_MAGIC,
  packageInfo,
  parseHeader,
  readRpm,
  RpmError,
  RpmType,
  verifyDigests,
  type RpmHeader,
} from '../index.js';
import { buildRpm, readBytes, standardSpecs, tempDir } from './fixtures.js';

/** xorshift32: reproducible mutations. */
function rng(seed: number) {
  let s = seed >>> 0 || 1;
  const next = () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s;
  };
  return { next, below: (n: number) => next() % n };
}
type Rng = ReturnType<typeof rng>;

const INTERESTING = [0, 1, 2, 7, 8, 15, 16, 17, 31, 32, 33, 0xff, 0xffff, 0x10000, 0xfffff, 0x100000, 0x0fffffff, 0x10000000, 0x7fffffff, 0x80000000, 0xfffffff0, 0xffffffff];

/** One random mutation of `b`; `hot` is a region (intro + index) that gets extra attention. */
function mutate(r: Rng, b: Uint8Array, hot: [number, number]): Uint8Array {
  const out = b.slice();
  const pos = (inHot: boolean) => (inHot ? hot[0] + r.below(Math.max(1, hot[1] - hot[0])) : r.below(Math.max(1, out.length)));
  switch (r.below(6)) {
    case 0: {
      const flips = 1 + r.below(8);
      for (let i = 0; i < flips; i++) out[pos(r.below(2) === 0)]! ^= 1 << r.below(8);
      return out;
    }
    case 1:
      return out.subarray(0, r.below(out.length + 1));
    case 2:
    case 3: {
      // overwrite a 32-bit field of the intro/index (il, dl, tag, type, offset, count)
      const at = (hot[0] + 4 * r.below(Math.max(1, (hot[1] - hot[0]) >> 2))) & ~3;
      const v = r.below(3) === 0 ? r.next() : INTERESTING[r.below(INTERESTING.length)]!;
      new DataView(out.buffer).setUint32(Math.min(at, out.length - 4), v);
      return out;
    }
    case 4: {
      const at = pos(false);
      const n = Math.min(1 + r.below(64), out.length - at);
      for (let i = 0; i < n; i++) out[at + i] = r.below(256);
      return out;
    }
    default: {
      // splice: duplicate or drop a chunk
      const at = pos(r.below(2) === 0);
      const n = 1 + r.below(32);
      return r.below(2) === 0
        ? Buffer.concat([out.subarray(0, at), out.subarray(at, at + n), out.subarray(at)])
        : Buffer.concat([out.subarray(0, at), out.subarray(at + n)]);
    }
  }
}

/** Reads every entry through the accessor of its type. */
function touchAll(h: RpmHeader): void {
  for (const e of h.entries) {
    const read = {
      [RpmType.NULL]: () => undefined,
      [RpmType.CHAR]: () => h.int8(e.tag),
      [RpmType.INT8]: () => h.int8(e.tag),
      [RpmType.INT16]: () => h.int16(e.tag),
      [RpmType.INT32]: () => h.int32(e.tag),
      [RpmType.INT64]: () => h.int64(e.tag),
      [RpmType.STRING]: () => h.string(e.tag),
      [RpmType.BIN]: () => h.bin(e.tag),
      [RpmType.STRING_ARRAY]: () => h.stringArray(e.tag),
      [RpmType.I18NSTRING]: () => h.i18nString(e.tag),
    }[e.type];
    try {
      read();
    } catch (err) {
      if (!(err instanceof RpmError)) throw err;
    }
  }
}

interface Stats {
  runs: number;
  ok: number;
  codes: Map<string, number>;
  slowest: number;
  maxArrayBuffers: number;
}

/** Runs `f`, requiring success or RpmError, and records time and ArrayBuffer memory. */
function guarded(stats: Stats, input: Uint8Array, f: () => void): void {
  const t0 = performance.now();
  try {
    f();
    stats.ok++;
  } catch (e) {
    if (!(e instanceof RpmError)) {
      throw new Error(`non-RpmError on a ${input.length}-byte input: ${String(e)}\n${(e as Error).stack}`);
    }
    stats.codes.set(e.code, (stats.codes.get(e.code) ?? 0) + 1);
  }
  stats.runs++;
  stats.slowest = Math.max(stats.slowest, performance.now() - t0);
  stats.maxArrayBuffers = Math.max(stats.maxArrayBuffers, process.memoryUsage().arrayBuffers);
}

const newStats = (): Stats => ({ runs: 0, ok: 0, codes: new Map(), slowest: 0, maxArrayBuffers: 0 });

describe('fuzz: mutated packages and headers only ever throw RpmError', () => {
  let dir: string;
  let rpms: Uint8Array[];
  let sigPacket: Uint8Array;
  let baseline: number;

  beforeAll(() => {
    requireTools('rpmbuild', 'rpmkeys', 'gpg');
    dir = tempDir('fuzz');
    rpms = standardSpecs().map((s) => readBytes(buildRpm(dir, s)));
    // A structurally valid v4 EdDSA signature packet (the signature itself is not checked here).
    sigPacket = Uint8Array.of(0x88, 0x4a, 4, 0, 22, 8, 0, 6, 5, 2, 0, 0, 0, 0, 0, 0, 0x01, 0xff, ...[0x01, 0x00, ...new Array(32).fill(0x80)], ...[0x01, 0x00, ...new Array(32).fill(0x80)]);
    sigPacket[1] = sigPacket.length - 2;
    baseline = process.memoryUsage().arrayBuffers;
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('the synthetic signature packet is accepted when the package is intact', () => {
    const out = addHeaderSignature(rpms[0]!, sigPacket);
    expect(readRpm(out).signatureHeader.bin(267)).toEqual(sigPacket);
  });

  it('4000 mutated package files: readRpm, packageInfo, verifyDigests, addHeaderSignature', () => {
    const r = rng(0x5eed);
    const stats = newStats();
    for (let i = 0; i < 4000; i++) {
      const orig = rpms[i % rpms.length]!;
      const parsed = readRpm(orig);
      // aim at the signature header intro/index or the main header intro/index
      const hot: [number, number] =
        r.below(2) === 0
          ? [96, 96 + 16 + 16 * parsed.signatureHeader.entries.length + 16]
          : [parsed.mainHeaderOffset, parsed.mainHeaderOffset + 16 + 16 * (parsed.header.entries.length + 1)];
      const bytes = mutate(r, orig, hot);
      guarded(stats, bytes, () => {
        const rpm = readRpm(bytes);
        touchAll(rpm.signatureHeader);
        touchAll(rpm.header);
        packageInfo(rpm.header);
        verifyDigests(bytes, rpm);
      });
      guarded(stats, bytes, () => {
        const out = addHeaderSignature(bytes, sigPacket, { verifyDigests: false });
        const tail = Buffer.from(out.subarray(readRpm(out).mainHeaderOffset));
        if (!tail.equals(Buffer.from(bytes.subarray(readRpm(bytes).mainHeaderOffset)))) {
          throw new Error('addHeaderSignature changed the main header or payload');
        }
      });
    }
    expect(stats.runs).toBe(8000);
    expect(stats.ok).toBeGreaterThan(100); // payload-only mutations still sign
    expect(stats.slowest).toBeLessThan(250);
    expect(stats.maxArrayBuffers - baseline).toBeLessThan(64 * 1024 * 1024);
    // the mutations reached many distinct checks
    expect(stats.codes.size).toBeGreaterThanOrEqual(6);
  });

  it('4000 mutated main headers: parseHeader and every accessor', () => {
    const r = rng(0xc0ffee);
    const stats = newStats();
    const headers = rpms.map((b) => readRpm(b).mainHeader);
    for (let i = 0; i < 4000; i++) {
      const h = headers[i % headers.length]!;
      const il = new DataView(h.buffer, h.byteOffset).getUint32(8);
      const bytes = mutate(r, h, [8, 16 + 16 * il]);
      guarded(stats, bytes, () => {
        const parsed = parseHeader(bytes, { region: 'optional' });
        touchAll(parsed);
        packageInfo(parsed);
      });
    }
    expect(stats.slowest).toBeLessThan(250);
    expect(stats.maxArrayBuffers - baseline).toBeLessThan(64 * 1024 * 1024);
    expect(stats.codes.size).toBeGreaterThanOrEqual(5);
  });

  it('2000 random buffers, half with valid magics', () => {
    const r = rng(42);
    const stats = newStats();
    for (let i = 0; i < 2000; i++) {
      const bytes = new Uint8Array(r.below(600));
      for (let j = 0; j < bytes.length; j++) bytes[j] = r.below(256);
      if (i % 2 === 0 && bytes.length >= 16) {
        bytes.set(HEADER_MAGIC.subarray(0, Math.min(8, bytes.length)));
        bytes[8] = 0;
        bytes[9] = 0;
      }
      guarded(stats, bytes, () => touchAll(parseHeader(bytes, { allowTrailing: true })));
      const file = new Uint8Array([0xed, 0xab, 0xee, 0xdb, 3, 0, ...new Array(72).fill(0), 0, 5, ...new Array(16).fill(0), ...HEADER_MAGIC, ...bytes]);
      guarded(stats, file, () => packageInfo(readRpm(file).header));
      guarded(stats, bytes, () => addHeaderSignature(file, bytes));
    }
    expect(stats.slowest).toBeLessThan(250);
  });

  it('headers announcing the maximum sizes fail fast without allocating them', () => {
    const stats = newStats();
    for (const [il, dl] of [
      [0xffff, 0x0fffffff],
      [0xffff, 0],
      [1, 0x0fffffff],
      [0xffffffff, 0xffffffff],
    ] as const) {
      const b = new Uint8Array(64);
      b.set(HEADER_MAGIC);
      new DataView(b.buffer).setUint32(8, il);
      new DataView(b.buffer).setUint32(12, dl);
      guarded(stats, b, () => parseHeader(b));
    }
    expect(stats.ok).toBe(0);
    expect(stats.slowest).toBeLessThan(50);
  });
});
