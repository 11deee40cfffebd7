import { readFileSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { describe, expect, it } from 'vitest';
import {
  CompactRange,
  EMPTY_ROOT,
  type HashReader,
  MemoryTree,
  consistencyProof,
  inclusionProof,
  leafHash,
  nodeHash,
  rootFromLeaves,
  verifyConsistency,
  verifyInclusion,
} from '../index.js';
import { code } from './helpers.js';

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');
const unhex = (s: string): Uint8Array => new Uint8Array(Buffer.from(s, 'hex'));
const ref = JSON.parse(readFileSync(new URL('./vectors/merkle-reference-tree.json', import.meta.url), 'utf8')) as {
  leafInputs: string[];
  rootHashes: string[];
  nodeHashes: string[][];
};
const refLeaves = ref.leafInputs.map(unhex);

// An independent, literal transcription of RFC 6962 §2.1 / §2.1.1 / §2.1.2 over arrays.
const H = (...parts: number[][]): Uint8Array => sha256(Uint8Array.from(parts.flat()));
const k = (n: number): number => 2 ** Math.ceil(Math.log2(n) - 1);
const MTH = (D: Uint8Array[]): Uint8Array =>
  D.length === 0 ? sha256(new Uint8Array()) : D.length === 1 ? H([0], [...D[0]!]) : H([1], [...MTH(D.slice(0, k(D.length)))], [...MTH(D.slice(k(D.length)))]);
const PATH = (m: number, D: Uint8Array[]): Uint8Array[] => {
  if (D.length <= 1) return [];
  const kk = k(D.length);
  return m < kk ? [...PATH(m, D.slice(0, kk)), MTH(D.slice(kk))] : [...PATH(m - kk, D.slice(kk)), MTH(D.slice(0, kk))];
};
const SUBPROOF = (m: number, D: Uint8Array[], b: boolean): Uint8Array[] => {
  if (m === D.length) return b ? [] : [MTH(D)];
  const kk = k(D.length);
  return m <= kk ? [...SUBPROOF(m, D.slice(0, kk), b), MTH(D.slice(kk))] : [...SUBPROOF(m - kk, D.slice(kk), false), MTH(D.slice(0, kk))];
};

/** The left/right sequence the RFC 9162 §2.1.3.2 verifier follows for (index, size). */
function inclusionShape(index: number, size: number): string {
  let fn = index;
  let sn = size - 1;
  let out = '';
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      out += 'L';
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else out += 'R';
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return out;
}

/** The operation sequence the RFC 9162 §2.1.4.2 verifier follows for (m, n). */
function consistencyShape(m: number, n: number): string {
  let fn = m - 1;
  let sn = n - 1;
  while (fn % 2 === 1) [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  let out = (m & (m - 1)) === 0 ? 'P' : '';
  while (sn > 0) {
    if (fn % 2 === 1 || fn === sn) {
      out += 'B';
      while (fn % 2 === 0 && fn !== 0) [fn, sn] = [fn / 2, Math.floor(sn / 2)];
    } else out += 'S';
    [fn, sn] = [Math.floor(fn / 2), Math.floor(sn / 2)];
  }
  return out;
}


function flip(b: Uint8Array, bit: number): Uint8Array {
  const c = b.slice();
  c[bit >> 3]! ^= 1 << (bit & 7);
  return c;
}

/** Deterministic PRNG (xorshift32) so failures reproduce. */
function rng(seed: number): () => number {
  let s = seed >>> 0 || 1;
  return () => {
    s ^= s << 13;
    s >>>= 0;
    s ^= s >>> 17;
    s ^= s << 5;
    s >>>= 0;
    return s / 2 ** 32;
  };
}

describe('RFC 6962 hashing', () => {
  it('matches transparency-dev/merkle rfc6962_test.go hasher vectors', () => {
    expect(hex(EMPTY_ROOT)).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex(leafHash(new Uint8Array()))).toBe('6e340b9cffb37a989ca544e6bb780a2c78901d3fb33738768511a30617afa01d');
    expect(hex(leafHash(new TextEncoder().encode('L123456')))).toBe('395aa064aa4c29f7010acfe3f25db9485bbd4b91897b6ad7ad547639252b4d56');
  });

  it('matches the reference tree roots for sizes 0..8 (rootFromLeaves, CompactRange, literal RFC recursion)', () => {
    const state = new CompactRange();
    expect(hex(state.root())).toBe(ref.rootHashes[0]);
    for (let n = 0; n <= 8; n++) {
      const leaves = refLeaves.slice(0, n).map(leafHash);
      expect(hex(rootFromLeaves(leaves))).toBe(ref.rootHashes[n]);
      expect(hex(MTH(refLeaves.slice(0, n)))).toBe(ref.rootHashes[n]);
      if (n > 0) expect(hex(state.append(leaves[n - 1]!))).toBe(ref.rootHashes[n]);
    }
  });

  it('reports every perfect subtree of the reference tree to the visitor', () => {
    const state = new CompactRange();
    const seen: string[][] = [];
    for (const l of refLeaves) state.append(leafHash(l), (level, index, h) => ((seen[level] ??= [])[index] = hex(h)));
    expect(seen).toEqual(ref.nodeHashes);
  });

  it('hand-computes the size-3 tree: root = H(1 || H(1||a||b) || c)', () => {
    const [a, b, c] = refLeaves.slice(0, 3).map(leafHash) as [Uint8Array, Uint8Array, Uint8Array];
    expect(hex(nodeHash(nodeHash(a, b), c))).toBe(ref.rootHashes[3]);
  });

  it('refuses non-32-byte children and non-byte leaves', () => {
    expect(code(() => nodeHash(new Uint8Array(31), new Uint8Array(32)))).toBe('invalid-argument');
    expect(code(() => leafHash('x' as unknown as Uint8Array))).toBe('invalid-argument');
    expect(code(() => rootFromLeaves([new Uint8Array(3)]))).toBe('invalid-argument');
  });
});

describe('proof generation over a HashReader', () => {
  it('equals the literal RFC 9162 PATH and PROOF for every index/size pair up to 8 (hand-checkable trees)', async () => {
    const t = new MemoryTree();
    refLeaves.forEach((l) => t.appendEntry(l));
    for (let n = 1; n <= 8; n++) {
      const D = refLeaves.slice(0, n);
      const root = unhex(ref.rootHashes[n]!);
      for (let m = 0; m < n; m++) {
        const p = await inclusionProof(t, m, n);
        expect(p.map(hex)).toEqual(PATH(m, D).map(hex));
        verifyInclusion(leafHash(D[m]!), m, n, p, root);
      }
      for (let m = 1; m <= n; m++) {
        const p = await consistencyProof(t, m, n);
        expect(p.map(hex)).toEqual((m === n ? [] : SUBPROOF(m, D, true)).map(hex));
        verifyConsistency(m, n, unhex(ref.rootHashes[m]!), root, p);
      }
    }
  });

  it('works without a subtree cache, with async readers', async () => {
    const leaves = refLeaves.map(leafHash);
    const reader: HashReader = { leafHash: async (i) => leaves[i]! };
    expect((await inclusionProof(reader, 5, 8)).map(hex)).toEqual(PATH(5, refLeaves).map(hex));
    expect((await consistencyProof(reader, 3, 7)).map(hex)).toEqual(SUBPROOF(3, refLeaves.slice(0, 7), true).map(hex));
  });

  it('wraps reader failures and refuses bad hashes from the reader', async () => {
    const failing: HashReader = { leafHash: () => { throw new Error('disk on fire'); } };
    await expect(inclusionProof(failing, 0, 2)).rejects.toMatchObject({ code: 'reader-failed' });
    const short: HashReader = { leafHash: () => new Uint8Array(31) };
    await expect(inclusionProof(short, 0, 2)).rejects.toMatchObject({ code: 'reader-failed' });
  });

  it('refuses out-of-range and malformed arguments', async () => {
    const t = new MemoryTree();
    await expect(inclusionProof(t, 0, 0)).rejects.toMatchObject({ code: 'index-out-of-range' });
    await expect(inclusionProof(t, 1.5, 4)).rejects.toMatchObject({ code: 'invalid-argument' });
    await expect(consistencyProof(t, 0, 4)).rejects.toMatchObject({ code: 'empty-tree' });
    await expect(consistencyProof(t, 5, 4)).rejects.toMatchObject({ code: 'size-order' });
    expect(await consistencyProof(t, 4, 4)).toEqual([]);
  });

  it('reads O(log n) hashes per proof in a 100 000-leaf tree when subtrees are cached', async () => {
    const t = new MemoryTree();
    const n = 100_000;
    const buf = new Uint8Array(4);
    for (let i = 0; i < n; i++) {
      new DataView(buf.buffer).setUint32(0, i);
      t.appendEntry(buf);
    }
    let reads = 0;
    const counting: HashReader = {
      leafHash: (i) => (reads++, t.leafHash(i)),
      perfectSubtreeHash: (l, i) => (reads++, t.perfectSubtreeHash(l, i)),
    };
    const root = t.root();
    const random = rng(7);
    let maxReads = 0;
    for (let trial = 0; trial < 50; trial++) {
      const size = 1 + Math.floor(random() * n);
      const index = Math.floor(random() * size);
      reads = 0;
      const p = await inclusionProof(counting, index, size);
      maxReads = Math.max(maxReads, reads);
      const m = 1 + Math.floor(random() * size);
      reads = 0;
      await consistencyProof(counting, m, size);
      maxReads = Math.max(maxReads, reads);
      if (size === n) verifyInclusion(t.leafHash(index), index, n, p, root);
    }
    // log2(1e5) ≈ 17; a proof has ≤ 2·17 nodes, each one cache hit or a border of ≤ 17 subtrees.
    expect(maxReads).toBeLessThanOrEqual(2 * 17 + 17 * 2);
    expect(maxReads).toBeGreaterThan(0);
    const p = await inclusionProof(t, 12345, n);
    verifyInclusion(t.leafHash(12345), 12345, n, p, root);
  });
});

describe('randomised cross-checks', () => {
  const random = rng(42);
  const leaves: Uint8Array[] = [];
  const t = new MemoryTree();
  for (let i = 0; i < 300; i++) {
    const e = new Uint8Array(1 + (i % 5)).fill(i & 0xff);
    leaves.push(leafHash(e));
    t.append(leaves[i]!);
  }
  const rootAt = (n: number): Uint8Array => rootFromLeaves(leaves.slice(0, n));

  it('inclusion proofs for random sizes verify; any one-bit change to leaf, proof node, index or root is rejected, a changed size unless the path is identical', async () => {
    for (let trial = 0; trial < 60; trial++) {
      const size = 1 + Math.floor(random() * 300);
      const index = Math.floor(random() * size);
      const root = rootAt(size);
      const leaf = leaves[index]!;
      const proof = await inclusionProof(t, index, size);
      verifyInclusion(leaf, index, size, proof, root);
      const bit = Math.floor(random() * 256);
      expect(code(() => verifyInclusion(flip(leaf, bit), index, size, proof, root))).toBeDefined();
      expect(code(() => verifyInclusion(leaf, index, size, proof, flip(root, bit)))).toBeDefined();
      proof.forEach((_, j) => {
        const bad = proof.slice();
        bad[j] = flip(bad[j]!, bit);
        expect(code(() => verifyInclusion(leaf, index, size, bad, root))).toBeDefined();
      });
      for (let b = 0; b < 10; b++) {
        const i2 = index ^ (1 << b);
        if (i2 !== index) expect(code(() => verifyInclusion(leaf, i2, size, proof, root))).toBeDefined();
        // RFC 9162 inclusion proofs do not bind the tree size (the signed checkpoint does):
        // a changed size is accepted only when the verifier walks exactly the same path.
        const s2 = size ^ (1 << b);
        if (s2 !== size && code(() => verifyInclusion(leaf, index, s2, proof, root)) === undefined) {
          expect(inclusionShape(index, s2)).toBe(inclusionShape(index, size));
        }
      }
      expect(code(() => verifyInclusion(leaf, index, size, [...proof, leaf], root))).toBe('proof-size');
      if (proof.length > 0) expect(code(() => verifyInclusion(leaf, index, size, proof.slice(1), root))).toBe('proof-size');
    }
  });

  it('consistency proofs for random sizes verify; any one-bit change to a root, proof node or first size is rejected', async () => {
    for (let trial = 0; trial < 60; trial++) {
      const n = 1 + Math.floor(random() * 300);
      const m = 1 + Math.floor(random() * n);
      const r1 = rootAt(m);
      const r2 = rootAt(n);
      const proof = await consistencyProof(t, m, n);
      verifyConsistency(m, n, r1, r2, proof);
      const bit = Math.floor(random() * 256);
      expect(code(() => verifyConsistency(m, n, flip(r1, bit), r2, proof))).toBeDefined();
      expect(code(() => verifyConsistency(m, n, r1, flip(r2, bit), proof))).toBeDefined();
      proof.forEach((_, j) => {
        const bad = proof.slice();
        bad[j] = flip(bad[j]!, bit);
        expect(code(() => verifyConsistency(m, n, r1, r2, bad))).toBeDefined();
      });
      for (let b = 0; b < 10; b++) {
        const m2 = m ^ (1 << b);
        if (m2 !== m && m2 <= n) expect(code(() => verifyConsistency(m2, n, r1, r2, proof))).toBeDefined();
        // As above, the second size is only bound through the path shape it implies.
        const n2 = n ^ (1 << b);
        if (n2 !== n && n2 >= m && code(() => verifyConsistency(m, n2, r1, r2, proof)) === undefined) {
          expect(consistencyShape(m, n2)).toBe(consistencyShape(m, n));
        }
      }
    }
  });
});

describe('CompactRange persistence', () => {
  it('round-trips through bytes and JSON at every size up to 70 and keeps appending identically', () => {
    const s = new CompactRange();
    for (let i = 0; i < 70; i++) {
      const fromBytes = CompactRange.fromBytes(s.toBytes());
      const fromJson = CompactRange.fromJSON(JSON.parse(JSON.stringify(s)));
      expect(hex(fromBytes.root())).toBe(hex(s.root()));
      expect(fromJson.size).toBe(s.size);
      const l = leafHash(Uint8Array.of(i));
      const r = s.append(l);
      expect(hex(fromBytes.append(l))).toBe(hex(r));
      expect(hex(fromJson.append(l))).toBe(hex(r));
    }
  });

  it('refuses malformed state', () => {
    const s = new CompactRange();
    for (let i = 0; i < 5; i++) s.append(leafHash(Uint8Array.of(i)));
    const bytes = s.toBytes();
    expect(code(() => CompactRange.fromBytes(bytes.slice(0, -1)))).toBe('malformed-state');
    expect(code(() => CompactRange.fromBytes(Uint8Array.from([...bytes, 0])))).toBe('malformed-state');
    const wrongSize = bytes.slice();
    wrongSize[9] = 7; // size 7 has 3 perfect subtrees, the state holds 2

    expect(code(() => CompactRange.fromBytes(wrongSize))).toBe('malformed-state');
    const badMagic = bytes.slice();
    badMagic[0] = 0;
    expect(code(() => CompactRange.fromBytes(badMagic))).toBe('malformed-state');
    expect(code(() => CompactRange.fromJSON({ size: 5, hashes: ['AAAA'] }))).toBe('malformed-state');
    expect(code(() => CompactRange.fromJSON({ size: -1, hashes: [] }))).toBe('malformed-state');
    expect(code(() => CompactRange.fromJSON(null))).toBe('malformed-state');
    expect(code(() => s.append(new Uint8Array(31)))).toBe('invalid-argument');
  });
});
