import { execFileSync } from 'node:child_process';
import { copyFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { requireTools } from '../../../../test/helpers/tools.js';
import {
  addHeaderSignature,
  headerPayloadSignatureInput,
  headerSignatureInput,
  readRpm,
  RpmError,
  RpmSigTag,
  type RpmErrorCode,
} from '../index.js';
import { buildRpm, readBytes, signingHome, standardSpecs, tempDir, type SigningHome } from './fixtures.js';

function codeOf(f: () => unknown): RpmErrorCode | string {
  try {
    f();
  } catch (e) {
    return e instanceof RpmError ? e.code : `not an RpmError: ${String(e)}`;
  }
  return 'no error';
}

describe('addHeaderSignature with gpg, rpmkeys and rpmsign', () => {
  let dir: string;
  let home: SigningHome;
  let packages: string[];
  let small: string; // built with almost no reserved space
  let n = 0;

  const gpg = (...args: string[]) => home.gpg(...args);
  /** gpg --detach-sign --digest-algo sha256 of `data` with key `uid`. */
  const detachSign = (data: Uint8Array, uid: string, extra: string[] = []): Uint8Array => {
    const input = join(dir, `in-${++n}`);
    writeFileSync(input, data);
    gpg('-u', uid, '--detach-sign', '--digest-algo', 'sha256', ...extra, '-o', `${input}.sig`, input);
    return readBytes(`${input}.sig`);
  };
  const write = (bytes: Uint8Array): string => home.write(bytes);
  const checksig = (path: string) => home.checksig(path);
  const tags = (bytes: Uint8Array) => readRpm(bytes).signatureHeader.entries.map((e) => e.tag);

  beforeAll(() => {
    requireTools('rpmbuild', 'rpmkeys', 'rpmsign', 'gpg');
    dir = tempDir('sign');
    home = signingHome(dir);
    gpg('--quick-gen-key', 'T <t@example.org>', 'ed25519', 'sign', 'never');
    gpg('--quick-gen-key', 'R <r@example.org>', 'rsa2048', 'sign', 'never');
    for (const uid of ['t@example.org', 'r@example.org']) {
      writeFileSync(join(dir, `${uid}.asc`), gpg('--armor', '--export', uid));
      execFileSync('rpmkeys', ['--dbpath', home.db, '--import', join(dir, `${uid}.asc`)]);
    }
    const specs = standardSpecs();
    packages = specs.slice(0, 2).map((s) => buildRpm(dir, s));
    small = buildRpm(dir, { ...specs[0]!, name: 'qs-small', defines: { __gpg_reserved_space: '0' } });
  });

  it('rpmkeys --checksig accepts an Ed25519 header signature in tag 267, with all digests OK', () => {
    for (const path of packages) {
      const orig = readBytes(path);
      const sig = detachSign(headerSignatureInput(orig), 't@example.org');
      const signed = addHeaderSignature(orig, sig, { tag: RpmSigTag.DSA });
      const r = checksig(write(signed));
      expect(r.out).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]+: OK/);
      expect(r.out).toMatch(/Header SHA256 digest: OK/);
      expect(r.out).toMatch(/Payload SHA256 digest: OK/);
      expect(r.ok).toBe(true);
      // Reserved space absorbed the signature: same size, same offsets, main header + payload untouched.
      const before = readRpm(orig);
      const after = readRpm(signed);
      expect(signed.length).toBe(orig.length);
      expect(after.mainHeaderOffset).toBe(before.mainHeaderOffset);
      expect(signed.subarray(after.mainHeaderOffset)).toEqual(orig.subarray(before.mainHeaderOffset));
      expect(after.signatureHeader.has(RpmSigTag.SHA256)).toBe(true);
      expect(after.signatureHeader.bin(RpmSigTag.DSA)).toEqual(sig);
    }
  });

  it('refuses a one-byte change to the payload or to the main header', () => {
    const orig = readBytes(packages[0]!);
    const signed = addHeaderSignature(orig, detachSign(headerSignatureInput(orig), 't@example.org'));
    expect(checksig(write(signed)).ok).toBe(true);
    const rpm = readRpm(signed);

    const payloadFlip = signed.slice();
    payloadFlip[rpm.payloadOffset + 100]! ^= 0x01;
    expect(checksig(write(payloadFlip)).ok).toBe(false);

    const headerFlip = signed.slice();
    const name = rpm.header.entry(1000)!; // RPMTAG_NAME data, inside the signed main header
    headerFlip[rpm.mainHeaderOffset + (name.data.byteOffset - rpm.mainHeader.byteOffset)]! ^= 0x01;
    const r = checksig(write(headerFlip));
    expect(r.ok).toBe(false);
  });

  it('writes the same tags as rpmsign --addsign, and byte-identical output given the same packet', () => {
    for (const path of [...packages, small]) {
      const orig = readBytes(path);
      const viaRpmsign = join(dir, `rpmsign-${++n}.rpm`);
      copyFileSync(path, viaRpmsign);
      execFileSync('rpmsign', ['--define', '__gpg /usr/bin/gpg', '--define', `_gpg_path ${home.gnupg}`, '--define', '_gpg_name t@example.org', '--addsign', viaRpmsign], { stdio: 'pipe', env: home.env });
      const theirs = readBytes(viaRpmsign);
      expect(checksig(viaRpmsign).ok).toBe(true);

      const ours = addHeaderSignature(orig, detachSign(headerSignatureInput(orig), 't@example.org'));
      expect(tags(ours)).toEqual(tags(theirs));
      expect(tags(ours)).toContain(RpmSigTag.DSA);

      const same = addHeaderSignature(orig, readRpm(theirs).signatureHeader.bin(RpmSigTag.DSA));
      expect(Buffer.from(same).equals(Buffer.from(theirs))).toBe(true);
    }
  });

  it('grows the signature header when the reserved space is too small, and rpmkeys still accepts it', () => {
    const orig = readBytes(small);
    const before = readRpm(orig);
    expect(before.signatureHeader.bin(RpmSigTag.RESERVEDSPACE).length).toBeLessThan(100);
    const signed = addHeaderSignature(orig, detachSign(headerSignatureInput(orig), 't@example.org'));
    const after = readRpm(signed);
    expect(after.mainHeaderOffset).toBeGreaterThan(before.mainHeaderOffset);
    expect(after.mainHeaderOffset % 8).toBe(0);
    expect(signed.subarray(after.mainHeaderOffset)).toEqual(orig.subarray(before.mainHeaderOffset));
    expect(after.signatureHeader.bin(RpmSigTag.RESERVEDSPACE)).toEqual(before.signatureHeader.bin(RpmSigTag.RESERVEDSPACE));
    expect(checksig(write(signed)).ok).toBe(true);
  });

  it('replaces an existing signature: re-signing leaves exactly one, by the new key', () => {
    const orig = readBytes(packages[0]!);
    const once = addHeaderSignature(orig, detachSign(headerSignatureInput(orig), 'r@example.org'), { tag: RpmSigTag.RSA });
    expect(checksig(write(once)).out).toMatch(/Header V4 RSA\/SHA256 Signature, key ID [0-9a-f]+: OK/);
    const twice = addHeaderSignature(once, detachSign(headerSignatureInput(once), 't@example.org'));
    expect(tags(twice).filter((t) => t === RpmSigTag.DSA || t === RpmSigTag.RSA)).toEqual([RpmSigTag.DSA]);
    expect(twice.length).toBe(orig.length);
    const r = checksig(write(twice));
    expect(r.ok).toBe(true);
    expect(r.out).not.toMatch(/RSA/);
  });

  it('adds a header+payload signature (tag 1005) beside the header one with replace: "tag"', () => {
    const orig = readBytes(packages[1]!);
    const h = addHeaderSignature(orig, detachSign(headerSignatureInput(orig), 't@example.org'));
    const hp = addHeaderSignature(h, detachSign(headerPayloadSignatureInput(h), 't@example.org'), { tag: RpmSigTag.GPG, replace: 'tag' });
    expect(tags(hp)).toEqual(expect.arrayContaining([RpmSigTag.DSA, RpmSigTag.GPG]));
    const r = checksig(write(hp));
    expect(r.out).toMatch(/Header V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]+: OK/);
    expect(r.out).toMatch(/\n\s*V4 EdDSA\/SHA256 Signature, key ID [0-9a-f]+: OK/);
    expect(r.ok).toBe(true);
  });

  it('refuses a packet whose algorithm does not fit the tag, or that is not one binary signature packet', () => {
    const orig = readBytes(packages[0]!);
    const input = headerSignatureInput(orig);
    const ed = detachSign(input, 't@example.org');
    const rsa = detachSign(input, 'r@example.org');
    expect(codeOf(() => addHeaderSignature(orig, ed, { tag: RpmSigTag.RSA }))).toBe('BAD_SIGNATURE_PACKET');
    expect(codeOf(() => addHeaderSignature(orig, rsa, { tag: RpmSigTag.DSA }))).toBe('BAD_SIGNATURE_PACKET');
    expect(codeOf(() => addHeaderSignature(orig, detachSign(input, 't@example.org', ['--armor'])))).toBe('BAD_SIGNATURE_PACKET');
    expect(codeOf(() => addHeaderSignature(orig, detachSign(input, 't@example.org', ['--textmode'])))).toBe('BAD_SIGNATURE_PACKET');
    expect(codeOf(() => addHeaderSignature(orig, new Uint8Array([...ed, ...ed])))).toBe('BAD_SIGNATURE_PACKET');
    expect(codeOf(() => addHeaderSignature(orig, ed.subarray(0, ed.length - 1)))).toBe('BAD_SIGNATURE_PACKET');
    expect(codeOf(() => addHeaderSignature(orig, ed, { tag: 999 as never }))).toBe('INVALID_ARGUMENT');
  });

  it('refuses to sign a package whose digests do not match its contents', () => {
    const orig = readBytes(packages[0]!);
    const sig = detachSign(headerSignatureInput(orig), 't@example.org');
    const broken = orig.slice();
    broken[broken.length - 10]! ^= 0x80;
    expect(codeOf(() => addHeaderSignature(broken, sig))).toBe('DIGEST_MISMATCH');
    expect(addHeaderSignature(broken, sig, { verifyDigests: false }).length).toBe(orig.length);
  });

  afterAll(() => {
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
});
