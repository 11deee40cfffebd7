import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { rmSync } from 'node:fs';
import { sha256 } from '@noble/hashes/sha2.js';
import { bytesToHex } from '@noble/hashes/utils.js';
import { requireTools } from '../../../../test/helpers/tools.js';
import { canonicalFileList, packageInfo, readRpm, RpmError, boundedFileList, verifyDigests, headerSignatureInput } from '../index.js';
import { buildRpm, readBytes, rpmQuery, standardSpecs, tempDir } from './fixtures.js';

describe('packageInfo on packages built by rpmbuild', () => {
  let dir: string;
  let paths: string[];

  beforeAll(() => {
    requireTools('rpmbuild', 'rpmkeys', 'gpg');
    dir = tempDir('info');
    paths = standardSpecs().map((s) => buildRpm(dir, s));
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it('splits lead, signature header, main header and payload at the right offsets', () => {
    for (const path of paths) {
      const bytes = readBytes(path);
      const rpm = readRpm(bytes);
      expect(rpm.lead.bytes.length).toBe(96);
      expect(rpm.signatureHeaderOffset).toBe(96);
      expect(rpm.mainHeaderOffset % 8).toBe(0);
      expect(Array.from(rpm.mainHeader.subarray(0, 8))).toEqual([0x8e, 0xad, 0xe8, 0x01, 0, 0, 0, 0]);
      expect(rpm.mainHeader).toEqual(bytes.subarray(rpm.mainHeaderOffset, rpm.payloadOffset));
      expect(headerSignatureInput(bytes)).toEqual(rpm.mainHeader);
      expect(rpm.signatureHeader.region?.tag).toBe(62);
      expect(rpm.header.region?.tag).toBe(63);
      // The digests rpmbuild wrote (SHA256 273 over the main header, payload digest 5092) all check out.
      expect(verifyDigests(bytes, rpm).checked).toEqual(expect.arrayContaining(['SHA256', 'PAYLOADDIGEST']));
    }
  });

  it('agrees with rpm -qp on name, epoch, version, release, arch, source rpm, build host and time, payload digest', () => {
    for (const path of paths) {
      const info = packageInfo(readRpm(readBytes(path)).mainHeader);
      const q = rpmQuery(dir, path, '%{NAME}|%{EPOCH}|%{VERSION}|%{RELEASE}|%{ARCH}|%{SOURCERPM}|%{BUILDHOST}|%{BUILDTIME}|%{PAYLOADDIGEST}|%{PAYLOADDIGESTALGO}|%{FILEDIGESTALGO}').split('|');
      expect([
        info.name,
        info.epoch === undefined ? '(none)' : String(info.epoch),
        info.version,
        info.release,
        info.arch,
        info.sourceRpm,
        info.buildHost,
        String(info.buildTime),
        info.payloadDigest,
        String(info.payloadDigestAlgo),
        String(info.fileDigestAlgo),
      ]).toEqual(q);
    }
    const arches = paths.map((p) => packageInfo(readRpm(readBytes(p)).header).arch);
    expect(arches).toContain('noarch');
    expect(arches.some((a) => a !== 'noarch')).toBe(true);
  });

  it('agrees with rpm -qp on every file path, size, digest and mode', () => {
    for (const path of paths) {
      const info = packageInfo(readRpm(readBytes(path)).mainHeader);
      const q = rpmQuery(dir, path, '[%{FILENAMES}\\t%{FILESIZES}\\t%{FILEDIGESTS}\\t%{FILEMODES}\\n]');
      const mine = info.files.map((f) => `${f.path}\t${f.size}\t${f.digest}\t${f.mode}\n`).join('');
      expect(mine).toBe(q);
      expect(info.files.length).toBeGreaterThanOrEqual(4);
    }
  });

  const LIMITS = { maxFiles: 50, maxBytes: 32 * 1024, maxPath: 256 };

  it('bounds a long file list: count + sha256 of the whole canonical list, the first entries that fit, marked truncated; a short one whole', () => {
    const many = packageInfo(readRpm(readBytes(paths[2]!)).header).files;
    expect(many.length).toBeGreaterThan(150);
    const s = boundedFileList(many, LIMITS);
    expect(s).toEqual({ count: many.length, sha256: bytesToHex(sha256(canonicalFileList(many))), files: many.slice(0, 50), truncated: true });
    const few = packageInfo(readRpm(readBytes(paths[0]!)).header).files;
    expect(boundedFileList(few, LIMITS)).toMatchObject({ count: few.length, files: few, truncated: false });
    // The digest changes when any field of any file changes, also one beyond the kept entries.
    const altered = many.map((f, i) => (i === 77 ? { ...f, mode: f.mode ^ 1 } : f));
    expect(boundedFileList(altered, LIMITS).sha256).not.toBe(s.sha256);
    // The byte cap holds too, and a path over maxPath is left out (and marked).
    const byBytes = boundedFileList(many, { ...LIMITS, maxFiles: 10_000, maxBytes: 2000 });
    expect(byBytes.truncated).toBe(true);
    expect(byBytes.files.reduce((n, f) => n + JSON.stringify(f).length + 1, 0)).toBeLessThanOrEqual(2000);
    const long = [{ path: `/${'x'.repeat(300)}`, size: 1, digest: 'ab', mode: 0o100644 }, few[0]!];
    expect(boundedFileList(long, LIMITS)).toMatchObject({ count: 2, files: [few[0]], truncated: true });
  });

  it('canonical file list encoding is unambiguous JSON lines', () => {
    const files = [{ path: '/a\nb', size: 1, digest: 'ab', mode: 0o100644 }];
    expect(new TextDecoder().decode(canonicalFileList(files))).toBe('["/a\\nb",1,"ab",33188]\n');
    expect(() => boundedFileList(files, { ...LIMITS, maxFiles: -1 })).toThrow(RpmError);
  });
});
