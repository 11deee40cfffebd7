/**
 * Issue 11 (pure parts): RPM header signatures in tag 268 (RSAHEADER) made offline by
 * combining 3 of 5 threshold-RSA shares of a key gpg made and exported. PKCS#1 v1.5 is
 * deterministic, so given the hashed area rpmsign's gpg wrote, the combined signature packet
 * — and the whole signed package — is byte-identical to `rpmsign --addsign`; with qsign's own
 * hashed area it passes `rpmkeys --checksig` against the certificate exported before the import.
 */
import { execFileSync } from 'node:child_process';
import { copyFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import { combine, dealShares, signShare, type Dealt, type RsaHash } from '@qsign/threshold-rsa';
import { finishRsaSignature, parsePackets, parseRsaSecretKey, parseRsaSignatureBody, prepareSignature, RSA_ALGORITHM, SignatureType, v4Digest, type PreparedSignature, type SecretRsaKeyMaterial } from '@qsign/openpgp';
import { addHeaderSignature, headerSignatureInput, readRpm, RpmSigTag } from '@qsign/rpm';
import { requireTools } from './helpers/tools.js';
import { buildRpm, readBytes, signingHome, standardSpecs, tempDir, type SigningHome } from '../packages/rpm/src/__tests__/fixtures.js';

const UID = 'Copr RSA <rsa@copr.example.org>';

/** 3 of 5 shares (a random subset each time) combined into the PKCS#1 v1.5 signature. */
function thresholdSign(dealt: Dealt, hash: RsaHash, digest: Uint8Array): Uint8Array {
  const signers = [1, 2, 3, 4, 5].sort(() => Math.random() - 0.5).slice(0, 3);
  const shares = signers.map((i) => signShare(dealt.publicKey, dealt.shares[i - 1]!, hash, digest));
  return combine(dealt.publicKey, hash, digest, shares).signature;
}

describe('RSA header signatures (tag 268) from threshold shares', () => {
  let dir: string;
  let home: SigningHome;
  let packages: string[];
  let key: SecretRsaKeyMaterial;
  let dealt: Dealt;
  let n = 0;

  beforeAll(() => {
    requireTools('rpmbuild', 'rpmkeys', 'rpmsign', 'gpg');
    dir = tempDir('rsa268');
    home = signingHome(dir);
    const gpg = home.gpg;
    gpg('--quick-gen-key', UID, 'rsa2048', 'sign', '5y');
    writeFileSync(join(dir, 'before.asc'), gpg('--armor', '--export', UID)); // the certificate users already have
    execFileSync('rpmkeys', ['--dbpath', home.db, '--import', join(dir, 'before.asc')]);
    key = parseRsaSecretKey(new Uint8Array(gpg('--export-secret-keys', UID)));
    dealt = dealShares(key, { parties: 5, threshold: 3 });
    packages = standardSpecs().slice(0, 2).map((s) => buildRpm(dir, s));
  }, 600_000);

  it('rpmkeys --checksig accepts a 3-of-5 threshold RSA signature in tag 268 against the certificate exported before the import', () => {
    for (const path of packages) {
      const orig = readBytes(path);
      for (const hashAlgorithm of ['sha256', 'sha512'] as const) {
        const prepared = prepareSignature(
          { signatureType: SignatureType.Binary, hashAlgorithm, createdUnixSeconds: key.createdUnixSeconds + 1, issuerFingerprint: key.fingerprint, publicKeyAlgorithm: RSA_ALGORITHM },
          headerSignatureInput(orig),
        );
        const packet = finishRsaSignature(prepared, thresholdSign(dealt, hashAlgorithm, prepared.digest));
        const signed = addHeaderSignature(orig, packet); // tag chosen as makeSigTag does: RSA → 268
        expect(readRpm(signed).signatureHeader.entries.map((e) => e.tag)).toContain(RpmSigTag.RSA);
        expect(readRpm(signed).signatureHeader.entries.map((e) => e.tag)).not.toContain(RpmSigTag.DSA);
        const r = home.checksig(home.write(signed));
        expect(r.ok, r.out).toBe(true);
        expect(r.out).toMatch(new RegExp(`Header V4 RSA/${hashAlgorithm.toUpperCase()} Signature, key ID [0-9a-f]+: OK`));
        expect(r.out).toMatch(/Payload SHA256 digest: OK/);
      }
    }
  });

  it('is byte-identical to rpmsign --addsign given the hashed area gpg wrote', () => {
    for (const path of packages) {
      const orig = readBytes(path);
      const viaRpmsign = join(dir, `rpmsign-${++n}.rpm`);
      copyFileSync(path, viaRpmsign);
      execFileSync('rpmsign', ['--define', '__gpg /usr/bin/gpg', '--define', `_gpg_path ${home.gnupg}`, '--define', `_gpg_name ${UID}`, '--addsign', viaRpmsign], { stdio: 'pipe', env: home.env });
      const theirs = readBytes(viaRpmsign);
      const theirPacket = readRpm(theirs).signatureHeader.bin(RpmSigTag.RSA);
      // Rebuild gpg's packet around a threshold signature: same hashed and unhashed areas.
      const body = parsePackets(theirPacket)[0]!.body;
      const parsed = parseRsaSignatureBody(body);
      const unhashedLen = (body[parsed.hashedArea.length]! << 8) | body[parsed.hashedArea.length + 1]!;
      const prepared: PreparedSignature = {
        signatureType: SignatureType.Binary,
        hashAlgorithm: parsed.hashAlgorithm,
        hashedArea: parsed.hashedArea,
        unhashedArea: body.slice(parsed.hashedArea.length, parsed.hashedArea.length + 2 + unhashedLen),
        digest: v4Digest(parsed.hashAlgorithm, [headerSignatureInput(orig)], parsed.hashedArea),
      };
      const ourPacket = finishRsaSignature(prepared, thresholdSign(dealt, parsed.hashAlgorithm as RsaHash, prepared.digest));
      // The same signature packet body: gpg's MPI is exactly what the shares combine to.
      expect(Buffer.from(parsePackets(ourPacket)[0]!.body).toString('hex')).toBe(Buffer.from(body).toString('hex'));
      // gpg frames it with an old-format header; framed the same way, the package is rpmsign's byte for byte.
      const framed = new Uint8Array([...theirPacket.subarray(0, theirPacket.length - body.length), ...parsePackets(ourPacket)[0]!.body]);
      expect(Buffer.from(addHeaderSignature(orig, framed)).equals(Buffer.from(theirs))).toBe(true);
      expect(home.checksig(viaRpmsign).ok).toBe(true);
    }
  });
});
