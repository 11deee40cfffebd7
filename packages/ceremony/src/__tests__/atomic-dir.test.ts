/**
 * The ceremony output writer: all or nothing, never over existing output,
 * nothing left behind when a write fails half way.
 */
import { describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { QsignError } from '@qsign/protocol';
import { writeDirAtomic, writeFileAtomic } from '../atomic-dir.js';
import { splitKey, writeSplit } from '../ceremony.js';

const scratch = (): string => mkdtempSync(join(tmpdir(), 'qsign-atomic-'));
const codeOf = (f: () => unknown): string => {
  try {
    f();
    return 'no error';
  } catch (e) {
    return e instanceof QsignError ? e.code : `not a QsignError: ${String(e)}`;
  }
};

describe('writeDirAtomic', () => {
  it('writes every file (subdirectories too) with mode 0600 and leaves no temporary directory', () => {
    const parent = scratch();
    const out = join(parent, 'ceremony');
    const paths = writeDirAtomic(out, { 'a.json': '{"a":1}\n', 'kit/custodian-1.txt': 'share 1\n', 'b.bin': new Uint8Array([0, 1, 2]) });
    expect(paths).toEqual([join(out, 'a.json'), join(out, 'kit/custodian-1.txt'), join(out, 'b.bin')]);
    expect(readFileSync(join(out, 'a.json'), 'utf8')).toBe('{"a":1}\n');
    expect(readFileSync(join(out, 'kit/custodian-1.txt'), 'utf8')).toBe('share 1\n');
    expect([...readFileSync(join(out, 'b.bin'))]).toEqual([0, 1, 2]);
    expect(statSync(join(out, 'a.json')).mode & 0o777).toBe(0o600);
    expect(readdirSync(parent)).toEqual(['ceremony']);
  });

  it('refuses to overwrite a directory that holds anything, and leaves it as it was', () => {
    const parent = scratch();
    const out = join(parent, 'ceremony');
    mkdirSync(out);
    writeFileSync(join(out, 'node-1.share.json'), 'earlier ceremony');
    expect(codeOf(() => writeDirAtomic(out, { 'node-1.share.json': 'new' }))).toBe('INVALID_ARGUMENT');
    expect(() => writeDirAtomic(out, { x: 'y' })).toThrow(/is not empty; refusing to overwrite a ceremony/);
    expect(readFileSync(join(out, 'node-1.share.json'), 'utf8')).toBe('earlier ceremony');
    expect(readdirSync(parent)).toEqual(['ceremony']);
  });

  it('leaves nothing behind when a write fails half way', () => {
    const parent = scratch();
    const out = join(parent, 'ceremony');
    // The first files are written; the last name is too long for the filesystem (ENAMETOOLONG), a real failure mid-write.
    const files = { 'node-1.share.json': 'secret 1', 'node-2.share.json': 'secret 2', [`${'x'.repeat(300)}.json`]: 'never' };
    expect(() => writeDirAtomic(out, files)).toThrow(/ENAMETOOLONG/);
    expect(readdirSync(parent)).toEqual([]);
    // And a file where a directory must go (ENOTDIR / EEXIST) after one file was written.
    expect(() => writeDirAtomic(out, { kit: 'a file', 'kit/custodian-1.txt': 'share' })).toThrow();
    expect(readdirSync(parent)).toEqual([]);
  });

  it('refuses a name outside the output directory', () => {
    const parent = scratch();
    expect(() => writeDirAtomic(join(parent, 'out'), { '../escaped': 'x' })).toThrow(/not a path inside the output directory/);
    expect(readdirSync(parent)).toEqual([]);
  });

  it('writes split share files through it', () => {
    const parent = scratch();
    const { files, publicKeyPackage } = splitKey({ keyName: 'k', threshold: 2, shares: 3, userId: 'k <k@example.org>' });
    const written = writeSplit(join(parent, 'split'), files, publicKeyPackage);
    expect(written.map((p) => p.slice(parent.length + 1))).toEqual(['split/node-1.share.json', 'split/node-2.share.json', 'split/node-3.share.json', 'split/public-key.json']);
    expect(codeOf(() => writeSplit(join(parent, 'split'), files, publicKeyPackage))).toBe('INVALID_ARGUMENT');
    expect(readdirSync(parent)).toEqual(['split']);
  });
});

describe('writeFileAtomic', () => {
  it('writes a new file with mode 0600 and refuses an existing one', () => {
    const dir = scratch();
    const path = join(dir, 'seed.bin');
    writeFileAtomic(path, new Uint8Array([7, 7, 7]));
    expect([...readFileSync(path)]).toEqual([7, 7, 7]);
    expect(statSync(path).mode & 0o777).toBe(0o600);
    expect(() => writeFileAtomic(path, new Uint8Array([8]))).toThrow(`${path} already exists; refusing to overwrite it`);
    expect([...readFileSync(path)]).toEqual([7, 7, 7]);
    expect(readdirSync(dir)).toEqual(['seed.bin']);
  });
});
