/**
 * The tree hash's SHA-256 is injectable (a daemon installs OpenSSL's): a correct implementation
 * gives the same leaf hashes and roots as noble on the RFC 6962 reference tree, a wrong one is
 * refused before it is used; CompactRange.push is append without the root.
 */
import { readFileSync } from 'node:fs';
import { createHash } from 'node:crypto';
import { afterEach, describe, expect, it } from 'vitest';
import { CompactRange, leafHash, rootFromLeaves, setSha256 } from '../index.js';
import { code } from './helpers.js';

const ref = JSON.parse(readFileSync(new URL('./vectors/merkle-reference-tree.json', import.meta.url), 'utf8')) as { leafInputs: string[]; rootHashes: string[] };
const hex = (b: Uint8Array) => Buffer.from(b).toString('hex');
const leaves = ref.leafInputs.map((l) => leafHash(Buffer.from(l, 'hex')));

afterEach(() => setSha256(undefined));

describe('setSha256', () => {
  it('an OpenSSL SHA-256 reproduces the reference tree roots', () => {
    let calls = 0;
    setSha256((m) => {
      calls++;
      return new Uint8Array(createHash('sha256').update(m).digest());
    });
    calls = 0; // the known-answer probes ran at install
    const mine = ref.leafInputs.map((l) => leafHash(Buffer.from(l, 'hex')));
    expect(mine.map(hex)).toEqual(leaves.map(hex));
    ref.rootHashes.forEach((root, n) => expect(hex(rootFromLeaves(mine.slice(0, n)))).toBe(root));
    expect(calls).toBeGreaterThan(ref.leafInputs.length); // the installed implementation did the hashing
  });

  it('refuses an implementation that disagrees with a known answer, and keeps the current one', () => {
    const before = hex(leafHash(new Uint8Array([1, 2, 3])));
    expect(code(() => setSha256((m) => new Uint8Array(createHash('sha512').update(m).digest().subarray(0, 32))))).toBe('invalid-argument');
    expect(code(() => setSha256(() => new Uint8Array(31)))).toBe('invalid-argument');
    expect(hex(leafHash(new Uint8Array([1, 2, 3])))).toBe(before);
  });
});

describe('CompactRange.push', () => {
  it('leaves the same state and reports the same subtrees as append', () => {
    const a = new CompactRange();
    const b = new CompactRange();
    const seenA: string[] = [];
    const seenB: string[] = [];
    for (const l of leaves) {
      const root = a.append(l, (lvl, idx, h) => seenA.push(`${lvl}/${idx}/${hex(h)}`));
      b.push(l, (lvl, idx, h) => seenB.push(`${lvl}/${idx}/${hex(h)}`));
      expect(hex(b.root())).toBe(hex(root));
    }
    expect(seenB).toEqual(seenA);
    expect(hex(b.toBytes())).toBe(hex(a.toBytes()));
  });
});
