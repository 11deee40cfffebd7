// Windowed signing subkeys (issue 13, pure parts): a certification-only primary with one
// signing subkey per window, bound with back-signatures, checked by gpg, sq and rpm 4.18;
// then a hard revocation of the first window's subkey.
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  armor,
  assembleCertificate,
  bindSubkey,
  certifyPrimary,
  finishRsaSignature,
  finishSignature,
  fingerprint,
  keyAlgorithm,
  OpenPgpError,
  prepareSignature,
  readSubkeys,
  RevocationReason,
  revokeSubkey,
  toHex,
  type KeySigner,
  type PublishedSubkey,
} from '@qsign/openpgp';
import { addHeaderSignature, headerSignatureInput } from '@qsign/rpm';
import { requireTools } from './helpers/tools.js';
import { localEd25519, localRsa } from './helpers/local-keys.js';
import { buildRpm, readBytes, standardSpecs } from '../packages/rpm/src/__tests__/fixtures.js';

const DAY = 86_400;
const NOW = Math.floor(Date.now() / 1000);
const T0 = NOW - 10 * DAY; // primary created; window 1 = [T0, T0+7d), window 2 = [T0+7d, T0+14d)
const W2 = T0 + 7 * DAY;
const USER_ID = 'qsign windows <windows@example.org>';

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv = {}): { status: number | null; out: string } {
  const r = spawnSync(cmd, args, { env: { ...process.env, ...env }, encoding: 'utf8', timeout: 120_000 });
  return { status: r.status, out: `${r.stdout ?? ''}${r.stderr ?? ''}` };
}

/** A detached signature by `key` over `data`, made at `at` (issuer = the key's own fingerprint). */
async function detached(key: KeySigner, data: Uint8Array, at: number): Promise<Uint8Array> {
  const publicKeyAlgorithm = keyAlgorithm(key.publicKeyBody);
  const p = prepareSignature({ signatureType: 0x00, hashAlgorithm: 'sha256', createdUnixSeconds: at, issuerFingerprint: fingerprint(key.publicKeyBody), publicKeyAlgorithm }, data);
  const sig = await key.sign(p.digest, 'sha256');
  return publicKeyAlgorithm === 1 ? finishRsaSignature(p, sig) : finishSignature(p, sig);
}

describe('windowed signing subkeys with gpg, sq and rpm', () => {
  let dir: string;
  const primary = localEd25519(T0);
  const sub1 = localEd25519(T0); // window 1: Ed25519
  const sub2 = localRsa(W2 - DAY); // window 2: RSA, made a day ahead of its window
  let subkeys: PublishedSubkey[];
  let selfSig: Uint8Array;
  let certPath: string;
  const data = new TextEncoder().encode('payload signed in two windows\n');
  const sigs: Record<string, string> = {};
  let rpm1: string;
  let rpm2: string;

  const file = (name: string, bytes: Uint8Array | string) => {
    const p = join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const cert = (subs: PublishedSubkey[], name: string, dropHardRevoked = false) =>
    file(name, armor('PUBLIC KEY BLOCK', assembleCertificate({ primaryKeyBody: primary.publicKeyBody, userId: USER_ID, selfSignatures: [selfSig], subkeys: subs, dropHardRevoked })));
  const rpmdb = (name: string, certFile: string) => {
    const db = join(dir, name);
    mkdirSync(db);
    const r = run('rpmkeys', ['--dbpath', db, '--import', certFile]);
    expect(r.status, r.out).toBe(0);
    return db;
  };
  const signRpm = async (key: KeySigner, at: number, name: string): Promise<string> => {
    const orig = readBytes(buildRpm(dir, { ...standardSpecs()[0]!, name }));
    return file(`${name}.rpm`, addHeaderSignature(orig, await detached(key, headerSignatureInput(orig), at)));
  };

  beforeAll(async () => {
    requireTools('gpg', 'sq', 'rpmkeys', 'rpmbuild');
    dir = mkdtempSync(join(tmpdir(), 'qsign-windows-'));
    selfSig = await certifyPrimary({ primary, userId: USER_ID, createdUnixSeconds: T0, expiresUnixSeconds: T0 + 365 * DAY });
    subkeys = [
      { publicKeyBody: sub1.publicKeyBody, bindings: [await bindSubkey({ primary, subkey: sub1, createdUnixSeconds: T0, expiresUnixSeconds: W2 })] },
      { publicKeyBody: sub2.publicKeyBody, bindings: [await bindSubkey({ primary, subkey: sub2, createdUnixSeconds: W2 - DAY, expiresUnixSeconds: W2 + 7 * DAY })] },
    ];
    certPath = cert(subkeys, 'cert.asc');
    sigs.w1 = file('w1.sig', await detached(sub1, data, T0 + DAY));
    sigs.w2 = file('w2.sig', await detached(sub2, data, NOW - 60));
    file('data', data);
    rpm1 = await signRpm(sub1, T0 + DAY, 'qs-window-one');
    rpm2 = await signRpm(sub2, NOW - 60, 'qs-window-two');
  });
  afterAll(() => dir && rmSync(dir, { recursive: true, force: true }));

  it('lists both subkeys with their window expiry, sign flag and no revocation', () => {
    const info = readSubkeys(readFileSync(certPath, 'utf8'));
    expect(info.map((s) => toHex(s.fingerprint))).toEqual([toHex(fingerprint(sub1.publicKeyBody)), toHex(fingerprint(sub2.publicKeyBody))]);
    expect(info.map((s) => s.expiresUnixSeconds)).toEqual([W2, W2 + 7 * DAY]);
    expect(info.every((s) => s.keyFlags === 0x12 && s.revocations.length === 0)).toBe(true);
  });

  it('gpg imports the certification-only primary with both subkeys and verifies each window under its own subkey', () => {
    const home = mkdtempSync(join(dir, 'gnupg-'));
    const gpg = (...a: string[]) => run('gpg', ['--batch', '--homedir', home, '--trust-model', 'always', ...a]);
    expect(gpg('--import', certPath).status).toBe(0);
    const listing = gpg('--with-colons', '--fixed-list-mode', '--list-keys').out;
    expect(listing.split('\n').find((l) => l.startsWith('pub:'))!.split(':')[11]).toBe('cSC'); // primary certifies only (c); signing (S) via subkeys
    expect(listing.split('\n').filter((l) => l.startsWith('sub:')).length).toBe(2);
    for (const [w, key] of [['w1', sub1], ['w2', sub2]] as const) {
      const r = gpg('--status-fd', '1', '--verify', sigs[w]!, join(dir, 'data'));
      expect(r.out).toContain(`VALIDSIG ${toHex(fingerprint(key.publicKeyBody))}`);
      expect(r.out).toContain(toHex(fingerprint(primary.publicKeyBody))); // primary fingerprint at the end of VALIDSIG
    }
    run('gpgconf', ['--homedir', home, '--kill', 'all']);
  });

  it('sq verify accepts both windows with --signer-cert', () => {
    for (const w of ['w1', 'w2']) {
      const r = run('sq', ['verify', '--signer-cert', certPath, '--detached', sigs[w]!, join(dir, 'data')]);
      expect(r.status, r.out).toBe(0);
      expect(r.out).toMatch(/1 good signature/);
    }
  });

  it('rpmkeys --import takes the certificate and rpmkeys -K accepts RPMs signed in either window, with different subkey issuers', () => {
    const db = rpmdb('db-all', certPath);
    const ids: string[] = [];
    for (const path of [rpm1, rpm2]) {
      const r = run('rpmkeys', ['--dbpath', db, '-Kv', path]);
      expect(r.status, r.out).toBe(0);
      const m = /Header V4 (EdDSA|RSA)\/SHA256 Signature, key ID ([0-9a-f]+): OK/.exec(r.out);
      expect(m, r.out).not.toBeNull();
      ids.push(m![2]!);
    }
    expect(ids).toEqual([sub1, sub2].map((k) => toHex(fingerprint(k.publicKeyBody)).slice(-8).toLowerCase()));
  });

  it('refuses a back-signature that does not verify under the subkey', async () => {
    const liar: KeySigner = { publicKeyBody: sub1.publicKeyBody, sign: (d, h) => localEd25519(T0).sign(d, h) };
    await expect(bindSubkey({ primary, subkey: liar, createdUnixSeconds: T0 })).rejects.toMatchObject({ code: 'BAD_SIGNATURE' });
    await expect(bindSubkey({ primary, subkey: sub1, createdUnixSeconds: T0, keyFlags: 0x01 })).rejects.toBeInstanceOf(OpenPgpError);
  });

  it('a renewal (later self-signature and binding with a new expiry) moves the expiry for gpg, and rpm still imports it', async () => {
    const renewedSelf = await certifyPrimary({ primary, userId: USER_ID, createdUnixSeconds: NOW - 120, expiresUnixSeconds: NOW + 730 * DAY });
    const renewedBinding = await bindSubkey({ primary, subkey: sub2, createdUnixSeconds: NOW - 120, expiresUnixSeconds: W2 + 30 * DAY });
    const layout = { primaryKeyBody: primary.publicKeyBody, userId: USER_ID, selfSignatures: [selfSig, renewedSelf], subkeys: [subkeys[0]!, { ...subkeys[1]!, bindings: [...subkeys[1]!.bindings, renewedBinding] }] };
    const path = file('renewed.asc', armor('PUBLIC KEY BLOCK', assembleCertificate(layout)));
    expect(readSubkeys(readFileSync(path, 'utf8'))[1]!.expiresUnixSeconds).toBe(W2 + 30 * DAY);
    const home = mkdtempSync(join(dir, 'gnupg-'));
    const gpg = (...a: string[]) => run('gpg', ['--batch', '--homedir', home, ...a]);
    expect(gpg('--import', path).status).toBe(0);
    const lines = gpg('--with-colons', '--list-keys').out.split('\n');
    expect(Number(lines.find((l) => l.startsWith('pub:'))!.split(':')[6])).toBe(NOW + 730 * DAY);
    expect(Number(lines.filter((l) => l.startsWith('sub:'))[1]!.split(':')[6])).toBe(W2 + 30 * DAY);
    run('gpgconf', ['--homedir', home, '--kill', 'all']);
    const db = rpmdb('db-renewed', path);
    expect(run('rpmkeys', ['--dbpath', db, '-K', rpm2]).status).toBe(0);
    expect(() => assembleCertificate({ ...layout, subkeys: [{ publicKeyBody: sub1.publicKeyBody, bindings: [] }] })).toThrow(/has no binding signature/);
  });

  describe('after a hard (compromised) revocation of the first window', () => {
    let revokedPath: string;
    let legacyPath: string;
    beforeAll(async () => {
      const revocation = await revokeSubkey({ primary, subkeyBody: sub1.publicKeyBody, createdUnixSeconds: NOW - 30, reason: RevocationReason.Compromised, description: 'build host compromised' });
      revokedPath = cert([{ ...subkeys[0]!, revocations: [revocation] }, subkeys[1]!], 'revoked.asc');
      legacyPath = cert([{ ...subkeys[0]!, revocations: [revocation] }, subkeys[1]!], 'revoked-legacy.asc', true);
    });

    it('sq verify rejects the first window and accepts the second', () => {
      const w1 = run('sq', ['verify', '--signer-cert', revokedPath, '--detached', sigs.w1!, join(dir, 'data')]);
      expect(w1.status, w1.out).not.toBe(0);
      const w2 = run('sq', ['verify', '--signer-cert', revokedPath, '--detached', sigs.w2!, join(dir, 'data')]);
      expect(w2.status, w2.out).toBe(0);
    });

    it("Debian's rpm still imports the updated certificate (its legacy parser ignores the revocation)", () => {
      const db = rpmdb('db-revoked', revokedPath);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm2]).status).toBe(0);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm1]).status).toBe(0); // the documented rpm 4.18 limitation
    });

    it('the legacy form without the hard-revoked subkey makes rpm 4.18 and sq reject the first window', () => {
      const db = rpmdb('db-legacy', legacyPath);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm2]).status).toBe(0);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm1]).status).not.toBe(0);
      expect(run('sq', ['verify', '--signer-cert', legacyPath, '--detached', sigs.w1!, join(dir, 'data')]).status).not.toBe(0);
      expect(readSubkeys(readFileSync(legacyPath, 'utf8')).length).toBe(1);
    });
  });

  describe("rpm 4.18 keeps a stored certificate: the keyring package's refresh steps", () => {
    it('re-importing the same primary with a new subkey changes nothing until the stored copy is erased', () => {
      const only1 = cert([subkeys[0]!], 'only-window-one.asc');
      const db = rpmdb('db-refresh', only1);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm2]).status).not.toBe(0); // window 2's subkey is not known yet
      const again = run('rpmkeys', ['--dbpath', db, '--import', certPath]);
      expect(again.status, again.out).toBe(0); // "succeeds" ...
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm2]).status).not.toBe(0); // ... but the stored copy is unchanged
      // What the keyring %posttrans does once the transaction's lock is released:
      const shortId = toHex(fingerprint(primary.publicKeyBody)).slice(-8).toLowerCase();
      const erase = run('rpm', ['--dbpath', db, '-e', '--allmatches', `gpg-pubkey-${shortId}`]);
      expect(erase.status, erase.out).toBe(0);
      expect(run('rpmkeys', ['--dbpath', db, '--import', certPath]).status).toBe(0);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm2]).status).toBe(0);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm1]).status).toBe(0);
    });
  });

  describe('after a soft (retired) revocation of the first window', () => {
    it('sq verify still accepts signatures made before the revocation', async () => {
      const revocation = await revokeSubkey({ primary, subkeyBody: sub1.publicKeyBody, createdUnixSeconds: NOW - 30, reason: RevocationReason.Retired });
      const path = cert([{ ...subkeys[0]!, revocations: [revocation] }, subkeys[1]!], 'retired.asc');
      const r = run('sq', ['verify', '--signer-cert', path, '--detached', sigs.w1!, join(dir, 'data')]);
      expect(r.status, r.out).toBe(0);
      const db = rpmdb('db-retired', path);
      expect(run('rpmkeys', ['--dbpath', db, '-K', rpm1]).status).toBe(0);
    });
  });
});
